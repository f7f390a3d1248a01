"""Serving files from the two storages.

``public_media`` answers ``/media/<path>`` in every mode (``make run`` and ``make serve``) when
no web server in front does it (``SERVE_MEDIA``): only the CMS's pictures (Wagtail originals and
renditions), only from the public storage, with their content type, validators (ETag,
Last-Modified) and a day's cache. Documents are not served here: Wagtail's own view serves them
after checking their collection's privacy. Private files (certificates, photos, evidence,
reports) are not under ``MEDIA_ROOT`` at all.

``own_photo`` answers the address the private storage gives a file (``/private-files/…``) for
one file only: the signed-in person's own profile photo. Everything else there is 404.
"""

import hashlib
import mimetypes
import posixpath
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseNotModified
from django.utils.http import http_date, parse_http_date_safe
from django.views.decorators.http import require_safe

# Folders of the public storage anyone may read: Wagtail's original images and renditions.
PUBLIC_FOLDERS = ("original_images/", "images/")
CONTENT_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".avif": "image/avif",
}
MAX_AGE = 24 * 60 * 60


def _refused():
    return Http404("No such file.")


@require_safe
def public_media(request, path: str):
    name = posixpath.normpath(path).lstrip("/")
    if (
        name != path
        or name.startswith(".")
        or "\\" in name
        or "\x00" in name
        or not name.startswith(PUBLIC_FOLDERS)
        or any(part.startswith(".") for part in name.split("/"))
    ):
        raise _refused()
    content_type = CONTENT_TYPES.get(Path(name).suffix.lower())
    if content_type is None:
        raise _refused()
    root = Path(settings.MEDIA_ROOT).resolve()
    full = (root / name).resolve()
    if not full.is_relative_to(root) or not full.is_file():
        raise _refused()
    stat = full.stat()
    digest = hashlib.sha256(f"{name}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()
    etag = f'"{digest[:32]}"'
    modified = int(stat.st_mtime)
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    if request.headers.get("If-None-Match") == etag or (
        "If-None-Match" not in request.headers and since is not None and since >= modified
    ):
        response = HttpResponseNotModified()
    else:
        response = FileResponse(full.open("rb"), content_type=content_type)
        response["Content-Length"] = str(stat.st_size)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified)
    response["Cache-Control"] = f"public, max-age={MAX_AGE}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


@require_safe
@login_required
def own_photo(request, name: str):
    photo = request.user.photo
    if not photo or photo.name != name:
        raise _refused()
    content_type = mimetypes.guess_type(photo.name)[0]
    if content_type not in ("image/jpeg", "image/png", "image/webp"):
        raise _refused()
    response = FileResponse(photo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
