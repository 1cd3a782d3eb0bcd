"""Import jobs: upload → preview and column mapping → background run → report.

``run`` is what the worker (or the command line) does. It reads the file from the first
row without a committed outcome (``job.done``); a reading thread checks and prepares the
chunks, which are written by ``demands.actions.import_prepared``, and in the same
transaction as each chunk the refused rows are recorded and ``job.done`` advances. A
process killed anywhere therefore loses at most an uncommitted chunk, and the next run
starts exactly there; two runs of one job at once cannot both write a chunk (the job row
is locked and its position checked).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import queue
import threading
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from celery import current_app
from django.conf import settings
from django.core.files.base import File
from django.db import connection, connections, transaction
from django.db.models import F, Q
from django.utils import timezone

from catalog.models import Category, Urgency
from demands.actions import importing
from demands.actions._common import get_intake_unit
from demands.actions.intake import Intake
from demands.models import Channel, RequesterKind
from lib.errors import ActionError
from org import access

from .models import FIELDS, REQUIRED_FIELDS, Job, JobState, RowError, Source
from .readers import open_table

MAX_UPLOAD_BYTES = 300 * 1024 * 1024
PREVIEW_ROWS = 10
# A running job whose worker has not committed for this long is taken to be dead and is
# queued again by the beat (see imports.tasks.resume_stale).
STALE_AFTER = dt.timedelta(minutes=3)
RUN_JOB_TASK = "imports.tasks.run_job"

# Column names the hotline and other systems use for each field, in order of preference
# (the first matching header wins). The second block is this system's own export.
SYNONYMS = {
    "external_id": ["工单编号", "工单号", "外部编号", "受理编号", "来电编号", "单号", "编号"],
    "number": ["诉求编号"],
    "title": ["标题", "诉求标题", "主题", "事项名称"],
    "content": ["诉求内容", "内容", "来电内容", "反映内容", "问题描述", "具体内容", "描述"],
    "received_at": ["来电时间", "受理时间", "提交时间", "登记时间", "创建时间", "时间"],
    "requester_name": ["诉求人", "姓名", "来电人", "联系人", "反映人"],
    "requester_phone": ["联系电话", "电话", "来电号码", "手机号", "手机", "联系方式"],
    "requester_kind": ["诉求人类型", "来电人类型"],
    "requester_org": ["所在单位/企业", "所在单位", "企业名称", "单位名称"],
    "category": ["类别编码", "诉求类别", "问题类别", "类别", "小类", "分类"],
    "address": ["地址", "事发地址", "发生地址", "事发地点", "地点"],
    "longitude": ["经度"],
    "latitude": ["纬度"],
    "urgency": ["紧急程度", "缓急程度"],
}
KINDS = {
    "群众": RequesterKind.CITIZEN, "市民": RequesterKind.CITIZEN, "个人": RequesterKind.CITIZEN,
    "基层": RequesterKind.GRASSROOTS, "社区": RequesterKind.GRASSROOTS,
    "街道": RequesterKind.GRASSROOTS, "企业": RequesterKind.ENTERPRISE,
    **{value: value for value in RequesterKind.values},
}
URGENCIES = {str(label): value for value, label in Urgency.choices} | {
    "普通": 1, "一般": 1, "紧急": 2, "特急": 3, "1": 1, "2": 2, "3": 3}
TIME_FORMATS = ("%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d", "%Y.%m.%d %H:%M:%S",
                "%Y.%m.%d %H:%M", "%Y年%m月%d日 %H:%M:%S", "%Y年%m月%d日 %H:%M",
                "%Y年%m月%d日%H时%M分%S秒", "%Y年%m月%d日%H时%M分", "%Y年%m月%d日 %H时%M分",
                "%Y年%m月%d日", "%Y%m%d%H%M%S", "%Y%m%d")


def guess_mapping(headers: list[str], saved: dict | None = None) -> dict[str, str]:
    """The saved mapping where its columns still exist, else the usual names."""
    mapping = {}
    for field in FIELDS:
        if saved and saved.get(field) in headers:
            mapping[field] = saved[field]
            continue
        for name in SYNONYMS.get(field, ()):
            if name in headers and name not in mapping.values():
                mapping[field] = name
                break
    return mapping


def check_mapping(mapping: dict, headers: list[str]) -> dict[str, str]:
    clean = {field: column for field, column in mapping.items() if column}
    unknown = [field for field in clean if field not in FIELDS]
    if unknown:
        raise ActionError("invalid", f"没有“{'、'.join(unknown)}”这个字段，可用字段："
                                     f"{'、'.join(FIELDS)}。", "mapping")
    missing_columns = [column for column in clean.values() if column not in headers]
    if missing_columns:
        raise ActionError("invalid", f"文件中没有“{'、'.join(missing_columns)}”列。文件的列："
                                     f"{'、'.join(headers)}。", "mapping")
    missing = [str(FIELDS[field]) for field in REQUIRED_FIELDS if field not in clean]
    if "external_id" in missing and "number" in clean:
        missing.remove(str(FIELDS["external_id"]))
    if missing:
        raise ActionError("invalid", f"请指定“{'、'.join(missing)}”对应的列。", "mapping")
    if "received_at" not in clean:
        raise ActionError("invalid", "请指定来电（受理）时间对应的列："
                                     "导入的诉求以文件中的时间为受理时间。", "mapping")
    return clean


def parse_time(text: str) -> dt.datetime:
    text = text.strip()
    if not text:
        raise ActionError("invalid", "来电时间为空。", "received_at")
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        value = None
        for fmt in TIME_FORMATS:
            try:
                value = dt.datetime.strptime(text, fmt)  # noqa: DTZ007 - made aware below
                break
            except ValueError:
                continue
        if value is None:
            raise ActionError("invalid", f"来电时间“{text}”无法识别，请用 2026-11-28 14:30 "
                                         "这样的格式。", "received_at") from None
    if value.year < 2000:
        raise ActionError("invalid", f"来电时间“{text}”早于 2000 年。", "received_at")
    if value.tzinfo is None:  # the file's wall-clock time, in the bureau's zone
        value = value.replace(tzinfo=_bureau_zone())
    return value


_ZONE: list[zoneinfo.ZoneInfo] = []


def _bureau_zone() -> zoneinfo.ZoneInfo:
    if not _ZONE:
        _ZONE.append(zoneinfo.ZoneInfo(settings.TIME_ZONE))
    return _ZONE[0]


def digest(fileobj) -> str:
    """SHA-256 of the whole file (the file is left at its start)."""
    fileobj.seek(0)
    value = hashlib.file_digest(fileobj, "sha256").hexdigest()
    fileobj.seek(0)
    return value


def unfinished(source: Source, fileobj) -> Job | None:
    """The newest job of this very file from this source that has not finished: running
    the import of the same file again resumes it."""
    return source.jobs.filter(sha256=digest(fileobj), state__in=[
        JobState.QUEUED, JobState.RUNNING, JobState.FAILED]).order_by("-pk").first()


def _require(actor):
    if actor is not None and not access.can_anywhere(actor, "import.run"):
        raise ActionError("forbidden", "您没有导入诉求的权限。")


def source_named(name: str, *, channel: str | None = None, default_kind: str | None = None,
                 default_category: Category | None = None) -> Source:
    name = (name or "").strip()
    if not name:
        raise ActionError("invalid", "请填写来源名称。", "source")
    if len(name) > 50:
        raise ActionError("invalid", "来源名称不能超过 50 字。", "source")
    if channel is not None and channel not in Channel.values:
        raise ActionError("invalid", f"来源渠道“{channel}”无效。", "channel")
    if default_kind is not None and default_kind not in RequesterKind.values:
        raise ActionError("invalid", f"诉求人类型“{default_kind}”无效。", "default_kind")
    source, _ = Source.objects.get_or_create(name=name, defaults={
        "channel": channel or Channel.HOTLINE_12345,
        "default_kind": default_kind or RequesterKind.CITIZEN})
    changed = []
    for field, value in (("channel", channel), ("default_kind", default_kind),
                         ("default_category", default_category)):
        if value is not None and getattr(source, field) != value:
            setattr(source, field, value)
            changed.append(field)
    if changed:
        source.save(update_fields=[*changed, "updated_at"])
    return source


@transaction.atomic
def upload(actor, source: Source, fileobj, name: str) -> Job:
    """Keep the file and read its header row: a draft job waiting for its mapping."""
    _require(actor)
    size = getattr(fileobj, "size", None)
    if size is not None and size > MAX_UPLOAD_BYTES:
        raise ActionError("invalid", f"文件超过 {MAX_UPLOAD_BYTES // 1024 // 1024} MB，"
                                     "请分成几个文件，或用命令行导入。", "file")
    table = open_table(fileobj, name)  # refuses what cannot be read, before keeping it
    job = Job(source=source, original_name=name[:200], sha256=digest(fileobj),
              headers=table.headers, total=table.total, state=JobState.DRAFT,
              mapping=guess_mapping(table.headers, source.mapping),
              created_by=actor if actor is not None and actor.is_authenticated else None)
    fileobj.seek(0)
    job.file.save(name[-100:], File(fileobj, name=name[-100:]), save=False)
    job.save()
    return job


def preview(job: Job, mapping: dict | None = None, rows: int = PREVIEW_ROWS):
    """The first rows as the file has them and as they would be imported (or why not)."""
    mapping = job.mapping if mapping is None else mapping
    table = open_table(job.file, job.original_name)
    reader = RowReader(job.source, table.headers, mapping)
    out = []
    for number, cells in table.numbered_rows:
        try:
            item = reader.item(cells)
            out.append((number, cells, item, None))
        except ActionError as error:
            out.append((number, cells, None, error.message))
        if len(out) >= rows:
            break
    return table.headers, out


def confirm(actor, job: Job, mapping: dict) -> Job:
    """Fix the mapping (remembered for the source's next file) and queue the job for a
    worker."""
    job = confirm_here(actor, job, mapping)
    transaction.on_commit(lambda: enqueue(job.pk))
    return job


@transaction.atomic
def confirm_here(actor, job: Job, mapping: dict) -> Job:
    """Fix the mapping and mark the job queued; the caller runs it (command line)."""
    _require(actor)
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.state != JobState.DRAFT:
        raise ActionError("wrong_state",
                          f"该导入任务已{job.get_state_display()}，不能再修改列对应。")
    mapping = check_mapping(mapping, job.headers)
    job.mapping = mapping
    job.state = JobState.QUEUED
    job.save(update_fields=["mapping", "state"])
    Source.objects.filter(pk=job.source_id).update(mapping=mapping, updated_at=timezone.now())
    return job


def enqueue(job_id: int) -> None:
    """Hand the job to a worker. The task is named, not imported: ``imports.tasks`` calls
    this module, which would otherwise import it back."""
    current_app.send_task(RUN_JOB_TASK, args=[job_id])


@transaction.atomic
def resume(actor, job: Job, *, queue: bool = True) -> Job:
    """Queue an unfinished job again (after a failure, or a worker that died); with
    ``queue=False`` the caller runs it (the command line)."""
    _require(actor)
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.state not in (JobState.RUNNING, JobState.FAILED, JobState.QUEUED):
        raise ActionError("wrong_state", f"该导入任务{job.get_state_display()}，无需继续。")
    job.state = JobState.QUEUED
    job.message = ""
    job.save(update_fields=["state", "message"])
    if queue:
        transaction.on_commit(lambda: enqueue(job.pk))
    return job


class RowReader:
    """Turns a row's cells into a ``demands.actions.Imported`` with the source's defaults."""

    def __init__(self, source: Source, headers: list[str], mapping: dict):
        self.source = source
        self.columns = {field: headers.index(column) for field, column in mapping.items()
                        if column in headers}
        self.categories = _category_lookup()
        self.default_category = source.default_category

    def cell(self, cells, field) -> str:
        index = self.columns.get(field)
        return cells[index] if index is not None else ""

    def item(self, cells) -> importing.Imported:
        get = self.cell
        content = get(cells, "content")
        title = get(cells, "title") or _title_from(content)
        kind_text = get(cells, "requester_kind")
        kind = KINDS.get(kind_text, self.source.default_kind) if kind_text else \
            self.source.default_kind
        if kind_text and kind_text not in KINDS:
            raise ActionError("invalid", f"诉求人类型“{kind_text}”无法识别（群众/基层/企业）。")
        category = get(cells, "category") or self.default_category
        if not category:
            raise ActionError("invalid",
                              f"未填写类别，且来源“{self.source.name}”没有设置默认类别。")
        if isinstance(category, str) and category not in self.categories:
            raise ActionError("invalid", f"类别“{category}”不存在。")
        urgency_text = get(cells, "urgency")
        urgency = None
        if urgency_text:
            urgency = URGENCIES.get(urgency_text)
            if urgency is None:
                raise ActionError("invalid",
                                  f"紧急程度“{urgency_text}”无法识别（一般/紧急/特急）。")
        org = get(cells, "requester_org")
        if kind == RequesterKind.ENTERPRISE and not org:
            org = get(cells, "requester_name")
        intake = Intake(
            requester_kind=kind, channel=self.source.channel, category=category,
            title=title, content=content, requester_name=get(cells, "requester_name"),
            requester_phone=_phone(get(cells, "requester_phone")), requester_org=org,
            # this system's own export: a demand without an external id is known by its
            # number, which becomes its external id in another installation
            external_id=get(cells, "external_id") or get(cells, "number"),
            address=get(cells, "address"),
            # (checked and made decimal by the demand's own rules)
            longitude=get(cells, "longitude"), latitude=get(cells, "latitude"),
            urgency=urgency)
        return importing.Imported(intake=intake,
                                       received_at=parse_time(get(cells, "received_at")),
                                       number=get(cells, "number"))


def _title_from(content: str) -> str:
    first = content.strip().split("\n", 1)[0]
    for mark in "。；！？":
        first = first.split(mark, 1)[0]
    return first[:30]


def _phone(text: str) -> str:
    return text.replace(" ", "").replace("-", "") if text else ""


def _category_lookup() -> dict[str, Category]:
    """Leaf categories by code, by name, and by "大类/小类"."""
    lookup: dict[str, Category] = {}
    names: dict[str, list[Category]] = {}
    for category in Category.objects.filter(parent__isnull=False).select_related("parent"):
        lookup[category.code] = category
        lookup[f"{category.parent.name}/{category.name}"] = category
        lookup[f"{category.parent.name}-{category.name}"] = category
        names.setdefault(category.name, []).append(category)
    for name, found in names.items():
        if len(found) == 1:
            lookup.setdefault(name, found[0])
    return lookup


# --- the run ---------------------------------------------------------------------------
def run(job_id: int, *, chunk: int | None = None,
        progress: Callable[[Job], None] | None = None) -> Job:
    """Process the job from ``job.done`` to the end (worker, command line, tests)."""
    chunk = chunk or settings.IMPORT_CHUNK_ROWS
    with transaction.atomic():
        job = Job.objects.select_for_update().get(pk=job_id)
        if job.state in (JobState.DONE, JobState.DRAFT):
            return job
        job.state = JobState.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.beat_at = timezone.now()
        job.save(update_fields=["state", "started_at", "beat_at"])
    try:
        table = open_table(job.file, job.original_name)
        reader = RowReader(job.source, table.headers, job.mapping)
    except ActionError as error:
        Job.objects.filter(pk=job.pk).update(state=JobState.FAILED, message=error.message,
                                             finished_at=timezone.now())
        job.refresh_from_db()
        return job
    if table.total is not None and table.total != job.total:
        Job.objects.filter(pk=job.pk).update(total=table.total)
    from catalog import calendar

    calendar.current()  # loaded here: the reading thread must not need the database
    reading = _Reader(job, reader, table.numbered_rows, chunk)
    reading.start()
    statistics = _Statistics(job.created)
    clock = (job.seconds, time.monotonic())  # earlier runs' time, and this run's start
    try:
        while (prepared := reading.next()) is not None:
            job = _commit_chunk(job, prepared, clock)
            if job is None:
                return Job.objects.get(pk=job_id)  # another run is ahead: leave it the job
            statistics.update(job.created)  # (counted in the next chunk's time)
            if progress:
                progress(job)
    finally:
        reading.stop()
    if reading.broken:
        fail(job_id, reading.broken)
        return Job.objects.get(pk=job_id)
    Job.objects.filter(pk=job_id, state=JobState.RUNNING).update(
        state=JobState.DONE, finished_at=timezone.now(), total=F("done"))
    job = Job.objects.get(pk=job_id)
    if progress:
        progress(job)
    return job


@dataclass
class _Chunk:
    rows: int  # rows of the file this chunk covers
    refused: list[RowError]  # refused before the database is asked (format, duplicates)
    # the rows handed to the demand action: (row number, cells, external id)
    numbered: list[tuple[int, list[str], str]]
    prepared: importing.PreparedImport


class _Reader(threading.Thread):
    """Reads, checks and prepares the next chunks while the current one is written: the
    parsing is Python's work, the writing mostly the database's, and the machine has more
    than one core. Touches no database (the calendar and categories are loaded before)."""

    def __init__(self, job: Job, reader: RowReader, rows, chunk: int):
        super().__init__(name=f"import-{job.pk}-reader", daemon=True)
        self.job, self.reader, self.rows, self.chunk = job, reader, rows, chunk
        self.staff = job.created_by
        self.intake_unit = get_intake_unit()
        self.chunks: queue.Queue = queue.Queue(maxsize=2)
        self.stopping = threading.Event()
        self.broken: str | None = None
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            self._read()
        except BaseException as error:  # handed to the writer, which raises it
            self.failure = error
        finally:
            self._put(None)
            connections.close_all()

    def _put(self, item) -> bool:
        while not self.stopping.is_set():
            try:
                self.chunks.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def _read(self) -> None:
        first_row_of: dict[str, int] = {}  # external id → first row number (duplicates)
        position, skipped = self.job.done, 0
        pending: list[tuple[int, list[str]]] = []
        try:
            for number, cells in self.rows:
                if skipped < position:  # committed by an earlier run: remember, not redo
                    skipped += 1
                    _remember(self.reader, cells, number, first_row_of)
                    continue
                pending.append((number, cells))
                if len(pending) >= self.chunk:
                    if not self._put(self._prepare(pending, first_row_of)):
                        return
                    pending = []
        except ActionError as error:  # unreadable from here on: keep what came before
            self.broken = error.message
        if pending:
            self._put(self._prepare(pending, first_row_of))

    def _prepare(self, pending, first_row_of) -> _Chunk:
        reader = self.reader
        refused, items, numbered = [], [], []
        for number, cells in pending:
            duplicate = _remember(reader, cells, number, first_row_of)
            try:
                if duplicate:
                    raise ActionError("invalid", duplicate)
                items.append(reader.item(cells))
            except ActionError as error:
                refused.append(_row_error(self.job, number, cells,
                                          reader.cell(cells, "external_id"), error.message))
                continue
            numbered.append((number, cells, reader.cell(cells, "external_id")[:64]))
        prepared = importing.prepare_import(
            items, channel=self.job.source.channel, categories=reader.categories,
            intake_unit=self.intake_unit, staff=self.staff, at=timezone.now())
        return _Chunk(len(pending), refused, numbered, prepared)

    def next(self) -> _Chunk | None:
        item = self.chunks.get()
        if item is None and self.failure is not None:
            raise self.failure
        return item

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)


class _Statistics:
    """PostgreSQL plans the chunk's look-ups by the table's statistics, which autovacuum
    refreshes only now and then: a table that grew from nothing to a million rows during
    one import is still "empty" to the planner, which then scans instead of probing the
    index (a hundred times slower). ANALYZE each time this import has doubled what it wrote
    — nine times for a million rows, a fraction of a second each."""

    def __init__(self, created: int):
        self.next = max(2 * created, 2000)

    def update(self, created: int) -> None:
        if created < self.next or connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:  # only the columns the look-ups filter on
            cursor.execute("ANALYZE demands_demand (channel, external_id, number)")
        self.next = 2 * created


def _remember(reader: RowReader, cells, number: int, first_row_of: dict) -> str | None:
    external_id = reader.cell(cells, "external_id") or reader.cell(cells, "number")
    if not external_id:
        return None
    first = first_row_of.setdefault(external_id, number)
    return None if first == number else \
        f"工单编号“{external_id}”与第 {first} 行重复（同一文件中出现两次）。"


def _commit_chunk(job: Job, chunk: _Chunk, clock: tuple[float, float]) -> Job | None:
    """Write one chunk. The job's time is wall-clock time (reading, writing, committing),
    so the rate it shows is what the user waits for."""
    errors = list(chunk.refused)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The chunk and the job's position commit together, so a commit lost in a
            # server crash is simply done again by the resumed job: no need to wait for
            # the WAL to reach the disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.done != job.done or locked.state != JobState.RUNNING:
            return None
        outcomes = importing.import_prepared(job.created_by, chunk.prepared)
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        for (number, cells, external_id), outcome in zip(chunk.numbered, outcomes,
                                                          strict=True):
            if outcome.error is not None:
                errors.append(_row_error(job, number, cells, external_id,
                                         outcome.error.message))
            else:
                counts[outcome.result] += 1
        RowError.objects.bulk_create(errors, ignore_conflicts=True)
        locked.done += chunk.rows
        locked.created += counts["created"]
        locked.updated += counts["updated"]
        locked.unchanged += counts["unchanged"]
        locked.failed += len(errors)
        locked.beat_at = timezone.now()
        locked.seconds = clock[0] + (time.monotonic() - clock[1])
        locked.save(update_fields=["done", "created", "updated", "unchanged", "failed",
                                   "beat_at", "seconds"])
    return locked


def _row_error(job, number, cells, external_id: str, reason: str) -> RowError:
    return RowError(job=job, row_number=number, reason=reason[:500], values=cells,
                    external_id=external_id[:64])


def fail(job_id: int, message: str) -> None:
    Job.objects.filter(pk=job_id).exclude(state=JobState.DONE).update(
        state=JobState.FAILED, message=message[:500], finished_at=timezone.now())


def stale_jobs():
    """Running jobs whose worker stopped committing, and queued ones nobody picked up."""
    limit = timezone.now() - STALE_AFTER
    return Job.objects.filter(state__in=[JobState.RUNNING, JobState.QUEUED]).filter(
        Q(beat_at__lt=limit) | Q(beat_at__isnull=True, created_at__lt=limit))
