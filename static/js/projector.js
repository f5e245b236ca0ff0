// consult projector: Server-Sent Events push new approvals (htmx SSE extension reconnects by
// itself); the 5-second polling of the same fragment runs only while SSE is not connected.
(function () {
  "use strict";
  var sseOpen = false;
  document.addEventListener("htmx:sseOpen", function () { sseOpen = true; });
  document.addEventListener("htmx:sseError", function () { sseOpen = false; });
  document.addEventListener("htmx:sseClose", function () { sseOpen = false; });
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (sseOpen && event.detail.elt && event.detail.elt.id === "projector-content") {
      event.preventDefault();
    }
  });
})();
