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
})();
