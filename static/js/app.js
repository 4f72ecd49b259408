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

})();

// Actions that cannot be undone ask first (casework/confirm.py). A submit button with
// data-confirm (the question) and data-confirm-detail (what follows) opens a modal
// <dialog>; with data-confirm-choice="<select id>" the texts come from the chosen
// <option>, its "{n}" the number of items the form carries (data-confirm-one for one).
// Confirming posts the form with confirmed=yes; Cancel or Escape leaves it unsent and
// focus goes back to the button. Without this script the server asks on a page instead.
(function () {
  "use strict";
  var confirmedButton = null;

  function texts(button) {
    var choice = button.dataset.confirmChoice;
    if (!choice) return { question: button.dataset.confirm, detail: button.dataset.confirmDetail };
    var option = document.getElementById(choice).selectedOptions[0];
    var n = button.form.querySelectorAll(
      'input[name="items"]:checked, input[type="hidden"][name="items"]'
    ).length;
    if (!n) return null; // nothing selected: the server says so
    var question = n === 1 ? option.dataset.confirmOne : option.dataset.confirm.replace("{n}", n);
    return { question: question, detail: option.dataset.confirmDetail };
  }

  function dialog() {
    var box = document.getElementById("confirm-dialog");
    if (box) return box;
    box = document.createElement("dialog");
    box.id = "confirm-dialog";
    box.className = "confirm";
    box.setAttribute("aria-labelledby", "confirm-question");
    box.setAttribute("aria-describedby", "confirm-detail");
    box.innerHTML =
      '<form method="dialog"><h2 id="confirm-question"></h2><p id="confirm-detail"></p>' +
      '<div class="row"><button type="submit" value="yes" class="danger"></button>' +
      '<button type="submit" value="no" class="secondary" autofocus>Cancel</button></div></form>';
    document.body.appendChild(box);
    return box;
  }

  function ask(button, said) {
    var box = dialog();
    box.querySelector("#confirm-question").textContent = said.question;
    box.querySelector("#confirm-detail").textContent = said.detail || "";
    box.querySelector('button[value="yes"]').textContent = said.question.replace(/\?$/, "");
    box.returnValue = "";
    box.onclose = function () {
      button.focus();
      if (box.returnValue !== "yes") return;
      var flag = document.createElement("input");
      flag.type = "hidden";
      flag.name = "confirmed";
      flag.value = "yes";
      button.form.appendChild(flag);
      confirmedButton = button;
      button.form.requestSubmit(button);
      flag.remove();
    };
    box.showModal();
  }

  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.matches("[data-confirm], [data-confirm-choice]")) return;
    if (confirmedButton === button) {
      confirmedButton = null;
      return;
    }
    var said = texts(button);
    if (!said) return;
    event.preventDefault();
    ask(button, said);
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
