"""Writing what people typed into spreadsheets that other people will open, and opening the
spreadsheets people upload (question banks, earlier certificates) without trusting them."""

import io
import zipfile

from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


class SpreadsheetRefused(ValueError):
    """The uploaded file itself cannot be read; the message is for the person who sent it."""


def xlsx_open(file, *, max_bytes: int, max_unpacked_bytes: int):
    """An uploaded XLSX file (an uploaded file, a binary file object or bytes) as a read-only
    openpyxl workbook. Refuses, with a message in the user's language, a file that is empty,
    larger than ``max_bytes``, not an XLSX file, damaged, or one that unpacks past
    ``max_unpacked_bytes`` (a zip bomb)."""
    return _workbook(_upload_bytes(file, max_bytes), max_unpacked_bytes)


def _upload_bytes(file, max_bytes: int) -> bytes:
    too_big = _("The file is larger than %(size)s MB.") % {"size": max_bytes // (1024 * 1024)}
    if isinstance(file, bytes | bytearray):
        data = bytes(file)
    else:
        size = getattr(file, "size", None)
        if size is not None and size > max_bytes:
            raise SpreadsheetRefused(too_big)
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise SpreadsheetRefused(too_big)
    if not data:
        raise SpreadsheetRefused(_("The file is empty."))
    return data


def _workbook(data: bytes, max_unpacked_bytes: int):
    not_xlsx = _("This is not an XLSX file. Save the spreadsheet as Excel Workbook (.xlsx).")
    damaged = _("The file is damaged and could not be read.")
    if not data.startswith(b"PK\x03\x04"):
        raise SpreadsheetRefused(not_xlsx)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise SpreadsheetRefused(damaged) from error
    if "xl/workbook.xml" not in names:
        raise SpreadsheetRefused(not_xlsx)
    if unpacked > max_unpacked_bytes:
        raise SpreadsheetRefused(_("The file unpacks to too much data to be read."))
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for broken files
        raise SpreadsheetRefused(damaged) from error


def sheet_row(sheet, values) -> list:
    """``values`` ready for a write-only sheet's ``append``: text always stays text (a name or
    comment starting with "=" never becomes a formula in the reader's spreadsheet), without
    the control characters an XLSX file cannot hold; other values pass as they are."""
    return [_text_cell(sheet, value) if isinstance(value, str) else value for value in values]


def _text_cell(sheet, text: str):
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    return cell


class XlsxWriter:
    """A write-only XLSX workbook written row by row (openpyxl keeps the rows in temporary
    files, not in memory, until it is saved): sheets added one after another, rows appended to
    the last one added, every value through ``sheet_row``."""

    def __init__(self):
        from openpyxl import Workbook

        self.book = Workbook(write_only=True)
        self.sheet = None

    def add_sheet(self, title: str, headers=(), *, widths=()) -> None:
        """A new sheet named ``title`` (cut to Excel's 31 characters), with bold
        ``(header, width)`` headers in its first row when given, or just column ``widths``."""
        from openpyxl.utils import get_column_letter

        self.sheet = self.book.create_sheet(_sheet_title(title))
        widths = [width for _header, width in headers] or list(widths)
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        if headers:
            self.append([header for header, _width in headers], bold=True)

    def append(self, values, *, bold: bool = False) -> None:
        row = sheet_row(self.sheet, values)
        if bold:
            row = [self._bold(value) for value in row]
        self.sheet.append(row)

    def _bold(self, value):
        from openpyxl.cell.cell import Cell
        from openpyxl.styles import Font

        cell = value if isinstance(value, Cell) else WriteOnlyCell(self.sheet, value)
        cell.font = Font(bold=True)
        return cell

    def save(self, target) -> None:
        """Write the workbook to a path or a binary file object."""
        self.book.save(target)

    def discard(self) -> None:
        """Give up a workbook left half-written by an error: close its sheets' writers and
        remove their temporary files."""
        for sheet in self.book.worksheets:
            try:
                if not sheet.closed:
                    sheet.close()
                if sheet._writer is not None:
                    sheet._writer.cleanup()
            except Exception:  # noqa: S110  (best effort: the error being handled matters more)
                pass


def _sheet_title(title: str) -> str:
    for character in "[]:*?/\\":
        title = title.replace(character, " ")
    return title.strip()[:31] or "Sheet"


def xlsx_bytes(*, sheet_title: str, headers, rows) -> bytes:
    """A one-sheet workbook: bold ``(title, width)`` headers, then ``rows`` (lists of values,
    consumed as they come, so a queryset's iterator streams) written through ``sheet_row``."""
    writer = XlsxWriter()
    writer.add_sheet(sheet_title, headers)
    for row in rows:
        writer.append(row)
    out = io.BytesIO()
    writer.save(out)
    return out.getvalue()


# A cell a spreadsheet would read as a formula when the file is opened as CSV.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """``value`` for a CSV cell: text that a spreadsheet would read as a formula (starting with
    =, +, -, @, a tab or a carriage return) gets a leading apostrophe; anything else passes."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_bytes(*, headers, rows) -> bytes:
    """UTF-8 CSV with a byte-order mark (so spreadsheet programs read Chinese correctly): text
    that would start a formula is prefixed with an apostrophe; numbers pass as they are."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([csv_safe(value) for value in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
