/* The portal's page behaviour, loaded from a file so the Content-Security-Policy needs no inline script. */
(function () {
  "use strict";

  /* <select data-autosubmit>: submit its form on change (the language picker). */
  function autosubmit(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      select.addEventListener("change", function () { select.form.submit(); });
    });
  }

  /* The service-item filter beside a ticket form: hide options that do not match, preselect the first match. */
  function itemFilter(root) {
    root.querySelectorAll("input[data-filters]").forEach(function (input) {
      input.addEventListener("input", function () {
        var term = input.value.trim(), select = document.getElementById(input.dataset.filters), first = null;
        if (!select) { return; }
        select.querySelectorAll("option").forEach(function (option) {
          var show = !term || !option.value || option.textContent.indexOf(term) !== -1;
          option.hidden = !show;
          if (show && option.value && !first) { first = option; }
        });
        if (term && first && select.value !== first.value) {
          select.value = first.value;
          select.dispatchEvent(new Event("change", { bubbles: true }));  // a pick like any other (intake refresh)
        }
      });
    });
  }

  /* Progress bars: <span data-width="42"> gets its width through the CSSOM, which style-src 'self' allows. */
  function bars(root) {
    root.querySelectorAll("[data-width]").forEach(function (bar) {
      var percent = Math.max(0, Math.min(100, parseFloat(bar.dataset.width) || 0));
      bar.style.width = percent + "%";
    });
  }

  /* <form data-picked-fields="a b">: a change of one of those fields fires "picked" on the form, which htmx listens
     for (hx-trigger="picked from:#form") — an event filter in hx-trigger would need eval, which the CSP forbids. */
  function pickedFields(root) {
    root.querySelectorAll("form[data-picked-fields]").forEach(function (form) {
      var names = form.dataset.pickedFields.split(" ");
      form.addEventListener("change", function (event) {
        if (names.indexOf(event.target.name) !== -1) { form.dispatchEvent(new CustomEvent("picked")); }
      });
    });
  }

  function init(root) { autosubmit(root); itemFilter(root); bars(root); pickedFields(root); }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
  document.addEventListener("htmx:load", function (event) { if (event.target !== document.body) { init(event.target); } });
})();
