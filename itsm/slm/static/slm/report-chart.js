// SLA report page: the achievement-per-month chart (data from the json_script tag rendered by
// the server; labels from data attributes, so no strings here) and the print button of the
// monthly report.
(function () {
  "use strict";
  function achievementChart() {
    var el = document.getElementById("slm-report-chart");
    var dataEl = document.getElementById("slm-report-chart-data");
    if (!el || !dataEl || typeof echarts === "undefined") return;
    var data = JSON.parse(dataEl.textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.months },
      yAxis: [
        { type: "value", min: 0, max: 100, axisLabel: { formatter: "{value} %" } },
        { type: "value", minInterval: 1 }
      ],
      series: [
        { name: el.dataset.measuredLabel, type: "bar", yAxisIndex: 1, data: data.measured,
          itemStyle: { color: "#a6c8f0" } },
        { name: el.dataset.breachedLabel, type: "bar", yAxisIndex: 1, data: data.breached,
          itemStyle: { color: "#d63939" } },
        { name: el.dataset.achievementLabel, type: "line", yAxisIndex: 0, data: data.achievement,
          connectNulls: false, itemStyle: { color: "#2fb344" } },
        { name: el.dataset.targetLabel, type: "line", yAxisIndex: 0, symbol: "none",
          lineStyle: { type: "dashed" }, itemStyle: { color: "#667382" },
          data: data.months.map(function () { return data.target; }) }
      ]
    });
    el.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function printButtons() {
    document.querySelectorAll("[data-print]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    achievementChart();
    printButtons();
  });
})();
