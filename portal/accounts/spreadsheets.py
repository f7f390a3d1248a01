"""Writing what people typed into spreadsheets that other people will open."""

import io

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE


def sheet_row(sheet, values) -> list:
    """``values`` ready for a write-only sheet's ``append``: text always stays text (a name or
    comment starting with "=" never becomes a formula in the reader's spreadsheet), without
    the control characters an XLSX file cannot hold; other values pass as they are."""
    return [_text_cell(sheet, value) if isinstance(value, str) else value for value in values]


def _text_cell(sheet, text: str):
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text))
    cell.data_type = "s"
    return cell


def xlsx_bytes(*, sheet_title: str, headers, rows) -> bytes:
    """A one-sheet workbook: bold ``(title, width)`` headers, then ``rows`` (lists of values,
    consumed as they come, so a queryset's iterator streams) written through ``sheet_row``."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    sheet = book.create_sheet(sheet_title)
    header = []
    for index, (title, width) in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append(sheet_row(sheet, row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# A cell a spreadsheet would read as a formula when the file is opened as CSV.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_bytes(*, headers, rows) -> bytes:
    """UTF-8 CSV with a byte-order mark (so spreadsheet programs read Chinese correctly): text
    that would start a formula is prefixed with an apostrophe; numbers pass as they are."""
    import csv

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(headers)
    for row in rows:
        writer.writerow(
            [
                "'" + value
                if isinstance(value, str) and value.startswith(_FORMULA_START)
                else value
                for value in row
            ]
        )
    return ("\ufeff" + out.getvalue()).encode("utf-8")
