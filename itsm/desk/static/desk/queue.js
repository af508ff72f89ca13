/* The desk's queue and ticket pages (no inline script: CSP).

   [data-countdown="ISO time"]  the time left until it, refreshed every 30 seconds; the words
                                come from the element holding data-left / data-overdue
                                ("{t}" is replaced), red once overdue.
   [data-bulk-all]              a checkbox that ticks every [data-bulk] row checkbox.
   Keyboard (outside text fields): "/" search, "n" log a call, "j"/"k" next/previous row,
   "x" tick the row, Enter open it. */
(function () {
  "use strict";
  var root = document.querySelector("[data-left][data-overdue]");
  var left = root ? root.getAttribute("data-left") : "{t}";
  var overdue = root ? root.getAttribute("data-overdue") : "-{t}";
  var units = root ? JSON.parse(root.getAttribute("data-units") || "{}") : {};

  function span(ms) {
    var minutes = Math.floor(Math.abs(ms) / 60000);
    var days = Math.floor(minutes / 1440);
    var hours = Math.floor((minutes % 1440) / 60);
    var rest = minutes % 60;
    var parts = [];
    if (days) { parts.push(days + (units.d || "d")); }
    if (hours || days) { parts.push(hours + (units.h || "h")); }
    parts.push(rest + (units.m || "min"));
    return parts.join(" ");
  }

  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (cell) {
      var due = Date.parse(cell.getAttribute("data-countdown"));
      if (isNaN(due)) { return; }
      if (!cell.hasAttribute("title")) { cell.setAttribute("title", cell.textContent); }
      var ms = due - now;
      cell.textContent = (ms < 0 ? overdue : left).replace("{t}", span(ms));
      cell.classList.toggle("text-red", ms < 0);
      cell.classList.toggle("text-orange", ms >= 0 && ms < 3600000);
    });
  }
  tick();
  window.setInterval(tick, 30000);

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("[data-bulk-all]")) {
      document.querySelectorAll("[data-bulk]").forEach(function (box) {
        box.checked = event.target.checked;
      });
    }
  });

  var current = -1;
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr[data-ticket]"));
  }
  function focusRow(index) {
    var all = rows();
    if (!all.length) { return; }
    current = Math.max(0, Math.min(all.length - 1, index));
    all.forEach(function (row, i) { row.classList.toggle("table-active", i === current); });
    all[current].scrollIntoView({ block: "nearest" });
  }
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (target.closest && target.closest("input, textarea, select, [contenteditable]")) { return; }
    var all = rows();
    if (event.key === "/") {
      var search = document.querySelector("input[name=q]");
      if (search) { event.preventDefault(); search.focus(); }
    } else if (event.key === "n") {
      var console_ = document.querySelector("[data-testid=console-link]");
      if (console_) { window.location.href = console_.href; }
    } else if (event.key === "j") {
      focusRow(current + 1);
    } else if (event.key === "k") {
      focusRow(current - 1);
    } else if (event.key === "x" && all[current]) {
      var box = all[current].querySelector("[data-bulk]");
      if (box) { box.checked = !box.checked; }
    } else if (event.key === "Enter" && all[current]) {
      var link = all[current].querySelector("a[href]");
      if (link) { window.location.href = link.href; }
    }
  });
})();
