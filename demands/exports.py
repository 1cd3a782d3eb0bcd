"""Excel export of a list of demands (openpyxl, write-only mode: constant memory).

The columns are also an import format: ``imports`` recognises them without a mapping, so
an exported list imported again (here: nothing changes; elsewhere: the same demands)
round-trips. Staff with the export capability see requesters' names and phones in the
console already; the file carries them so that it can be imported.
"""

from __future__ import annotations

from django.utils import timezone

from .models import UNCLASSIFIED

SLA_LABELS = {"normal": "正常", "warning": "即将超期", "overdue": "已超期"}

# (header, width, value of a demand); the import side knows these headers
COLUMNS = [
    ("诉求编号", 16, lambda d: d.number),
    ("来源渠道", 12, lambda d: d.get_channel_display()),
    ("外部编号", 16, lambda d: d.external_id),
    ("提交时间", 17, lambda d: _time(d.submitted_at)),
    ("诉求人类型", 10, lambda d: d.get_requester_kind_display()),
    ("诉求人", 10, lambda d: _safe(d.requester_name)),
    ("联系电话", 14, lambda d: d.requester_phone),
    ("所在单位/企业", 16, lambda d: _safe(d.requester_org)),
    ("类别编码", 14, lambda d: d.category.code if d.category else ""),
    ("大类", 10, lambda d: d.category.top.name if d.category else ""),
    ("小类", 14, lambda d: d.category.name if d.category else UNCLASSIFIED),
    ("标题", 30, lambda d: _safe(d.title)),
    ("诉求内容", 50, lambda d: _safe(d.content)),
    ("地址", 30, lambda d: _safe(d.address)),
    ("经度", 11, lambda d: "" if d.longitude is None else str(d.longitude)),
    ("纬度", 11, lambda d: "" if d.latitude is None else str(d.latitude)),
    ("紧急程度", 8, lambda d: d.get_urgency_display()),
    ("状态", 8, lambda d: d.get_state_display()),
    ("责任单位", 18, lambda d: d.current_unit.name),
    ("首问受理人", 10, lambda d: _person(d.first_receiver)),
    ("承诺时限", 17, lambda d: _time(d.committed_deadline)),
    ("整改时限", 17, lambda d: _time(d.deadline) if d.follow_up_count else ""),
    ("时限状态", 9, lambda d: SLA_LABELS[d.sla_state(d._export_now)]),
    ("答复时间", 17, lambda d: _time(d.first_replied_at)),
    ("按时答复", 8, lambda d: {True: "是", False: "否", None: ""}[d.replied_on_time]),
    ("评价", 10, lambda d: d.get_evaluation_level_display() if d.evaluation_level else ""),
    ("退单次数", 8, lambda d: d.return_count),
    ("延期次数", 8, lambda d: d.extension_count),
    ("重复诉求", 8, lambda d: "是" if d.is_repeat else ""),
]
HEADERS = [name for name, _, _ in COLUMNS]


def _time(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _person(user) -> str:
    if user is None:
        return ""
    staff = getattr(user, "staff", None)
    return staff.full_name if staff else user.get_username()


def _safe(text: str) -> str:
    """Cells starting with = + - @ would be formulas in Excel: neutralise them (CSV/formula
    injection from citizen-supplied text)."""
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def write_xlsx(queryset, fileobj, title: str = "诉求") -> int:
    queryset = queryset.select_related("category__parent", "current_unit",
                                       "first_receiver__staff").order_by("-submitted_at", "-id")
    from openpyxl import Workbook  # on use: openpyxl (and numpy) cost every process 0.3 s
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, (_, width, _) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    header = []
    for name in HEADERS:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    now = timezone.now()
    count = 0
    for demand in queryset.iterator(chunk_size=2000):
        demand._export_now = now
        sheet.append([value(demand) for _, _, value in COLUMNS])
        count += 1
    workbook.save(fileobj)
    return count
