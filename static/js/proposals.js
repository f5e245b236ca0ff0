// Proposals: progressive enhancement of the form, the receipt and inline validation.
(function () {
  "use strict";

  // After a refused submit, move focus to the error summary so it is read first.
  function focusErrorSummary() {
    var summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  // One submit per click: disable the button while the browser sends the form.
  function guardSubmit() {
    document.querySelectorAll("form .submit-once").forEach(function (button) {
      button.form.addEventListener("submit", function () {
        button.disabled = true;
        button.setAttribute("aria-disabled", "true");
        button.dataset.label = button.textContent;
        button.textContent = button.dataset.busyLabel || button.textContent;
      });
    });
    // Coming back with the Back button restores the page from cache: make it usable again.
    window.addEventListener("pageshow", function () {
      document.querySelectorAll("form .submit-once[disabled]").forEach(function (button) {
        button.disabled = false;
        button.removeAttribute("aria-disabled");
        if (button.dataset.label) button.textContent = button.dataset.label;
      });
    });
  }

  // Show "n / max" under text areas that ask for it.
  function counters() {
    document.querySelectorAll("[data-counter]").forEach(function (input) {
      var output = document.getElementById(input.dataset.counter);
      if (!output) return;
      var update = function () {
        output.textContent = input.value.length + " / " + input.maxLength;
      };
      output.hidden = false;
      input.addEventListener("input", update);
      update();
    });
  }

  // The tracking link: a copy button, shown only where the clipboard API exists.
  function copyButtons() {
    document.querySelectorAll(".copy-button").forEach(function (button) {
      if (!navigator.clipboard) return;
      button.hidden = false;
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copyTarget);
        navigator.clipboard.writeText(source.value).then(function () {
          var status = document.getElementById("copy-status");
          if (status) status.textContent = button.dataset.copiedLabel;
        });
      });
    });
  }

  // Inline validation fills an error slot; mark its field invalid (or valid again) to match.
  document.addEventListener("htmx:afterSwap", function (event) {
    var slot = event.detail.target;
    if (!slot.classList || !slot.classList.contains("field-error")) return;
    var group = slot.closest(".inline-validated");
    var invalid = slot.textContent.trim() !== "";
    group.querySelectorAll("input:not([type=hidden]), select, textarea").forEach(function (input) {
      input.classList.toggle("is-invalid", invalid);
      if (invalid) input.setAttribute("aria-invalid", "true");
      else input.removeAttribute("aria-invalid");
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    focusErrorSummary();
    guardSubmit();
    counters();
    copyButtons();
  });
})();
