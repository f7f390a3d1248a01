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


# A Ming/Song (serif) face for what must look printed by an authority: a certificate's title and
# the holder's name. AR PL UMing (Debian's fonts-arphic-uming) is a TrueType collection whose
# first face is the simplified-Chinese "AR PL UMing CN"; AR PL SungtiL GB
# (fonts-arphic-gbsn00lp) is the older GB-only alternative.
SERIF_CANDIDATES = (
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", 0),
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


@functools.cache
def cjk_serif_font_path() -> tuple[Path, int] | None:
    """The serif CJK face as (file, face index in a collection): the configured
    ``PORTAL_CJK_SERIF_FONT`` (index 0), else the first installed candidate, else None."""
    configured = getattr(settings, "PORTAL_CJK_SERIF_FONT", "")
    for candidate, index in ([(configured, 0)] if configured else []) + list(SERIF_CANDIDATES):
        path = Path(candidate)
        if path.is_file():
            return path, index
    return None


_register_lock = threading.Lock()


def reportlab_cjk_font(name: str, *, document: str, ascii_first: bool = True) -> str:
    """Register the CJK font with ReportLab under ``name``, once per process, and return it.

    Each kind of ``document`` registers its own name, so its font object (which ReportLab does
    not let two documents use at once) is not shared with another kind of PDF. With
    ``ascii_first`` (ReportLab's default) every document's first subset carries the printable
    ASCII glyphs, used or not; a font for a few characters is much smaller without.
    """

    path = cjk_font_path()
    if path is None:
        raise RuntimeError(
            f"No CJK TrueType font found for the {document}. Install fonts-wqy-microhei "
            "(/usr/share/fonts/truetype/wqy/wqy-microhei.ttc) or set PORTAL_CJK_FONT."
        )
    return _register(name, path, 0, ascii_first)


def reportlab_cjk_serif_font(name: str, *, document: str, ascii_first: bool = True) -> str:
    """Like ``reportlab_cjk_font``, with the serif (Ming/Song) face; no silent fallback to the
    sans-serif face: a missing font is an error that names the package to install."""
    found = cjk_serif_font_path()
    if found is None:
        raise RuntimeError(
            f"No serif CJK TrueType font found for the {document}. Install fonts-arphic-uming "
            "(/usr/share/fonts/truetype/arphic/uming.ttc) or set PORTAL_CJK_SERIF_FONT."
        )
    path, index = found
    return _register(name, path, index, ascii_first)


def font_has_glyph(name: str, char: str) -> bool:
    """Whether the registered ReportLab font ``name`` draws ``char`` (rather than a blank box)."""
    from reportlab.pdfbase import pdfmetrics

    return ord(char) in pdfmetrics.getFont(name).face.charToGlyph


def _register(name: str, path: Path, index: int, ascii_first: bool) -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    with _register_lock:
        if name not in pdfmetrics.getRegisteredFontNames():
            font = TTFont(name, str(path), subfontIndex=index, asciiReadable=ascii_first)
            # ReportLab hands every name registered for one face the first name's font object;
            # a face name of its own keeps this registration a separate object.
            font.face.name = font.face.name + b"-" + name.encode("ascii")
            pdfmetrics.registerFont(font)
    return name
