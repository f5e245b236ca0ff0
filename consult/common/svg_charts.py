"""A tiny server-side SVG bar chart: no JavaScript, no CDN, prints sharply, passes a strict CSP.

Colours are SVG presentation attributes (not `style=""`), labels and values are real text, and
the chart carries a <title> so screen readers announce it. The label and value columns are as
wide as their longest text (estimated generously, see `text_width`), because SVG clips whatever
runs past its box: a fixed column once printed "peratrice o operatore sociale" in the report.
"""

from collections.abc import Callable
from html import escape

ROW_HEIGHT = 26
FONT_SIZE = 12
GAP = 6  # between a label and its bar, a bar and its value
MIN_LABEL_WIDTH = 60
MAX_LABEL_WIDTH = 260  # longer labels end in "…" (the whole label stays in the bar's title)
BAR_AREA = 200
BAR_COLOUR = "#0066cc"  # 5.6:1 on white
TEXT_COLOUR = "#17324d"

# Advance widths in em, each class's widest glyph in DejaVu Sans (what WeasyPrint draws SVG text
# with here, and wider than the pages' Titillium Web), so the estimate never falls short.
_NARROW = frozenset("fijlI.,;:'| ")  # 0.35 em at most
_WIDE = frozenset("mwMW@%&\u2014\u2026")  # m, w, @, em dash, ellipsis: 1 em at most


def text_width(text: str, size: float = FONT_SIZE) -> float:
    """An upper bound of the width of `text` at `size` px in the usual sans-serif fonts."""
    em = 0.0
    for char in text:
        if char in _NARROW:
            em += 0.36
        elif char in _WIDE:
            em += 1.0
        elif char.isupper():
            em += 0.79
        elif char.isalnum():
            em += 0.64  # lower-case letters and digits
        else:
            em += 0.84  # other signs (#, +, =, €...)
    return em * size


def bar_chart(items: list[tuple[str, int]], title: str, number: Callable[[int], str] = str) -> str:
    """Horizontal bars, one per (label, value), values written by `number` (the page's
    locale); the caller marks the string safe."""
    labels = [_fit(label) for label, _value in items]
    values = [number(value) for _label, value in items]
    label_width = round(max([MIN_LABEL_WIDTH] + [text_width(label) + GAP for label in labels]))
    value_width = round(max([0.0] + [text_width(value) for value in values]) + 2 * GAP)
    width = label_width + BAR_AREA + value_width
    height = ROW_HEIGHT * max(len(items), 1) + 8
    largest = max((value for _label, value in items), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, ((label, value), short, written) in enumerate(
        zip(items, labels, values, strict=True)
    ):
        length = round(BAR_AREA * value / largest) if largest else 0
        parts.append(_bar(index, label, short, written, length, label_width))
    parts.append("</svg>")
    return "".join(parts)


def _fit(label: str) -> str:
    """The label, cut with "…" where it would pass MAX_LABEL_WIDTH."""
    if text_width(label) + GAP <= MAX_LABEL_WIDTH:
        return label
    while label and text_width(label + "…") + GAP > MAX_LABEL_WIDTH:
        label = label[:-1]
    return label.rstrip() + "…"


def _bar(index: int, label: str, short: str, written: str, length: int, label_width: int) -> str:
    top = 4 + index * ROW_HEIGHT
    middle = top + ROW_HEIGHT / 2 + 4
    return (
        f'<g><text x="{label_width - GAP}" y="{middle}" text-anchor="end" '
        f'font-size="{FONT_SIZE}" fill="{TEXT_COLOUR}">{escape(short)}</text>'
        f'<rect x="{label_width}" y="{top + 4}" width="{length}" height="{ROW_HEIGHT - 8}" '
        f'fill="{BAR_COLOUR}"><title>{escape(label)}: {escape(written)}</title></rect>'
        f'<text x="{label_width + length + GAP}" y="{middle}" font-size="{FONT_SIZE}" '
        f'fill="{TEXT_COLOUR}">{escape(written)}</text></g>'
    )
