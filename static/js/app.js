// Desist: small progressive enhancements; pages work without it.
// Loaded as a file (the Content-Security-Policy forbids inline scripts).
(function () {
  "use strict";

  // "Select all" checkbox of a table: data-select-all="<name of the row checkboxes>".
  document.addEventListener("change", function (event) {
    var box = event.target;
    if (!box.matches || !box.matches("input[data-select-all]")) return;
    var form = box.form || document;
    form.querySelectorAll('input[type=checkbox][name="' + box.dataset.selectAll + '"]')
      .forEach(function (row) { row.checked = box.checked; });
  });

  // A button with data-confirm asks before submitting (dismissals end an item).
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });
})();

// Item form: show the chosen franchise's protected elements (groups with a ticked box
// stay visible, so nothing chosen is hidden); the server accepts only that franchise's.
(function () {
  "use strict";
  function showElements(select) {
    document.querySelectorAll("fieldset.element-group[data-franchise]").forEach(function (group) {
      var ticked = group.querySelector("input:checked");
      group.hidden = Boolean(select.value) && group.dataset.franchise !== select.value && !ticked;
    });
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches(".item-form select[name=franchise]")) {
      showElements(event.target);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var select = document.querySelector(".item-form select[name=franchise]");
    if (select) showElements(select);
  });
})();
