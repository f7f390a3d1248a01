"""Validation of uploaded profile photos."""

import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image

ALLOWED_PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


def validate_photo(upload) -> None:
    """Reject anything that is not a modest JPEG, PNG or WebP picture.

    The pixel count is read from the header before any decoding, so a decompression bomb is
    refused without being expanded in memory.
    """
    max_bytes = settings.PORTAL_PHOTO_MAX_BYTES
    if upload.size > max_bytes:
        raise ValidationError(
            _("The photo is too large (%(size)s). The limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="too_large",
        )
    position = upload.tell() if hasattr(upload, "tell") else 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
                if width * height > settings.PORTAL_PHOTO_MAX_PIXELS:
                    raise ValidationError(
                        _("The photo has too many pixels (%(w)d×%(h)d).")
                        % {"w": width, "h": height},
                        code="too_many_pixels",
                    )
                if image.format not in ALLOWED_PHOTO_FORMATS:
                    raise ValidationError(
                        _("Upload a JPEG, PNG or WebP picture."), code="bad_format"
                    )
                image.verify()
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ValidationError(_("The photo has too many pixels."), code="too_many_pixels") from exc
    except Exception as exc:  # Pillow raises many kinds of error for a broken file.
        raise ValidationError(
            _("The file is not a picture we can read. Upload a JPEG, PNG or WebP picture."),
            code="not_an_image",
        ) from exc
    finally:
        if hasattr(upload, "seek"):
            upload.seek(position)
