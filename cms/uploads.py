"""Checks on the documents editors upload: the bytes must be what the extension says.

Wagtail checks a document's extension only (WAGTAILDOCS_EXTENSIONS) and its size
(WAGTAILDOCS_MAX_UPLOAD_SIZE); a page renamed to ``.pdf`` would pass. These checks read the
file itself. Pictures need none of this: Wagtail reads every uploaded image and refuses one
whose format does not match its extension.
"""

import io
import zipfile

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# An office file or archive that unpacks past this is refused as a zip bomb.
MAX_UNPACKED_BYTES = 500 * 1024 * 1024

OOXML_PARTS = {"docx": "word/", "pptx": "ppt/", "xlsx": "xl/"}
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


def _extension(name: str) -> str:
    return name.rsplit(".", 1)[-1].lower() if "." in name else ""


def _zip(upload, extension: str) -> zipfile.ZipFile:
    upload.seek(0)
    data = upload.read()
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise _mismatch(extension) from error
    if sum(info.file_size for info in infos) > MAX_UNPACKED_BYTES:
        raise ValidationError(
            _("The file unpacks to far more than its size. It cannot be accepted."),
            code="zip_bomb",
        )
    return archive


def _mismatch(extension: str) -> ValidationError:
    return ValidationError(
        _("The file's contents are not a .%(extension)s file. Upload the real file.")
        % {"extension": extension},
        code="content_mismatch",
    )


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    for encoding in ("utf-8", "gb18030"):
        try:
            head.decode(encoding)
        except UnicodeDecodeError as error:
            # A multi-byte character cut at the end of the sample is still text.
            if error.start >= len(head) - 3:
                return True
            continue
        return True
    return False


def document_check(upload) -> None:
    """Refuse a document whose bytes do not match its extension (ValidationError)."""
    extension = _extension(upload.name or "")
    upload.seek(0)
    head = upload.read(4096)
    upload.seek(0)
    if not head:
        raise ValidationError(_("The file is empty."), code="empty")
    try:
        if extension == "pdf":
            if b"%PDF-" not in head[:1024]:
                raise _mismatch(extension)
        elif extension in OOXML_PARTS:
            with _zip(upload, extension) as archive:
                names = archive.namelist()
            part = OOXML_PARTS[extension]
            if "[Content_Types].xml" not in names or not any(n.startswith(part) for n in names):
                raise _mismatch(extension)
        elif extension == "odt":
            with _zip(upload, extension) as archive:
                try:
                    mimetype = archive.read("mimetype").strip()
                except KeyError:
                    mimetype = b""
            if mimetype != ODT_MIMETYPE:
                raise _mismatch(extension)
        elif extension == "zip":
            _zip(upload, extension).close()
        elif extension == "txt":
            if not _looks_like_text(head):
                raise _mismatch(extension)
        elif extension == "mp4":
            if head[4:8] != b"ftyp":
                raise _mismatch(extension)
        else:
            raise ValidationError(
                _("Files of this kind cannot be uploaded."), code="extension_not_allowed"
            )
    finally:
        upload.seek(0)
