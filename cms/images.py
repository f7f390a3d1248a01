"""The CMS's pictures are stored without their EXIF.

Wagtail keeps an uploaded original as it came, and Willow copies the original's EXIF into every
rendition (``willow.plugins.pillow``: ``exif=`` on save), so a faculty photo taken with a phone
would publish where it was taken. Before an image is saved with a new file, the file is replaced
by the cleaned one (``portal.accounts.images``: upright, no metadata but the colour profile);
renditions then have nothing to copy. Whatever creates the image (the admin's upload, its
multiple upload, a replaced file, the demo seed, the API) goes through the model's save.
"""

import logging

from django.db.models.signals import pre_save

from portal.accounts.images import ImageNotCleaned, upload_cleaned

logger = logging.getLogger(__name__)


def image_file_cleaned(sender, instance, **kwargs):
    file = instance.file
    if not file or getattr(file, "_committed", True):
        return  # no file, or one already stored (cleaned when it was)
    name = file.name.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "image"
    try:
        cleaned = upload_cleaned(file, name[:80])
    except ImageNotCleaned:
        # A GIF (it has no EXIF) or a format Pillow cannot write back: kept as it is.
        return
    instance.file = cleaned  # the descriptor updates width and height (an upright picture)
    instance.file_size = cleaned.size
    instance.file_hash = ""
    instance._set_file_hash()


def connect():
    from wagtail.images import get_image_model

    pre_save.connect(
        image_file_cleaned, sender=get_image_model(), dispatch_uid="cms.image_file_cleaned"
    )
