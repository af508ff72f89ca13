// Change report page: changes raised per month (stacked bars per kind, lines of changes closed
// and failed), the raised changes by status (pie) and by risk level (bars). Data from the
// json_script tag rendered by the server, labels from the data and data attributes: no
// strings here, no inline script (CSP).
(function () {
  "use strict";
  function data() {
    var el = document.getElementById("change-report-chart-data");
    return el ? JSON.parse(el.textContent) : null;
  }
  function draw(el, option) {
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option);
    el.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function trendChart(d) {
    var el = document.getElementById("change-trend-chart");
    if (!el || !d) return;
    var series = d.kinds.map(function (k) {
      return { name: k.label, type: "bar", stack: "raised", data: k.raised,
               itemStyle: { color: k.colour } };
    });
    series.push({ name: el.dataset.closedLabel, type: "line", data: d.closed,
                  itemStyle: { color: "#2fb344" } });
    series.push({ name: el.dataset.failedLabel, type: "line", data: d.failed,
                  itemStyle: { color: "#f76707" } });
    draw(el, {
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.months },
      yAxis: { type: "value", minInterval: 1 },
      series: series
    });
  }
  function statusChart(d) {
    var el = document.getElementById("change-status-chart");
    if (!el || !d) return;
    draw(el, {
      tooltip: { trigger: "item" },
      legend: { bottom: 0, type: "scroll" },
      series: [{ type: "pie", radius: ["30%", "62%"], center: ["50%", "42%"], data: d.status,
                 label: { position: "inside", formatter: "{c}" } }]
    });
  }
  function riskChart(d) {
    var el = document.getElementById("change-risk-chart");
    if (!el || !d) return;
    draw(el, {
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.risk.labels, axisLabel: { interval: 0 } },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: el.dataset.changesLabel, type: "bar", data: d.risk.values,
                 itemStyle: { color: "#f59f00" } }]
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") return;
    var d = data();
    trendChart(d);
    statusChart(d);
    riskChart(d);
  });
})();
