"""Tables to CSV and XLSX. Every text cell is written as text: a cell a spreadsheet would run
as a formula is quoted in CSV and typed as a string in XLSX."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from trellis.enrolment.roster import csv_safe

from .figures import Table

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def table_csv(table: Table) -> str:
    """UTF-8 with a byte-order mark, so that Excel reads accents and dashes right."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    writer.writerow([csv_safe(c) for c in table.columns])
    for row in table.rows:
        writer.writerow([csv_safe(c) for c in row])
    return out.getvalue()


def _sheet_name(title: str, taken: set[str]) -> str:
    name = re.sub(r"[\[\]:*?/\\]", " ", ILLEGAL_CHARACTERS_RE.sub("", title))[:31].strip()
    name = name or "Sheet"
    base, n = name, 2
    while name in taken:
        suffix = f" ({n})"
        name, n = base[: 31 - len(suffix)] + suffix, n + 1
    taken.add(name)
    return name


def tables_xlsx(tables: Iterable[Table]) -> bytes:
    """One sheet per table: a bold header row, then the rows; numbers stay numbers."""
    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    bold = Font(bold=True)
    for table in tables:
        sheet = workbook.create_sheet(_sheet_name(table.title, taken))
        header = []
        for column in table.columns:
            cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(column)))
            cell.font = bold
            cell.data_type = "s"
            header.append(cell)
        sheet.append(header)
        for row in table.rows:
            sheet.append([_cell(sheet, value) for value in row])
        if table.note:
            sheet.append([])
            sheet.append([_cell(sheet, table.note)])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _cell(sheet, value):
    if value is None:
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int | float | Decimal):
        return value
    # Control characters cannot be stored in XLSX: drop them rather than fail the export.
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", str(value)))
    cell.data_type = "s"  # never a formula, whatever the text starts with
    return cell
