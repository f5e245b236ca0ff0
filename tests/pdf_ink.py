"""Clipped text in a PDF: characters the PDF holds but the rendered page does not show.

PDFium (pypdfium2) renders each page and lists every character with its box; a character whose
box has no painted pixel was clipped away (an SVG's edge, an `overflow: hidden` box) or drawn
off the page, which is what a reader of the printed report would miss.
"""

import pypdfium2 as pdfium

SCALE = 3  # pixels per point: small glyphs still cover whole pixels
INK = 200  # a grey level below this is painted (the page is white, 255)


def unpainted_characters(pdf: bytes) -> list[tuple[int, str, tuple[float, ...]]]:
    """(page number, character, box) of every visible-by-text but unpainted character."""
    document = pdfium.PdfDocument(pdf)
    found = []
    for number, page in enumerate(document, 1):
        height = page.get_height()
        image = page.render(scale=SCALE, grayscale=True).to_pil()
        pixels = image.load()
        text = page.get_textpage()
        for index in range(text.count_chars()):
            char = text.get_text_range(index, 1)
            if not char.strip():
                continue
            left, bottom, right, top = text.get_charbox(index)
            x0, x1 = max(int(left * SCALE), 0), min(int(right * SCALE) + 1, image.width)
            y0 = max(int((height - top) * SCALE), 0)
            y1 = min(int((height - bottom) * SCALE) + 1, image.height)
            cells = ((x, y) for x in range(x0, x1) for y in range(y0, y1))
            if not any(pixels[cell] < INK for cell in cells):
                found.append((number, char, (left, bottom, right, top)))
    return found
