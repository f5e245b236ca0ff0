// consult: progressive enhancement only; every page works without JavaScript.
(function () {
  "use strict";
  // htmx answers validation errors with 422 and a fragment: swap it in instead of ignoring it.
  document.addEventListener("htmx:beforeSwap", function (event) {
    if (event.detail.xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
  // A form sent by htmx that fails otherwise (a 429, a 503, no network) keeps what was typed
  // and says so in its own words (data-error-message), in the form's alert line.
  function sayNotSent(event) {
    var form = event.detail.elt && event.detail.elt.closest("form[data-error-message]");
    var line = form && form.querySelector(".live-send-error");
    if (!line) return;
    line.textContent = form.getAttribute("data-error-message");
    line.hidden = false;
  }
  document.addEventListener("htmx:responseError", sayNotSent);
  document.addEventListener("htmx:sendError", sayNotSent);
})();
