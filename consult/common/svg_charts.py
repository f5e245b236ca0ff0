"""A tiny server-side SVG bar chart: no JavaScript, no CDN, prints sharply, passes a strict CSP.

Colours are SVG presentation attributes (not `style=""`), labels and values are real text, and
the chart carries a <title> so screen readers announce it.
"""

from html import escape

ROW_HEIGHT = 26
LABEL_WIDTH = 180
BAR_AREA = 200
VALUE_WIDTH = 40
BAR_COLOUR = "#0066cc"  # 5.6:1 on white
TEXT_COLOUR = "#17324d"


def bar_chart(items: list[tuple[str, int]], title: str) -> str:
    """Horizontal bars, one per (label, value); the caller marks the string safe."""
    width = LABEL_WIDTH + BAR_AREA + VALUE_WIDTH
    height = ROW_HEIGHT * max(len(items), 1) + 8
    largest = max((value for _label, value in items), default=0)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (label, value) in enumerate(items):
        parts.append(_bar(index, label, value, largest))
    parts.append("</svg>")
    return "".join(parts)


def _bar(index: int, label: str, value: int, largest: int) -> str:
    top = 4 + index * ROW_HEIGHT
    middle = top + ROW_HEIGHT / 2 + 4
    length = round(BAR_AREA * value / largest) if largest else 0
    short = label if len(label) <= 30 else label[:29] + "…"
    return (
        f'<g><text x="{LABEL_WIDTH - 6}" y="{middle}" text-anchor="end" font-size="12" '
        f'fill="{TEXT_COLOUR}">{escape(short)}</text>'
        f'<rect x="{LABEL_WIDTH}" y="{top + 4}" width="{length}" height="{ROW_HEIGHT - 8}" '
        f'fill="{BAR_COLOUR}"><title>{escape(label)}: {value}</title></rect>'
        f'<text x="{LABEL_WIDTH + length + 6}" y="{middle}" font-size="12" '
        f'fill="{TEXT_COLOUR}">{value}</text></g>'
    )
