"""Excel export of a list of demands (openpyxl, write-only mode: constant memory)."""

from __future__ import annotations

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

COLUMNS = [
    ("诉求编号", 16), ("提交时间", 17), ("诉求人类型", 10), ("来源渠道", 12), ("大类", 10),
    ("小类", 14), ("标题", 30), ("地址", 30), ("状态", 8), ("责任单位", 18),
    ("首问受理人", 10), ("承诺时限", 17), ("时限状态", 9), ("答复时间", 17),
    ("按时答复", 8), ("评价", 10), ("退单次数", 8), ("延期次数", 8), ("重复诉求", 8),
]


def _time(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _safe(text: str) -> str:
    """Cells starting with = + - @ would be formulas in Excel: neutralise them (CSV/formula
    injection from citizen-supplied text)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_xlsx(queryset, fileobj, title: str = "诉求") -> int:
    queryset = queryset.select_related("category__parent", "current_unit",
                                       "first_receiver__staff").order_by("-submitted_at", "-id")
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, (_, width) in enumerate(COLUMNS):
        sheet.column_dimensions[chr(ord("A") + index)].width = width
    header = []
    for name, _ in COLUMNS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    now = timezone.now()
    count = 0
    for demand in queryset.iterator(chunk_size=2000):
        receiver = demand.first_receiver
        receiver_name = ""
        if receiver is not None:
            staff = getattr(receiver, "staff", None)
            receiver_name = staff.full_name if staff else receiver.get_username()
        sheet.append([
            demand.number, _time(demand.submitted_at), demand.get_requester_kind_display(),
            demand.get_channel_display(), demand.category.top.name, demand.category.name,
            _safe(demand.title), _safe(demand.address), demand.get_state_display(),
            demand.current_unit.name, receiver_name, _time(demand.deadline),
            {"normal": "正常", "warning": "即将超期", "overdue": "已超期"}[demand.sla_state(now)],
            _time(demand.first_replied_at),
            {True: "是", False: "否", None: ""}[demand.replied_on_time],
            demand.get_evaluation_level_display() if demand.evaluation_level else "",
            demand.return_count, demand.extension_count, "是" if demand.is_repeat else "",
        ])
        count += 1
    workbook.save(fileobj)
    return count
