"""一次性告知单: issue (recorded) and render as .docx."""

from __future__ import annotations

import io
import secrets

from django.db import transaction
from django.utils import timezone
from docx import Document
from docx.shared import Pt

from lib.errors import ActionError
from org import access

from .models import NoticeIssue, ServiceItem

ISSUERS = ("demand.receive", "demand.handle", "org.edit_unit")


@transaction.atomic
def issue(actor, item: ServiceItem, requester_name: str, requester_phone: str = "",
          note: str = "", at=None) -> NoticeIssue:
    """Record that ``actor`` handed the one-time notice of ``item`` to a named requester."""
    at = at or timezone.now()
    if not any(access.can_anywhere(actor, capability) for capability in ISSUERS):
        raise ActionError("forbidden", "您没有出具一次性告知单的权限。")
    name = (requester_name or "").strip()
    if not name:
        raise ActionError("invalid", "请填写告知对象的姓名或单位。", "requester_name")
    if not item.is_active:
        raise ActionError("invalid", "该事项已停用。", "item")
    number = f"GZ{timezone.localtime(at):%y%m%d}{secrets.token_hex(3).upper()}"
    return NoticeIssue.objects.create(number=number, item=item, requester_name=name[:50],
                                      requester_phone=(requester_phone or "").strip()[:20],
                                      note=(note or "").strip()[:300], issued_by=actor,
                                      issued_at=at)


SECTIONS = [("适用情形", "summary"), ("办理条件", "conditions"), ("申请材料", "materials"),
            ("办理流程", "steps"), ("设定依据", "legal_basis")]


def docx_bytes(item: ServiceItem, issue: NoticeIssue | None = None) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.size = Pt(11)
    document.add_heading("一次性告知单", level=0)
    document.add_paragraph(f"事项：{item.name}")
    if issue is not None:
        document.add_paragraph(f"告知单编号：{issue.number}    告知对象：{issue.requester_name}"
                               f"    告知时间：{timezone.localtime(issue.issued_at):%Y年%m月%d日}")
    for title, field in SECTIONS:
        lines = item.lines(field)
        if not lines:
            continue
        document.add_heading(title, level=2)
        for number, line in enumerate(lines, start=1):
            document.add_paragraph(f"{number}. {line}" if field in ("materials", "steps")
                                   else line)
    document.add_heading("其他", level=2)
    for label, value in (("收费标准", item.fees), ("承诺时限", item.time_limit),
                         ("办理窗口", item.window), ("办公时间", item.hours),
                         ("咨询电话", item.phone or "12319")):
        document.add_paragraph(f"{label}：{value}")
    if issue is not None and issue.note:
        document.add_paragraph(f"补充说明：{issue.note}")
    document.add_paragraph("以上为办理本事项所需的全部材料和条件，我局不再要求补充其他材料。")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
