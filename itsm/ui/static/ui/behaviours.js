/* Small page behaviours hooked by data-* attributes (no inline script: the
   Content-Security-Policy allows scripts from our static files only).

   data-autosubmit   on a <select> or <input>: submit its form when the value changes. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("[data-autosubmit]") || !field.form) {
      return;
    }
    if (field.form.requestSubmit) {
      field.form.requestSubmit();
    } else {
      field.form.submit();
    }
  });
})();
