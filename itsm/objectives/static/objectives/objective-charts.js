// Objectives dashboard: per objective, the actual of each period (bars) against the target
// (line). Data from the json_script tag rendered by the server, labels from data attributes:
// no strings here, no inline script (CSP).
(function () {
  "use strict";
  var holder = document.getElementById("objective-chart-data");
  var box = document.querySelector("[data-testid=objective-charts]");
  if (!holder || !box || typeof echarts === "undefined") return;
  var charts = [];
  JSON.parse(holder.textContent).forEach(function (d) {
    var el = document.getElementById(d.id);
    if (!el) return;
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.labels },
      yAxis: { type: "value" },
      series: [
        { name: box.dataset.actualLabel, type: "bar", data: d.actual, itemStyle: { color: "#206bc4" } },
        { name: box.dataset.targetLabel, type: "line", data: d.target, itemStyle: { color: "#d63939" } }
      ]
    });
    el.dataset.rendered = "1";
    charts.push(chart);
  });
  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
