"""Every change of a bulletin and of the bulletin templates: draft (and queue the
generation), generate again, upload the office's edited copy, issue, make public or not;
upload, activate and retire templates. Each checks who may and the state again under a
row lock and refuses in Chinese (``ActionError``); nothing is half-written. The console
offers the transitions through ``bulletins.catalogue``.

The generation itself runs in the worker (``bulletins.generation``); the task is queued by
name after the commit, as ``imports.jobs`` does, so the task module is not imported here.
"""

from __future__ import annotations

import datetime as dt
import io
import uuid

from celery import current_app
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from campaigns.models import Phase
from lib import documents
from lib.errors import ActionError, clean_date, clean_text
from org import access

from . import periods, render
from .models import Bulletin, BulletinTemplate, Generation, Kind, State

GENERATE_TASK = "bulletins.tasks.generate"
MAX_DAYS = 366
# a generation asked for longer ago than this and still not finished had a worker that
# stopped: it may be asked for again
STALE_AFTER = dt.timedelta(minutes=10)


def may_view(user) -> bool:
    return access.can_anywhere(user, "bulletin.view")


def may_manage(user) -> bool:
    return access.can_anywhere(user, "bulletin.manage")


def _require(actor) -> None:
    if not may_manage(actor):
        raise ActionError("forbidden", "您没有管理通报的权限。")


def enqueue(bulletin_id: int) -> None:
    """Hand the generation to a worker (by the task's name)."""
    current_app.send_task(GENERATE_TASK, args=[bulletin_id])


# --- templates -------------------------------------------------------------------------------
def active_template() -> BulletinTemplate | None:
    return BulletinTemplate.objects.filter(active=True).first()


def template_bytes(template: BulletinTemplate | None) -> bytes:
    """The template's file, or the shipped default's when ``None``."""
    if template is None:
        return render.default_template_bytes()
    with template.file.open("rb") as handle:
        return handle.read()


def usable_template() -> BulletinTemplate | None:
    """The active template after checking that it still makes a bulletin."""
    template = active_template()
    try:
        render.check(template_bytes(template))
    except (ActionError, OSError) as error:
        reason = error.message if isinstance(error, ActionError) else "模板文件已丢失。"
        name = template.name if template is not None else "默认模板"
        raise ActionError("invalid", f"启用的通报模板“{name}”不能使用：{reason}"
                                     "请在“通报模板”中改正、更换或停用它。") from error
    return template


def _docx(upload, label: str) -> documents.Prepared:
    prepared = documents.prepare(upload, label)
    if prepared.content_type != render.DOCX:
        raise ActionError("invalid", f"{label}须是 Word（.docx）文件，"
                                     f"“{prepared.name}”不是。", "file")
    return prepared


@transaction.atomic
def upload_template(actor, name: str, upload, *, activate: bool = True) -> BulletinTemplate:
    """Keep an office's template once it has made a bulletin from sample data; with
    ``activate`` it is used from the next generation on."""
    _require(actor)
    name = clean_text(name, "模板名称", limit=100, field_name="name")
    prepared = _docx(upload, "模板")
    render.check(prepared.data)
    if activate:
        BulletinTemplate.objects.filter(active=True).update(active=False)
    template = BulletinTemplate(name=name, original_name=prepared.name, active=activate,
                                uploaded_by=actor, uploaded_at=timezone.now())
    template.file.save(f"{uuid.uuid4().hex}.docx", ContentFile(prepared.data), save=False)
    template.save()
    return template


@transaction.atomic
def activate_template(actor, template: BulletinTemplate) -> BulletinTemplate:
    _require(actor)
    template = BulletinTemplate.objects.select_for_update().get(pk=template.pk)
    render.check(template_bytes(template))
    BulletinTemplate.objects.filter(active=True).exclude(pk=template.pk).update(active=False)
    if not template.active:
        template.active = True
        template.save(update_fields=["active"])
    return template


@transaction.atomic
def use_default_template(actor) -> None:
    """Retire the office's template: the shipped default is used again."""
    _require(actor)
    BulletinTemplate.objects.filter(active=True).update(active=False)


# --- bulletins -------------------------------------------------------------------------------
def _period(kind, start, end, phase, today):
    if kind not in Kind.values:
        raise ActionError("invalid", "请选择通报类型（周报、月报或阶段通报）。", "kind")
    if kind == Kind.PHASE and phase is None:
        raise ActionError("invalid", "阶段通报请选择阶段。", "phase")
    start = clean_date(start, "统计起始日期", required=False, field_name="period_start")
    end = clean_date(end, "统计截止日期", required=False, field_name="period_end")
    if start is None or end is None:
        default = periods.default_period(kind, today, phase)
        start, end = start or default[0], end or default[1]
    if end < start:
        raise ActionError("invalid", "统计截止日期不能早于起始日期。", "period_end")
    if end > today:
        raise ActionError("invalid", "统计截止日期不能晚于今天（还没有数据）。", "period_end")
    if (end - start).days >= MAX_DAYS:
        raise ActionError("invalid", "统计期不能超过一年。", "period_start")
    return start, end


def _next_sequence(year: int) -> int:
    found = Bulletin.objects.filter(year=year).aggregate(top=Max("sequence"))["top"]
    return (found or 0) + 1


