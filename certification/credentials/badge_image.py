"""The badge picture of a level (a PNG), and the same picture with a credential baked in.

A level's badge is drawn, not uploaded: a round seal-red medal whose rim and stars say the rank
(one to three stars), the level's name in the middle. The credential's and the achievement's
``image`` point at it, so wallets and displays show a picture.

Baking follows the Open Badges 3.0 baking rules for PNG: one ``iTXt`` chunk with the keyword
``openbadgecredential``, no compression, no language tag, holding the signed credential's JSON.
Whoever is given the file can extract and verify the credential without asking the portal.
"""

import functools
import io
import json
import math

from PIL import Image, ImageDraw, ImageFont, PngImagePlugin

from cms.fonts import cjk_font_path

SIZE = 512
BAKED_KEYWORD = "openbadgecredential"
COLOURS = {1: (176, 32, 32), 2: (160, 110, 20), 3: (120, 20, 60)}


def _font(size: int):
    path = cjk_font_path()
    if path is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(str(path), size=size)


def _star(draw: ImageDraw.ImageDraw, centre: tuple[float, float], radius: float, fill) -> None:
    points = []
    for i in range(10):
        angle = -math.pi / 2 + i * math.pi / 5
        r = radius if i % 2 == 0 else radius * 0.382
        points.append((centre[0] + r * math.cos(angle), centre[1] + r * math.sin(angle)))
    draw.polygon(points, fill=fill)


def _fitted(draw, text: str, width: int, start: int):
    size = start
    while size > 12:
        font = _font(size)
        if draw.textlength(text, font=font) <= width:
            return font
        size -= 2
    return _font(12)


@functools.lru_cache(maxsize=32)
def level_badge_png(name: str, name_en: str, rank: int) -> bytes:
    """The level's badge as PNG bytes; the same level always gives the same bytes."""
    rank = max(1, min(int(rank or 1), 3))
    colour = COLOURS[rank]
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((8, 8, SIZE - 8, SIZE - 8), fill=colour)
    draw.ellipse((34, 34, SIZE - 34, SIZE - 34), outline=(255, 236, 200), width=6)
    gold = (255, 214, 102)
    spacing = 70
    first = SIZE / 2 - spacing * (rank - 1) / 2
    for i in range(rank):
        _star(draw, (first + i * spacing, 140), 30, gold)
    white = (255, 255, 255)
    font = _fitted(draw, name, SIZE - 140, 64)
    draw.text((SIZE / 2, SIZE / 2 + 20), name, font=font, fill=white, anchor="mm")
    if name_en:
        small = _fitted(draw, name_en, SIZE - 170, 26)
        draw.text((SIZE / 2, SIZE / 2 + 90), name_en, font=small, fill=gold, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def baked_png(png: bytes, credential: dict) -> bytes:
    """``png`` with ``credential`` baked in as OB 3.0 says (one uncompressed iTXt chunk)."""
    image = Image.open(io.BytesIO(png))
    info = PngImagePlugin.PngInfo()
    text = json.dumps(credential, ensure_ascii=False, separators=(",", ":"))
    info.add_itxt(BAKED_KEYWORD, text, lang="", tkey="", zip=False)
    out = io.BytesIO()
    image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def unbaked_credential(png: bytes) -> dict | None:
    """The credential baked into ``png``, or None (the way a verifier reads it back)."""
    image = Image.open(io.BytesIO(png))
    image.load()
    text = image.text.get(BAKED_KEYWORD) if hasattr(image, "text") else None
    return json.loads(text) if text else None
