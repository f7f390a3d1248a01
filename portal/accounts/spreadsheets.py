"""Writing what people typed into spreadsheets that other people will open."""

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
