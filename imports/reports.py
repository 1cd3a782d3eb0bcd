"""The error report of an import: each refused row, its reason and its cells as the file
had them — correct the cells and import the report itself (the extra columns 行号 and
出错原因 are ignored by the mapping)."""

from __future__ import annotations

import io

from demands.exports import _safe

from .models import Job


def error_report(job: Job) -> bytes:
    from openpyxl import Workbook  # on use, as in demands.exports
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title="出错行")
    sheet.column_dimensions["A"].width = 8
    sheet.column_dimensions["B"].width = 40
    header = []
    for name in ["行号", "出错原因", *job.headers]:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    for error in job.errors.order_by("row_number").iterator(chunk_size=2000):
        sheet.append([error.row_number, error.reason, *(_safe(str(v)) for v in error.values)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
