/* Impact graph (R-CMDB-04): reads the JSON block #impact-data written by json_script and
   draws it with ECharts. No inline script (CSP-friendly). A click on a node opens the CI;
   overlapping labels are hidden (labelLayout.hideOverlap). Large graphs: labels only on hover
   from 80 nodes, a circular layout without animation from 300 nodes. */
(function () {
  "use strict";
  var holder = document.getElementById("impact-graph");
  var data = document.getElementById("impact-data");
  if (!holder || !data || typeof echarts === "undefined") {
    return;
  }
  var graph = JSON.parse(data.textContent);
  var palette = ["#206bc4", "#2fb344", "#f76707", "#ae3ec9", "#d63939", "#0ca678",
                 "#4263eb", "#f59f00", "#17a2b8", "#74b816", "#e64980", "#7950f2"];
  var categories = [];
  var index = {};
  graph.nodes.forEach(function (node) {
    if (!(node.category in index)) {
      index[node.category] = categories.length;
      var colour = node.masked ? "#adb5bd" : palette[categories.length % palette.length];
      categories.push({ name: node.categoryLabel || node.category, itemStyle: { color: colour } });
    }
  });
  var count = graph.nodes.length;
  var big = count > 300;
  var showLabels = count < 80;
  var nodes = graph.nodes.map(function (node) {
    var item = {
      id: node.id,
      name: node.name,
      url: node.url,
      cursor: node.url ? "pointer" : "default",
      category: index[node.category],
      symbolSize: node.start ? 28 : Math.max(8, 18 - 2 * node.depth),
      value: node.depth
    };
    if (node.start) {
      item.itemStyle = { borderColor: "#1d273b", borderWidth: 3, shadowBlur: 8 };
      item.label = { show: true, fontWeight: "bold" };
    }
    if (node.masked) {
      item.itemStyle = { color: "#adb5bd" };
    }
    return item;
  });
  var links = graph.edges.map(function (edge) {
    return { source: edge.source, target: edge.target, value: edge.label };
  });
  var chart = echarts.init(holder, null, { renderer: big ? "canvas" : "svg" });
  chart.setOption({
    animation: !big,
    tooltip: {
      formatter: function (params) {
        if (params.dataType === "edge") {
          return echarts.format.encodeHTML(params.data.value || "");
        }
        return echarts.format.encodeHTML(params.data.name);
      }
    },
    legend: [{ data: categories.map(function (c) { return c.name; }), type: "scroll" }],
    series: [{
      type: "graph",
      layout: big ? "circular" : "force",
      circular: { rotateLabel: true },
      // room for the labels: stronger repulsion and longer edges on small graphs
      force: {
        repulsion: count > 120 ? 80 : 320,
        edgeLength: count > 120 ? [40, 120] : [90, 200],
        gravity: 0.05,
        // small graphs settle before they are drawn: no jiggling labels, nodes stay clickable
        layoutAnimation: count > 120
      },
      roam: true,
      draggable: !big,
      categories: categories,
      data: nodes,
      links: links,
      edgeSymbol: ["none", "arrow"],
      edgeSymbolSize: 6,
      label: { show: showLabels, position: "right", fontSize: 11 },
      // a label that would cover another is hidden (shown again on hover)
      labelLayout: { hideOverlap: true },
      emphasis: { focus: "adjacency", label: { show: true } },
      lineStyle: { color: "source", opacity: 0.6, curveness: 0.1 },
      progressiveThreshold: 500,
      large: big
    }]
  });
  // a click on a CI opens it (masked shared infrastructure has no URL)
  chart.on("click", function (params) {
    if (params.dataType === "node" && params.data && params.data.url) {
      window.location.assign(params.data.url);
    }
  });
  // "rendered" once the first drawing and its entrance animation are done: before that a
  // node is still growing from nothing and cannot be clicked
  chart.on("finished", function () { holder.dataset.rendered = "1"; });
  window.addEventListener("resize", function () { chart.resize(); });
})();
