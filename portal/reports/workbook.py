"""A write-only XLSX workbook written row by row, for reports too large to hold in memory.

Each value goes through ``portal.accounts.spreadsheets.sheet_row``, so text that people typed
stays text in the reader's spreadsheet. openpyxl's write-only mode keeps the rows in temporary
files, not in memory, until the workbook is saved.
"""

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from portal.accounts.spreadsheets import sheet_row

BOLD = Font(bold=True)


class ReportWorkbook:
    """Sheets added one after another; rows appended to the last one added."""

    def __init__(self):
        self.book = Workbook(write_only=True)
        self.sheet = None

    def add_sheet(self, title: str, headers=(), *, widths=()) -> None:
        """A new sheet named ``title`` (cut to Excel's 31 characters), with bold
        ``(header, width)`` headers in its first row when given, or just column ``widths``."""
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
        cell = value if isinstance(value, Cell) else WriteOnlyCell(self.sheet, value)
        cell.font = BOLD
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
