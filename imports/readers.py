"""Reading tabular files as people hand them over: .xlsx, and .csv in UTF-8 (with or
without a byte-order mark) or GBK/GB18030 (what Excel on a Chinese Windows saves).

``open_table`` gives the header row and an iterator of data rows, every cell as text
(dates as ``YYYY-MM-DD HH:MM:SS``, whole numbers without ``.0`` so phone numbers survive),
each row with its number as a spreadsheet shows it (the header is row 1).
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from lib.errors import ActionError

SAMPLE_BYTES = 1 << 20
XLSX_MAGIC = b"PK\x03\x04"


@dataclass
class Table:
    headers: list[str]
    # (row number as a spreadsheet shows it, cells as text, padded to the headers; a CSV
    # row with more cells than headers is kept whole, see _fit)
    numbered_rows: Iterator[tuple[int, list[str]]]
    total: int | None  # data rows, about (for progress), when known without parsing
    encoding: str  # "xlsx", "utf-8", "utf-8-sig" or "gb18030"

    @property
    def rows(self) -> Iterator[list[str]]:
        return (cells for _, cells in self.numbered_rows)


def _binary(source):
    if isinstance(source, str | Path):
        return open(source, "rb")  # the caller reads it to the end
    if hasattr(source, "open") and hasattr(source, "closed") and source.closed:
        source.open("rb")  # a Django FieldFile
    source.seek(0)
    return source


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _headers(cells, name: str) -> list[str]:
    headers = [_text(cell) for cell in cells]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        raise ActionError("invalid", f"文件“{name}”的第一行是空的，请把列名放在第一行。")
    seen = set()
    for index, header in enumerate(headers):
        if not header:
            raise ActionError("invalid", f"文件“{name}”第 {index + 1} 列没有列名。")
        if header in seen:
            raise ActionError("invalid", f"文件“{name}”有两列都叫“{header}”，请改名后再导入。")
        seen.add(header)
    return headers


def _fit(cells: list[str], width: int, *, keep_extra: bool = False) -> list[str]:
    """The row padded to the header's width. Cells beyond it are dropped when empty; when
    not, and ``keep_extra`` (CSV: an unquoted delimiter inside a cell shifted the cells
    after it), the row is kept whole for the importer to refuse and the report to show."""
    if len(cells) < width:
        return cells + [""] * (width - len(cells))
    if keep_extra and any(cells[width:]):
        while not cells[-1]:
            cells = cells[:-1]
        return cells
    return cells[:width]


# --- xlsx ------------------------------------------------------------------------------
def _xlsx(fileobj, name: str) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(fileobj, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise ActionError("invalid", f"文件“{name}”不是有效的 Excel（.xlsx）文件：{error}") \
            from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    try:
        headers = _headers(next(rows), name)
    except StopIteration:
        raise ActionError("invalid", f"文件“{name}”是空的。") from None
    total = sheet.max_row - 1 if sheet.max_row else None
    width = len(headers)

    def numbered():
        try:
            for number, row in enumerate(rows, start=2):
                cells = _fit([_text(cell) for cell in row], width)
                if any(cells):
                    yield number, cells
        finally:
            workbook.close()
    return Table(headers, numbered(), total, "xlsx")


# --- csv -------------------------------------------------------------------------------
def sniff_encoding(sample: bytes) -> str:
    """UTF-8 with a BOM, UTF-8, else GB18030 (a superset of GBK and GB2312)."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise ActionError("invalid", "无法识别文件的文字编码，请另存为 UTF-8 或 GBK 编码的 CSV，"
                                     "或 Excel（.xlsx）文件。") from None


def _count_lines(fileobj) -> int:
    """Lines in the file (records, unless fields hold line breaks): a quick count for the
    progress bar; the job's total is made exact when it ends."""
    fileobj.seek(0)
    lines = 0
    last = b""
    for block in iter(lambda: fileobj.read(1 << 20), b""):
        lines += block.count(b"\n")
        last = block
    fileobj.seek(0)
    return lines + (1 if last and not last.endswith(b"\n") else 0)


def _csv(fileobj, name: str) -> Table:
    sample = fileobj.read(SAMPLE_BYTES)
    encoding = sniff_encoding(sample)
    head = sample.decode(encoding, errors="ignore")
    try:
        dialect = csv.Sniffer().sniff(head.split("\n", 20)[0] if head else ",", ",\t;|")
    except csv.Error:
        dialect = csv.excel
    total = max(_count_lines(fileobj) - 1, 0)
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
    reader = csv.reader(text, dialect)
    try:
        header_row = next((row for row in reader if any(row)), None)
    except UnicodeDecodeError:
        raise ActionError("invalid", f"文件“{name}”开头部分有无法按 {encoding} 解码的字符，"
                                     "请检查文件编码。") from None
    if header_row is None:
        raise ActionError("invalid", f"文件“{name}”是空的。")
    headers = _headers(header_row, name)
    width = len(headers)

    def numbered():
        number = 1
        for row in reader:
            number += 1  # blank rows count: the number is the one a spreadsheet shows
            if not any(row):
                continue
            yield number, _fit([cell.strip() for cell in row], width, keep_extra=True)
    return Table(headers, _decoding(numbered(), name, encoding), total, encoding)


def _decoding(rows, name: str, encoding: str):
    """A byte the sniffed encoding cannot decode, deep in the file, stops the file with a
    message saying where (the rows before it are kept)."""
    number = 1
    try:
        for number, cells in rows:  # the last number is the message's
            yield number, cells
    except UnicodeDecodeError:
        raise ActionError("invalid", f"文件“{name}”第 {number + 1} 行附近有无法按 {encoding} "
                                     "解码的字符，请检查文件编码。") from None
    except csv.Error as error:
        raise ActionError("invalid", f"文件“{name}”第 {number + 1} 行附近不是有效的 CSV："
                                     f"{error}") from None


def open_table(source, name: str) -> Table:
    """``source``: a path, or a binary file object (an upload, a FieldFile)."""
    fileobj = _binary(source)
    head = fileobj.read(4)
    fileobj.seek(0)
    suffix = Path(name).suffix.lower()
    if head == XLSX_MAGIC:
        return _xlsx(fileobj, name)
    if suffix in (".xlsx", ".xlsm"):
        raise ActionError("invalid", f"文件“{name}”扩展名是 {suffix}，但内容不是 Excel 文件。")
    if suffix == ".xls":
        raise ActionError("invalid",
                          "不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV。")
    if suffix not in (".csv", ".txt", ""):
        raise ActionError("invalid", f"不支持 {suffix} 文件，请上传 .xlsx 或 .csv 文件。")
    return _csv(fileobj, name)
