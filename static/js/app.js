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

// Keyboard shortcuts: an element with aria-keyshortcuts="<key>" is focused (a field) or
// followed (a link) when that key is pressed: "/" search, "n"/"p" next/previous page.
// Ignored while typing in a field or with a modifier key held.
(function () {
  "use strict";
  var TYPING = "textarea, select, input:not([type=checkbox]):not([type=radio])"
    + ":not([type=button]):not([type=submit]):not([type=reset])";
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
    if (target.isContentEditable || (target.matches && target.matches(TYPING))) return;
    var found = null;
    document.querySelectorAll("[aria-keyshortcuts]").forEach(function (element) {
      if (!found && element.getAttribute("aria-keyshortcuts").split(" ").indexOf(event.key) >= 0) {
        found = element;
      }
    });
    if (!found) return;
    event.preventDefault();
    if (found.matches("a[href]")) {
      found.click();
      return;
    }
    var panel = found.closest("details");
    if (panel) panel.open = true;
    found.focus();
  });
})();

// Filter panels (<details class="filter-panel">) open on wide screens, where the filters
// cost little room; on a phone they stay shut unless filters are set (the server opens them).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    if (!window.matchMedia("(min-width: 64rem)").matches) return;
    document.querySelectorAll("details.filter-panel").forEach(function (panel) {
      panel.open = true;
    });
  });
})();
