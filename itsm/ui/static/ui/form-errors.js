// The error summary above a form (ui/_form_errors.html): it takes the focus when the page
// opens, so keyboard and screen-reader users hear what went wrong, and each of its links
// moves the focus to the field it names (a plain #fragment only scrolls).
(function () {
  "use strict";
  function focusField(event) {
    var id = decodeURIComponent(event.currentTarget.hash.slice(1));
    var field = document.getElementById(id);
    if (!field) return;
    event.preventDefault();
    field.scrollIntoView({ block: "center" });
    field.focus({ preventScroll: true });
  }
  function init() {
    var summaries = document.querySelectorAll("[data-error-summary]");
    summaries.forEach(function (summary) {
      if (summary.dataset.ready) return;
      summary.dataset.ready = "1";
      summary.querySelectorAll("a[data-error-link]").forEach(function (link) {
        link.addEventListener("click", focusField);
      });
    });
    if (summaries.length && !document.activeElement.closest("[data-error-summary]")) {
      summaries[0].focus();
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
