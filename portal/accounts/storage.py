"""Where private files live: certificates, photos, evidence, reports.

They are kept in the storage named ``"private"`` in ``settings.STORAGES`` (on the file system,
``PRIVATE_MEDIA_ROOT``, a folder apart from ``MEDIA_ROOT``), which no URL serves: the portal's
views check who asks, then stream the file. ``MEDIA_ROOT`` holds only what anyone may see
(the CMS's pictures).
"""

import os
import uuid

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.utils.functional import cached_property

PRIVATE_URL = "/private-files/"


def private_storage():
    """The private storage; model fields take this callable (``storage=private_storage``), so
    their migrations do not depend on the settings."""
    return storages["private"]


def unguessable_name(folder: str, extension: str) -> str:
    """A name in ``folder`` nobody can derive from a number, a person or the time."""
    return f"{folder.rstrip('/')}/{uuid.uuid4().hex}.{extension.lstrip('.')}"


class PrivateFileSystemStorage(FileSystemStorage):
    """Files on disk under ``PRIVATE_MEDIA_ROOT``. They have no public address: ``url()`` points
    under ``/private-files/``, where the portal answers only a person's own profile photo (for
    the profile form) and 404 for everything else; never under ``/media/``."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    @cached_property
    def location(self):
        return os.path.abspath(self.base_location)

    @cached_property
    def base_url(self):
        return self._value_or_setting(self._base_url, PRIVATE_URL)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)
