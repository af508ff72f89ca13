// A capacity metric's page: its samples, the forecast line and the thresholds (data from the
// json_script tag rendered by the server; labels from data attributes, so no strings here).
// Times are epoch milliseconds: ECharts shows them in the browser's local time.
(function () {
  "use strict";
  function metricChart() {
    var el = document.getElementById("capacity-chart");
    var dataEl = document.getElementById("capacity-chart-data");
    if (!el || !dataEl || typeof echarts === "undefined") return;
    var data = JSON.parse(dataEl.textContent);
    var lines = [];
    if (data.warning !== null) {
      lines.push({ yAxis: data.warning, name: el.dataset.warningLabel,
        lineStyle: { color: "#f59f00", type: "dashed" }, label: { formatter: "{b}" } });
    }
    if (data.critical !== null) {
      lines.push({ yAxis: data.critical, name: el.dataset.criticalLabel,
        lineStyle: { color: "#d63939", type: "dashed" }, label: { formatter: "{b}" } });
    }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 8, right: 24, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: "time" },
      yAxis: { type: "value", scale: true,
        axisLabel: { formatter: "{value} " + (data.unit || "") } },
      series: [
        { name: el.dataset.samplesLabel, type: "line", showSymbol: false, data: data.samples,
          itemStyle: { color: "#206bc4" },
          markLine: { symbol: "none", silent: true, data: lines } },
        { name: el.dataset.forecastLabel, type: "line", showSymbol: false, data: data.forecast,
          lineStyle: { type: "dotted" }, itemStyle: { color: "#ae3ec9" } }
      ]
    });
    el.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", metricChart);
})();
