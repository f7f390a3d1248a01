"""Exports carry what people typed as plain text, whatever it starts with."""

import io

from openpyxl import Workbook, load_workbook

from portal.accounts.spreadsheets import sheet_row


def test_text_that_looks_like_a_formula_stays_text_and_control_characters_go():
    book = Workbook(write_only=True)
    sheet = book.create_sheet("s")
    typed = '=HYPERLINK("http://evil.example/","点我")'
    sheet.append(sheet_row(sheet, [typed, "第一行\x0b第二行", 3]))
    out = io.BytesIO()
    book.save(out)

    cells = list(load_workbook(io.BytesIO(out.getvalue())).active.iter_rows())[0]
    assert cells[0].value == typed and cells[0].data_type == "s"  # not a formula
    assert cells[1].value == "第一行第二行"
    assert cells[2].value == 3