def create(actor, kind: str, period_start=None, period_end=None, title: str = "",
           phase: Phase | None = None) -> Bulletin:
    """Draft a bulletin of a period (by default the kind's: last week, last month, the
    phase) with the year's next 文号, and queue its generation. Refused, and nothing
    written, when the active template cannot make a bulletin."""
    _require(actor)
    today = timezone.localdate()
    phase = phase if kind == Kind.PHASE else None
    start, end = _period(kind, period_start, period_end, phase, today)
    title = clean_text(title, "标题", required=False, limit=200, field_name="title") \
        or periods.default_title(kind, start, end, phase)
    template = usable_template()
    now = timezone.now()
    # two drafts at once may read the same last number: the unique (year, sequence)
    # refuses the second, which takes the next one
    for _attempt in range(3):
        try:
            with transaction.atomic():
                sequence = _next_sequence(today.year)
                bulletin = Bulletin.objects.create(
                    kind=kind, phase=phase, period_start=start, period_end=end,
                    year=today.year, sequence=sequence,
                    number=render.number_text(render.number_prefix(), today.year, sequence),
                    title=title, template=template, generation=Generation.QUEUED,
                    requested_at=now, generated_by=actor, created_by=actor, created_at=now)
                transaction.on_commit(lambda pk=bulletin.pk: enqueue(pk))
        except IntegrityError:
            continue
        return bulletin
    raise ActionError("conflict", "文号刚被另一份通报占用，请再提交一次。")


def _locked(bulletin: Bulletin) -> Bulletin:
    return Bulletin.objects.select_for_update().get(pk=bulletin.pk)


def _draft(bulletin: Bulletin, doing: str) -> None:
    if bulletin.state != State.DRAFT:
        when = timezone.localtime(bulletin.issued_at)
        raise ActionError("wrong_state", f"该通报已于{when:%Y-%m-%d %H:%M}印发，文件已冻结，"
                                         f"不能{doing}。")


def _busy(bulletin: Bulletin) -> bool:
    return bulletin.working and bulletin.requested_at is not None and \
        bulletin.requested_at > timezone.now() - STALE_AFTER


@transaction.atomic
def regenerate(actor, bulletin: Bulletin) -> Bulletin:
    """Generate a draft again from the data as it is now (and the active template); an
    edited copy uploaded earlier no longer matches and is dropped."""
    _require(actor)
    bulletin = _locked(bulletin)
    _draft(bulletin, "重新生成")
    if _busy(bulletin):
        raise ActionError("conflict", "该通报正在生成，请稍候。")
    bulletin.template = usable_template()
    bulletin.generation = Generation.QUEUED
    bulletin.progress = 0
    bulletin.message = ""
    bulletin.requested_at = timezone.now()
    bulletin.generated_by = actor
    dropped = bulletin.edited_file.name
    bulletin.edited_file = ""
    bulletin.edited_name = ""
    bulletin.edited_by = None
    bulletin.edited_at = None
    bulletin.save(update_fields=["template", "generation", "progress", "message",
                                 "requested_at", "generated_by", "edited_file", "edited_name",
                                 "edited_by", "edited_at"])
    if dropped:
        transaction.on_commit(lambda: bulletin.edited_file.storage.delete(dropped))
    transaction.on_commit(lambda: enqueue(bulletin.pk))
    return bulletin


@transaction.atomic
def upload_edited(actor, bulletin: Bulletin, upload) -> Bulletin:
    """Keep the office's edited copy of a draft (a Word file, judged by its content); it
    is the file issued."""
    _require(actor)
    bulletin = _locked(bulletin)
    _draft(bulletin, "上传修改稿")
    if bulletin.working:
        raise ActionError("conflict", "通报正在生成，请生成完成后再上传修改稿。")
    prepared = _docx(upload, "修改稿")
    try:
        from docx import Document

        Document(io.BytesIO(prepared.data))
    except Exception as error:  # python-docx raises several kinds for a broken package
        raise ActionError("invalid", f"修改稿“{prepared.name}”无法打开，可能已损坏。",
                          "file") from error
    previous = bulletin.edited_file.name
    bulletin.edited_file.save(f"{uuid.uuid4().hex}.docx", ContentFile(prepared.data),
                              save=False)
    bulletin.edited_name = prepared.name
    bulletin.edited_by = actor
    bulletin.edited_at = timezone.now()
    bulletin.save(update_fields=["edited_file", "edited_name", "edited_by", "edited_at"])
    if previous:
        transaction.on_commit(lambda: bulletin.edited_file.storage.delete(previous))
    return bulletin


@transaction.atomic
def issue(actor, bulletin: Bulletin) -> Bulletin:
    """印发: the file (the edited copy if any, else the generated one) is frozen."""
    _require(actor)
    bulletin = _locked(bulletin)
    _draft(bulletin, "再次印发")
    if bulletin.generation != Generation.DONE or not bulletin.generated_file:
        raise ActionError("wrong_state", "通报尚未生成完成，不能印发。")
    bulletin.state = State.ISSUED
    bulletin.issued_by = actor
    bulletin.issued_at = timezone.now()
    bulletin.save(update_fields=["state", "issued_by", "issued_at"])
    return bulletin


@transaction.atomic
def publish(actor, bulletin: Bulletin) -> Bulletin:
    """Show it on the portal (from its issue on, when still a draft)."""
    _require(actor)
    bulletin = _locked(bulletin)
    if bulletin.public:
        raise ActionError("conflict", "该通报已设为公开。")
    bulletin.public = True
    bulletin.save(update_fields=["public"])
    return bulletin


@transaction.atomic
def unpublish(actor, bulletin: Bulletin) -> Bulletin:
    _require(actor)
    bulletin = _locked(bulletin)
    if not bulletin.public:
        raise ActionError("conflict", "该通报未公开。")
    bulletin.public = False
    bulletin.save(update_fields=["public"])
    return bulletin
