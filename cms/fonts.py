"""Where to find a CJK TrueType font that ReportLab can embed and Pillow can draw with."""

import functools
import threading
from pathlib import Path

from django.conf import settings

# ReportLab embeds TrueType outlines only; WenQuanYi Micro Hei (Debian's fonts-wqy-microhei)
# qualifies, the CFF-based Noto CJK fonts do not.
CANDIDATES = (
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/wqy-microhei/wqy-microhei.ttc",
)


@functools.cache
def cjk_font_path() -> Path | None:
    """The configured ``PORTAL_CJK_FONT``, else the first installed candidate, else None."""
    configured = getattr(settings, "PORTAL_CJK_FONT", "")
    for candidate in ([configured] if configured else []) + list(CANDIDATES):
        path = Path(candidate)
        if path.is_file():
            return path
    return None


_register_lock = threading.Lock()


def reportlab_cjk_font(name: str, *, document: str, ascii_first: bool = True) -> str:
    """Register the CJK font with ReportLab under ``name``, once per process, and return it.

    Each kind of ``document`` registers its own name, so its font object (which ReportLab does
    not let two documents use at once) is not shared with another kind of PDF. With
    ``ascii_first`` (ReportLab's default) every document's first subset carries the printable
    ASCII glyphs, used or not; a font for a few characters is much smaller without.
    """
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path = cjk_font_path()
    if path is None:
        raise RuntimeError(
            f"No CJK TrueType font found for the {document}. Install fonts-wqy-microhei "
            "(/usr/share/fonts/truetype/wqy/wqy-microhei.ttc) or set PORTAL_CJK_FONT."
        )
    with _register_lock:
        if name not in pdfmetrics.getRegisteredFontNames():
            font = TTFont(name, str(path), subfontIndex=0, asciiReadable=ascii_first)
            # ReportLab hands every name registered for one face the first name's font object;
            # a face name of its own keeps this registration a separate object.
            font.face.name = font.face.name + b"-" + name.encode("ascii")
            pdfmetrics.registerFont(font)
    return name
