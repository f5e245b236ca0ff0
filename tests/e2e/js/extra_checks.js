// Checks axe-core leaves "incomplete": contrast of text whose background axe could not
// determine because a flex sibling overlaps it (badges), and duplicate ids (WCAG 4.1.1, and
// labels pointing at the wrong field). Returns violations in axe's shape.
(targets) => {
  const rgba = (text) => (text.match(/[\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (v) => {
      v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const style = getComputedStyle(e);
      if (style.backgroundImage !== "none") return null;
      const colour = rgba(style.backgroundColor);
      if (colour.length === 3 || colour[3] === 1) return colour;
      if (colour[3] > 0) return null; // translucent: cannot tell
    }
    return [255, 255, 255];
  };
  const violations = [];
  const lowContrast = [];
  for (const selector of targets) {
    const element = document.querySelector(selector);
    if (!element || element instanceof SVGElement) continue;
    const style = getComputedStyle(element);
    const back = background(element);
    if (!back) continue;
    const [fg, bg] = [luminance(rgba(style.color)), luminance(back)];
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && parseInt(style.fontWeight, 10) >= 700);
    if (ratio < (large ? 3 : 4.5)) lowContrast.push([selector + " " + ratio.toFixed(2)]);
  }
  if (lowContrast.length) {
    violations.push({ id: "color-contrast", impact: "serious", nodes: lowContrast.slice(0, 5) });
  }
  const counts = {};
  document.querySelectorAll("[id]").forEach((e) => { counts[e.id] = (counts[e.id] || 0) + 1; });
  const duplicated = Object.keys(counts).filter((id) => counts[id] > 1);
  if (duplicated.length) {
    violations.push({
      id: "duplicate-id", impact: "serious", nodes: duplicated.slice(0, 5).map((id) => ["#" + id]),
    });
  }
  return violations;
}
