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

/* data-insert-into="#selector" data-text="…" on a button: add the text to that field (a canned
   response into the reply box), after what is already written. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-insert-into]") : null;
    if (!button) {
      return;
    }
    var field = document.querySelector(button.getAttribute("data-insert-into"));
    if (!field) {
      return;
    }
    var text = button.getAttribute("data-text") || "";
    field.value = field.value ? field.value.replace(/\s*$/, "") + "\n\n" + text : text;
    field.focus();
  });
})();
