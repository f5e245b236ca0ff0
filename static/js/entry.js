// Fast entry: Ctrl+Enter (Cmd+Enter on a Mac) saves; after htmx swaps the form, the cursor goes
// back into the text so the next proposal can be typed without touching the mouse.
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Enter" || !(event.ctrlKey || event.metaKey)) {
      return;
    }
    var form = event.target.closest && event.target.closest("form[data-submit-shortcut]");
    if (form) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  document.addEventListener("htmx:afterSettle", function (event) {
    var form = event.detail.elt && event.detail.elt.id === "entry-form"
      ? event.detail.elt
      : document.getElementById("entry-form");
    var text = form && form.querySelector("textarea");
    if (text && document.activeElement !== text) {
      text.focus();
    }
    var empty = document.querySelector(".entry-empty");
    if (empty && document.querySelector("#entry-list li")) {
      empty.remove();
    }
  });
})();
