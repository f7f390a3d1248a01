"""QR codes as inline SVG, made on the server (no script, nothing fetched by the browser)."""

import zxingcpp
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

QUIET = 4  # modules of white margin a scanner needs


def qr_matrix(text: str) -> list[list[bool]]:
    """The QR modules of ``text`` (error correction M), dark = True, without the margin."""
    code = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M")
    image = code.to_image(scale=1, add_quiet_zones=False)
    size = image.shape[1]
    pixels = bytes(image)  # one byte per module, row by row: 0 dark, 255 light
    return [[not v for v in pixels[row : row + size]] for row in range(0, len(pixels), size)]


def qr_svg(text: str, *, label: str = "") -> SafeString:
    """An SVG of the QR code of ``text`` that scales to its container: one path, runs of dark
    modules as horizontal bars."""
    matrix = qr_matrix(text)
    size = len(matrix) + 2 * QUIET
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                parts.append(f"M{start + QUIET} {y + QUIET}h{x - start}v1h-{x - start}z")
            else:
                x += 1
    return mark_safe(  # noqa: S308 - numbers we made, and an escaped label
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'shape-rendering="crispEdges" role="img" aria-label="{escape(label)}">'
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(parts)}"/></svg>'
    )
