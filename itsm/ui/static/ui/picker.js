// Pickers (core/pickers.py): Tom Select on every element marked data-picker.
//   data-picker="remote": a text input of comma-separated keys (numbers or codes) that works
//     without JavaScript; here it becomes a type-ahead searching data-picker-url?q=… and
//     submitting the chosen keys in the same input. data-picker-items holds the chosen
//     records as [{"value", "text"}]; data-picker-multiple="true" allows several.
//   data-picker="local": a <select multiple> (list filters, small edit lists) that becomes a
//     searchable list of removable chips, so no Ctrl-click is needed.
// Texts come from data-picker-no-results / data-picker-loading on the element or <body>
// (ui/base.html, translated by the server).
// No inline script anywhere: the page only carries data-* attributes (CSP script-src 'self').
(function () {
  "use strict";

  function escapeHtml(text) {
    var div = document.createElement("div");
    div.textContent = text == null ? "" : String(text);
    return div.innerHTML;
  }

  function messages(el) {
    var texts = document.body.dataset;
    var noResults = el.dataset.pickerNoResults || texts.pickerNoResults || "";
    var loading = el.dataset.pickerLoading || texts.pickerLoading || "";
    return {
      no_results: function () {
        return '<div class="no-results">' + escapeHtml(noResults) + "</div>";
      },
      loading: function () {
        return '<div class="spinner-border spinner-border-sm m-2" role="status"><span class="visually-hidden">' +
          escapeHtml(loading) + "</span></div>";
      },
      option: function (data, escape) {
        return "<div>" + escape(data.text) + "</div>";
      },
      item: function (data, escape) {
        return "<div>" + escape(data.text) + "</div>";
      }
    };
  }

  function remote(el) {
    var url = el.dataset.pickerUrl;
    var multiple = el.dataset.pickerMultiple === "true";
    return new TomSelect(el, {
      dataAttr: "data-picker-items",
      valueField: "value",
      labelField: "text",
      searchField: [],
      delimiter: ",",
      maxItems: multiple ? null : 1,
      create: false,
      persist: false,
      preload: "focus",
      closeAfterSelect: !multiple,
      plugins: multiple ? ["remove_button"] : [],
      // the server searches number and name and keeps its order
      score: function () { return function () { return 1; }; },
      shouldLoad: function () { return true; },
      load: function (query, callback) {
        var sep = url.indexOf("?") === -1 ? "?" : "&";
        fetch(url + sep + "q=" + encodeURIComponent(query), {
          credentials: "same-origin",
          headers: { "Accept": "application/json" }
        })
          .then(function (response) { return response.ok ? response.json() : { results: [] }; })
          .then(function (data) { callback(data.results || []); })
          .catch(function () { callback(); });
      },
      render: messages(el)
    });
  }

  function local(el) {
    var render = messages(el);
    delete render.option;
    delete render.item;
    return new TomSelect(el, {
      plugins: el.multiple ? ["remove_button"] : [],
      maxOptions: null,
      hidePlaceholder: true,
      closeAfterSelect: !el.multiple,
      render: render
    });
  }

  function init(root) {
    if (typeof TomSelect === "undefined") return;
    (root || document).querySelectorAll("[data-picker]").forEach(function (el) {
      if (el.tomselect) return;
      if (el.dataset.picker === "remote") remote(el);
      else local(el);
      el.dataset.pickerReady = "true";
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  // content swapped in by htmx gets its pickers too
  document.addEventListener("htmx:load", function (event) { init(event.target); });
})();
