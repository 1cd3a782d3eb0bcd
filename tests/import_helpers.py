"""Files as the 12345 hotline exports them, for the import tests."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook

HEADERS = ["工单编号", "标题", "内容", "来电时间", "姓名", "电话", "问题类别", "事发地址"]
MAPS = ["external_id=工单编号", "title=标题", "content=内容", "received_at=来电时间",
        "requester_name=姓名", "requester_phone=电话", "category=问题类别",
        "address=事发地址"]
# what the import adds to "类别“X”不存在。"
NO_SUCH_CATEGORY_HINT = "如文件的分类与本系统不同，可不对应类别列：诉求进入“待分类”。"


def row(n: int, **overrides) -> list[str]:
    values = {"工单编号": f"GD2026{n:06d}", "标题": f"幸福路{n}号门口垃圾堆积",
              "内容": f"幸福路{n}号小区门口垃圾两天没人清运，气味很大。",
              "来电时间": f"2026-11-{(n % 20) + 1:02d} 09:{n % 60:02d}:00",
              "姓名": "王女士", "电话": f"139{n:08d}", "问题类别": "暴露垃圾",
              "事发地址": f"宿迁市宿城区幸福路{n}号"}
    values.update(overrides)
    return [values[h] for h in HEADERS]


def bad_rows() -> list[list[str]]:
    """A file with one row of each refusal between two good ones (row numbers as a
    spreadsheet shows them, the header being row 1)."""
    return [
        row(1),                               # row 2: fine
        row(2, 内容=""),                       # row 3: no content
        row(3, 来电时间="下周二"),                # row 4: bad date
        row(4, 问题类别="外星人入侵"),             # row 5: unknown category
        row(1, 标题="重复的一行"),                # row 6: same 工单编号 as row 2
        row(6, 电话="不告诉你"),                  # row 7: bad phone
        row(7, 来电时间="2030-01-01 08:00"),     # row 8: in the future
        row(8),                               # row 9: fine
    ]


def write_csv(path: Path, rows, encoding="utf-8", headers=HEADERS) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows, headers=HEADERS) -> Path:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for values in rows:
        sheet.append(values)
    workbook.save(path)
    return path


def map_args() -> list[str]:
    args = []
    for item in MAPS:
        args += ["--map", item]
    return args
