// Dashboard charts: data comes from json_script tags rendered by the server (no strings here).
(function () {
  "use strict";
  function usersPerOrganisation() {
    var el = document.getElementById("chart-users-per-organisation");
    var dataEl = document.getElementById("chart-users-per-organisation-data");
    if (!el || !dataEl || typeof echarts === "undefined") return;
    var data = JSON.parse(dataEl.textContent);
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      tooltip: { trigger: "axis" },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: "value", minInterval: 1 },
      yAxis: { type: "category", data: data.names, inverse: true },
      series: [{ name: el.dataset.seriesName, type: "bar", data: data.counts,
                 itemStyle: { color: "#206bc4" } }]
    });
    el.dataset.rendered = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  document.addEventListener("DOMContentLoaded", usersPerOrganisation);
})();
