// Desk report page: tickets per month (stacked bars per kind, a line of tickets resolved or
// closed) and the satisfaction scores. Data from the json_script tag rendered by the server,
// labels from data attributes: no strings here, no inline script (CSP).
(function () {
  "use strict";
  function data() {
    var el = document.getElementById("desk-report-chart-data");
    return el ? JSON.parse(el.textContent) : null;
  }
  function trendChart(d) {
    var el = document.getElementById("desk-trend-chart");
    if (!el || !d) return;
    var chart = echarts.init(el, null, { renderer: "svg" });
    var series = d.kinds.map(function (k) {
      return { name: k.label, type: "bar", stack: "opened", data: k.opened,
               itemStyle: { color: k.colour } };
    });
    series.push({ name: el.dataset.finishedLabel, type: "line", data: d.finished,
                  itemStyle: { color: "#2fb344" } });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.months },
      yAxis: { type: "value", minInterval: 1 },
      series: series
    });
    el.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function satisfactionChart(d) {
    var el = document.getElementById("desk-satisfaction-chart");
    if (!el || !d) return;
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: d.scores },
      yAxis: { type: "value", minInterval: 1 },
      series: [{ name: el.dataset.surveysLabel, type: "bar", data: d.distribution,
                 itemStyle: { color: "#f59f00" } }]
    });
    el.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (typeof echarts === "undefined") return;
    var d = data();
    trendChart(d);
    satisfactionChart(d);
  });
})();
