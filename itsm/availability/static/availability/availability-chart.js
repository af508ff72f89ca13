// Availability page: availability per SLA × service (bars) against its target (line). Data
// from the json_script tag rendered by the server, labels from data attributes: no strings
// here, no inline script (CSP).
(function () {
  "use strict";
  var holder = document.getElementById("availability-chart-data");
  var el = document.getElementById("availability-chart");
  if (!holder || !el || typeof echarts === "undefined") return;
  var d = JSON.parse(holder.textContent);
  var chart = echarts.init(el, null, { renderer: "svg" });
  var values = d.availability.concat(d.target).filter(function (v) { return v !== null; });
  var low = values.length ? Math.floor(Math.min.apply(null, values)) : 0;
  chart.setOption({
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: d.labels, axisLabel: { interval: 0, rotate: d.labels.length > 4 ? 20 : 0 } },
    yAxis: { type: "value", min: Math.max(0, low - 1), max: 100 },
    series: [
      { name: el.dataset.availabilityLabel, type: "bar", data: d.availability, itemStyle: { color: "#206bc4" } },
      { name: el.dataset.targetLabel, type: "line", data: d.target, itemStyle: { color: "#d63939" } }
    ]
  });
  el.dataset.rendered = "1";
  window.addEventListener("resize", function () { chart.resize(); });
})();
