// Text boxes drawn over one another inside <main>: labels, headings, fields, buttons, alerts and
// links whose boxes intersect by more than 2 px on both axes. A box is what is painted: the
// border box of a field, a button or anything with a background or border, else the glyph boxes
// of its text (a floating label's box is taller than its text). An element and its own
// ancestors or descendants never count, nor a label and the control it names (Bootstrap Italia
// draws radios and checkboxes under their label), nor boxes clipped away by a scrolling parent.
// Returns [{a, b, dx, dy}] with a short description of each element.
() => {
  const SELECTOR =
    "label, legend, h1, h2, h3, h4, h5, h6, input:not([type=hidden]), select, textarea, " +
    "button, .alert, [role=alert], a";
  const root = document.querySelector("main") || document.body;
  const describe = (e) => {
    const text = (e.innerText || e.value || e.getAttribute("aria-label") || "").trim();
    return `${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""} "${text.slice(0, 40)}"`;
  };
  const clip = (e, rect) => {
    // intersect with every ancestor that clips its overflow (tables in a scrolling box)
    let r = { left: rect.left, top: rect.top, right: rect.right, bottom: rect.bottom };
    for (let p = e.parentElement; p && p !== document.documentElement; p = p.parentElement) {
      const style = getComputedStyle(p);
      if (style.overflowX !== "visible" || style.overflowY !== "visible") {
        const box = p.getBoundingClientRect();
        r = {
          left: Math.max(r.left, box.left),
          top: Math.max(r.top, box.top),
          right: Math.min(r.right, box.right),
          bottom: Math.min(r.bottom, box.bottom),
        };
      }
    }
    return r;
  };
  const visible = (e) => {
    const style = getComputedStyle(e);
    if (style.visibility === "hidden" || Number(style.opacity) === 0) return false;
    if (e.closest("[hidden], [aria-hidden=true], .visually-hidden, .sr-only")) return false;
    const details = e.closest("details:not([open])"); // its content is not drawn
    if (details && !e.closest("summary")) return false;
    return true;
  };
  const painted = (e) => {
    if (e.matches("input, select, textarea, button")) return true;
    const style = getComputedStyle(e);
    const alpha = (style.backgroundColor.match(/[\d.]+/g) || []).map(Number)[3];
    if (style.backgroundColor !== "rgba(0, 0, 0, 0)" && alpha !== 0) return true;
    return ["Top", "Right", "Bottom", "Left"].some(
      (side) => parseFloat(style[`border${side}Width`]) > 0 && style[`border${side}Style`] !== "none"
    );
  };
  const textRects = (e) => {
    const rects = [];
    const walker = document.createTreeWalker(e, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim() || !visible(node.parentElement)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      rects.push(...range.getClientRects());
    }
    return rects;
  };
  const boxes = [];
  for (const e of root.querySelectorAll(SELECTOR)) {
    if (!visible(e)) continue;
    const rects = (painted(e) ? [...e.getClientRects()] : textRects(e))
      .map((rect) => clip(e, rect))
      .filter((r) => r.right - r.left > 2 && r.bottom - r.top > 2);
    if (rects.length) boxes.push({ e, rects });
  }
  const paired = (a, b) => {
    const labels = (x) => [...(x.labels || [])];
    if (labels(b).includes(a) || labels(a).includes(b)) return true;
    if (a.tagName === "LABEL" && a.control === b) return true;
    if (b.tagName === "LABEL" && b.control === a) return true;
    return false;
  };
  const found = [];
  for (let i = 0; i < boxes.length; i++) {
    for (let j = i + 1; j < boxes.length; j++) {
      const a = boxes[i].e;
      const b = boxes[j].e;
      if (a.contains(b) || b.contains(a) || paired(a, b)) continue;
      for (const ra of boxes[i].rects) {
        for (const rb of boxes[j].rects) {
          const dx = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
          const dy = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
          if (dx > 2 && dy > 2) {
            found.push({ a: describe(a), b: describe(b), dx: Math.round(dx), dy: Math.round(dy) });
          }
        }
      }
    }
  }
  return found;
}
