"""Where to find a CJK TrueType font that ReportLab can embed and Pillow can draw with."""

import functools
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
