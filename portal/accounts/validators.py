"""Validation of uploaded profile photos, and of the names people type about themselves."""

import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

from . import names

ALLOWED_PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


class PictureRefused(Exception):
    """Why a picture was refused: ``too_many_pixels`` (with its size when known) or
    ``unreadable``."""

    def __init__(self, reason: str, width: int = 0, height: int = 0):
        super().__init__(reason)
        self.reason, self.width, self.height = reason, width, height


def picture_read(upload) -> str:
    """Check that ``upload`` is a whole picture of modest size and return Pillow's format name.

    The pixel count is read from the header before any decoding, so a decompression bomb is
    refused without being expanded in memory. The file position is left where it was.
    """
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > settings.PORTAL_PHOTO_MAX_PIXELS:
                    raise PictureRefused("too_many_pixels", width, height)
                image.verify()
                return image.format
    except PictureRefused:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise PictureRefused("too_many_pixels") from exc
    except Exception as exc:  # Pillow raises many kinds of error for a broken file.
        raise PictureRefused("unreadable") from exc
    finally:
        if hasattr(upload, "seek"):
            upload.seek(position)


def validate_photo(upload) -> None:
    """Reject anything that is not a modest JPEG, PNG or WebP picture."""
    max_bytes = settings.PORTAL_PHOTO_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            _("The photo is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    try:
        kind = picture_read(upload)
    except PictureRefused as refused:
        if refused.reason == "unreadable":
            raise ValidationError(
                _("The file is not a picture we can read. Upload a JPEG, PNG or WebP picture."),
                code="not_an_image",
            ) from refused
        if refused.width:
            message = _("The photo has too many pixels (%(w)d×%(h)d).") % {
                "w": refused.width,
                "h": refused.height,
            }
        else:
            message = _("The photo has too many pixels.")
        raise ValidationError(message, code="too_many_pixels") from refused
    if kind not in ALLOWED_PHOTO_FORMATS:
        raise ValidationError(_("Upload a JPEG, PNG or WebP picture."), code="bad_format")


# -- names and organisations -----------------------------------------------------------------
# The rule itself lives in portal/accounts/names.py; these names stay because the User model
# and its migrations refer to them.


def validate_printable_text(value: str) -> None:
    """Refuse text holding invisible, control or direction characters (see names.py)."""
    names.validate_text(value)


def validate_real_name(value: str) -> None:
    """A real name: a letter, and no invisible, control or direction characters."""
    names.validate_name(value)


def tidy_whitespace(value: str) -> str:
    """``value`` in NFC with runs of whitespace made one space, and none at either end."""
    return names.normalise(value)
