"""Pictures stored without what the camera wrote about them.

A phone's JPEG carries EXIF: where it was taken (GPS), when, the device and its serial number.
Every picture the portal stores (profile photos, evidence, the CMS's images, the holder's photo
on a certificate) goes through ``image_cleaned`` first: it is decoded, turned upright by its EXIF
orientation, and encoded again in its own format with no metadata but its colour (ICC) profile.
Any layer may import this module.
"""

import io
import warnings

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

# Formats re-encoded here, and the extension each is stored under.
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
JPEG_QUALITY = 92

# JPEG segments that hold metadata rather than the picture: APP1 (EXIF, XMP), APP3 to APP13
# (among them IPTC and Photoshop's), APP15 and comments. Kept: APP0 (JFIF), APP2 (ICC profile),
# APP14 (Adobe's colour transform, needed to decode CMYK right).
_JPEG_DROPPED = {0xE1, *range(0xE3, 0xEE), 0xEF, 0xFE}


class ImageNotCleaned(ValueError):
    """The bytes are not a JPEG, PNG or WebP picture this module can re-encode."""


def image_cleaned(data: bytes) -> tuple[bytes, str]:
    """``data`` re-encoded upright and without metadata; returns the bytes and Pillow's format
    name (``JPEG``, ``PNG`` or ``WEBP``). Raises ImageNotCleaned for anything else."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as source:
                kind = source.format
                if kind not in EXTENSIONS:
                    raise ImageNotCleaned(kind or "unknown")
                if getattr(source, "n_frames", 1) > 1:
                    source.seek(0)  # an animated WebP keeps its first frame only
                icc = source.info.get("icc_profile")
                upright = ImageOps.exif_transpose(source)
                # Nothing of the source's info (EXIF, XMP, text chunks) follows the copy.
                image = upright.copy()
                image.info = {k: v for k, v in upright.info.items() if k == "transparency"}
                return _encoded(image, kind, icc), kind
    except ImageNotCleaned:
        raise
    except Exception as error:  # Pillow raises many kinds of error for a broken file.
        raise ImageNotCleaned(str(error)) from error


def _encoded(image: Image.Image, kind: str, icc: bytes | None) -> bytes:
    out = io.BytesIO()
    options = {"icc_profile": icc} if icc else {}
    if kind == "JPEG":
        if image.mode not in ("RGB", "L", "CMYK"):
            image = image.convert("RGB")
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, **options)
    elif kind == "PNG":
        image.save(out, "PNG", optimize=True, **options)
    else:
        image.save(out, "WEBP", quality=JPEG_QUALITY, **options)
    return out.getvalue()


def upload_cleaned(upload, stem: str = "image") -> ContentFile:
    """An uploaded picture as a new file, cleaned, named ``<stem>.<its real extension>``."""
    upload.seek(0)
    data, kind = image_cleaned(upload.read())
    upload.seek(0)
    return ContentFile(data, name=f"{stem}.{EXTENSIONS[kind]}")


def jpeg_without_metadata(data: bytes) -> bytes:
    """A JPEG's bytes without its metadata segments, the picture itself untouched (no
    re-encoding). Returns ``data`` as it is if it is not a JPEG this can walk."""
    if not data.startswith(b"\xff\xd8"):
        return data
    out, position = bytearray(b"\xff\xd8"), 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return data
        marker = data[position + 1]
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xDA:  # start of scan: the rest is the picture
            out += data[position:]
            return bytes(out)
        length = int.from_bytes(data[position + 2 : position + 4], "big")
        end = position + 2 + length
        if length < 2 or end > len(data):
            return data
        if marker not in _JPEG_DROPPED:
            out += data[position:end]
        position = end
    return data
