// consult moderation queue: keyboard shortcuts, and no refresh while the moderator is busy.
//   j / k  next / previous proposal      a  approve        r  reject (type reason, Enter)
//   h      highlight on the projector    d  discussed      e  correct the text
//   m      merge with a duplicate        x  select for bulk actions
(function () {
  "use strict";

  function items() { return Array.prototype.slice.call(document.querySelectorAll(".queue-item")); }
  function current() { return document.activeElement && document.activeElement.closest(".queue-item"); }

  function move(step) {
    var list = items();
    if (!list.length) { return; }
    var index = list.indexOf(current());
    var next = list[Math.max(0, Math.min(list.length - 1, index + step))] || list[0];
    next.focus();
    next.scrollIntoView({ block: "nearest" });
  }

  function typing(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" ||
      target.tagName === "SELECT" || target.isContentEditable);
  }

  var actions = {
    a: function (item) { click(item, "[data-key=a]"); },
    h: function (item) { click(item, "[data-key=h]"); },
    d: function (item) { click(item, "[data-key=d]"); },
    m: function (item) { click(item, "[data-key=m]"); },
    r: function (item) { var input = item.querySelector("[data-key=r]"); if (input) { input.focus(); } },
    e: function (item) {
      var details = item.querySelector(".queue-correct");
      if (details) { details.open = true; details.querySelector("textarea").focus(); }
    },
    x: function (item) { var box = item.querySelector(".queue-select"); if (box) { box.click(); } }
  };

  function click(item, selector) {
    var element = item.querySelector(selector);
    if (element) { element.click(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    if (event.key === "j") { move(1); event.preventDefault(); return; }
    if (event.key === "k") { move(-1); event.preventDefault(); return; }
    var item = current();
    if (item && actions[event.key]) { actions[event.key](item); event.preventDefault(); }
  });

  // After an htmx swap of one item, keep the focus on the list so j/k keep working.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.classList && target.classList.contains("queue-item")) { target.focus(); }
  });

  // Do not refresh the queue under the moderator's hands: selections or a half-typed reason.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (!event.detail.elt || event.detail.elt.id !== "queue") { return; }
    var queue = event.detail.elt;
    var busy = queue.querySelector(".queue-select:checked") ||
      (queue.contains(document.activeElement) && typing(document.activeElement)) ||
      queue.querySelector(".queue-correct[open]");
    if (busy) { event.preventDefault(); }
  });
})();
