"""Reading a job's file and writing its rows: the preview and the run share one path.

A row becomes a ``demands.actions.Imported`` (``RowReader``), is checked against the rows
before it (the same external id twice) and by the demand's own rules
(``demands.actions.prepare_import``) — ``check_rows``. The preview stops there, so what it
calls importable is what the run imports.

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
import itertools
import queue
import re
import threading
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from catalog.models import Category, Urgency
from demands.actions import importing
from demands.actions.intake import Intake, get_intake_unit
from demands.models import RequesterKind
from lib.errors import ActionError

from . import jobs, signals
from .models import Job, JobState, RowError, Source
from .readers import open_table

PREVIEW_ROWS = 10
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
SENTENCE_END = re.compile(r"[。；！？\n]")
CATEGORY_PATH = re.compile(r"[/／>＞\\|｜-]|—+")


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


class RowReader:
    """Turns a row's cells into a ``demands.actions.Imported`` with the source's defaults.
    Refuses here only what the demand's rules cannot see (words of the file: kinds,
    urgencies, category names, times); the rest is ``prepare_import``'s."""

    def __init__(self, source: Source, headers: list[str], mapping: dict):
        self.source = source
        self.width = len(headers)
        self.columns = {field: headers.index(column) for field, column in mapping.items()
                        if column in headers}
        self.categories = _category_lookup()
        self.default_category = source.default_category

    def cell(self, cells, field) -> str:
        index = self.columns.get(field)
        return cells[index] if index is not None else ""

    def item(self, cells) -> importing.Imported:
        if len(cells) > self.width:
            raise ActionError("invalid", f"本行有 {len(cells)} 个单元格，比列名多 "
                                         f"{len(cells) - self.width} 个，其后各列已错位："
                                         "某个单元格里的逗号是否没有加引号？请改正后再导入。")
        get = self.cell
        content = get(cells, "content")
        title = get(cells, "title")
        if not title and not content.strip():
            # the title would be the content's first words: what is missing is the content
            raise ActionError("invalid", "请填写诉求内容。", "content")
        title = title or _title_from(content)
        kind_text = get(cells, "requester_kind")
        kind = KINDS.get(kind_text, self.source.default_kind) if kind_text else \
            self.source.default_kind
        if kind_text and kind_text not in KINDS:
            raise ActionError("invalid", f"诉求人类型“{kind_text}”无法识别（群众/基层/企业）。",
                              "requester_kind")
        # no category (and no default for the source): the demand waits in 待分类
        category = self._category(get(cells, "category")) or self.default_category
        urgency_text = get(cells, "urgency")
        urgency = None
        if urgency_text:
            urgency = URGENCIES.get(urgency_text)
            if urgency is None:
                raise ActionError("invalid",
                                  f"紧急程度“{urgency_text}”无法识别（一般/紧急/特急）。",
                                  "urgency")
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
            urgency=urgency, supports=get(cells, "supports"), opposes=get(cells, "opposes"))
        return importing.Imported(intake=intake,
                                       received_at=parse_time(get(cells, "received_at")),
                                       number=get(cells, "number"))


    def _category(self, text: str) -> Category | None:
        """The leaf category a cell names: by code, name or "大类/小类" — or, as the
        hotline writes its 问题分类, by a path whose last levels are those
        ("城市管理-市容环境-暴露垃圾", "城市管理>市容环境>暴露垃圾")."""
        if not text:
            return None
        found = self.categories.get(text)
        if found is None:
            levels = [level.strip() for level in CATEGORY_PATH.split(text) if level.strip()]
            found = self.categories.get("/".join(levels[-2:])) or \
                self.categories.get(levels[-1] if levels else "")
        if found is None:
            raise ActionError("invalid", f"类别“{text}”不存在。如文件的分类与本系统不同，"
                                         "可不对应类别列：诉求进入“待分类”。", "category")
        return found


def _title_from(content: str) -> str:
    """The content's first sentence that has words in it, at most 30 characters."""
    for sentence in SENTENCE_END.split(content):
        if sentence.strip():
            return sentence.strip()[:30]
    return ""


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


# --- the checks both the preview and the run make --------------------------------------
@dataclass
class _Chunk:
    rows: int  # rows of the file this chunk covers
    # refused before the database is asked (format, duplicates): (row number, cells,
    # external id, why)
    refused: list[tuple[int, list[str], str, ActionError]]
    # the rows handed to the demand action, in the order of its items: (row number,
    # cells, external id)
    numbered: list[tuple[int, list[str], str]]
    prepared: importing.PreparedImport


def check_rows(reader: RowReader, pending, first_row_of: dict, *, intake_unit,
               staff) -> _Chunk:
    """Read, check and prepare rows ``pending`` ((row number, cells) pairs) without
    touching the database. ``first_row_of`` (external id → first row number) carries the
    duplicate check across chunks."""
    refused, items, numbered = [], [], []
    for number, cells in pending:
        external_id = reader.cell(cells, "external_id")
        duplicate = _remember(reader, cells, number, first_row_of)
        try:
            if duplicate:
                raise duplicate
            items.append(reader.item(cells))
        except ActionError as error:
            refused.append((number, cells, external_id, error))
            continue
        numbered.append((number, cells, external_id[:64]))
    prepared = importing.prepare_import(
        items, channel=reader.source.channel, categories=reader.categories,
        intake_unit=intake_unit, staff=staff, at=timezone.now())
    return _Chunk(len(pending), refused, numbered, prepared)


def _remember(reader: RowReader, cells, number: int, first_row_of: dict) -> ActionError | None:
    """The row's external id noted; an error if an earlier row of the file had it."""
    field = "external_id" if reader.cell(cells, "external_id") else "number"
    external_id = reader.cell(cells, field)
    if not external_id:
        return None
    first = first_row_of.setdefault(external_id, number)
    if first == number:
        return None
    return ActionError("invalid", f"工单编号“{external_id}”与第 {first} 行重复"
                                  "（同一文件中出现两次）。", field)


@dataclass
class PreviewRow:
    number: int  # as a spreadsheet shows it
    cells: list[str]  # as the file has them, one per header
    # importable: the demand's fields as the import would write them, and the row read
    fields: dict | None = None
    item: importing.Imported | None = None
    error: ActionError | None = None  # refused: why, and which field


def preview(job: Job, mapping: dict | None = None,
            rows: int = PREVIEW_ROWS) -> tuple[list[str], list[PreviewRow]]:
    """The first rows as the file has them and as they would be imported, or why not:
    the run's own checks (``check_rows``), so the rows the preview accepts are the rows
    the import accepts."""
    mapping = job.mapping if mapping is None else mapping
    try:
        table = open_table(job.file, job.original_name)
        reader = RowReader(job.source, table.headers, mapping)
        pending = list(itertools.islice(table.numbered_rows, rows))
    finally:
        job.file.close()
    chunk = check_rows(reader, pending, {}, intake_unit=get_intake_unit(),
                       staff=job.created_by)
    out = {number: PreviewRow(number, cells, error=error)
           for number, cells, _, error in chunk.refused}
    for (number, cells, _), outcome in zip(chunk.numbered, chunk.prepared.outcomes,
                                           strict=True):
        out[number] = PreviewRow(number, cells, error=outcome.error)
    for index, fields, item, _ in chunk.prepared.valid:
        number, cells, _ = chunk.numbered[index]
        out[number] = PreviewRow(number, cells, fields=fields, item=item)
    return table.headers, [out[number] for number, _ in pending]


# --- the run ---------------------------------------------------------------------------
def run(job_id: int, *, chunk: int | None = None,
        progress: Callable[[Job], None] | None = None) -> Job:
    """Process the job from ``job.done`` to the end (worker, command line, tests)."""
    chunk = chunk or settings.IMPORT_CHUNK_ROWS
    job = jobs.start(job_id)
    if job.state != JobState.RUNNING:
        return job
    source = job.file  # closed when the run ends, however it ends
    try:
        table = open_table(source, job.original_name)
        reader = RowReader(job.source, table.headers, job.mapping)
    except ActionError as error:
        source.close()
        jobs.fail(job.pk, error.message)
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
        source.close()
    if reading.broken:
        jobs.fail(job_id, reading.broken)
        return Job.objects.get(pk=job_id)
    job = jobs.finish(job_id)
    if progress:
        progress(job)
    return job


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
                    if not self._put(self._check(pending, first_row_of)):
                        return
                    pending = []
        except ActionError as error:  # unreadable from here on: keep what came before
            self.broken = error.message
        if pending:
            self._put(self._check(pending, first_row_of))

    def _check(self, pending, first_row_of) -> _Chunk:
        return check_rows(self.reader, pending, first_row_of, intake_unit=self.intake_unit,
                          staff=self.staff)

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


def _commit_chunk(job: Job, chunk: _Chunk, clock: tuple[float, float]) -> Job | None:
    """Write one chunk. The job's time is wall-clock time (reading, writing, committing),
    so the rate it shows is what the user waits for."""
    errors = [_row_error(job, number, cells, external_id, error.message)
              for number, cells, external_id, error in chunk.refused]
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
        waiting = [outcome.demand for outcome in outcomes
                   if outcome.result == "created" and outcome.demand.category_id is None]
        classified = 0
        if waiting:
            classified = sum(count or 0 for _receiver, count in signals.chunk_imported.send(
                sender=Job, job=locked, demands=waiting))
        locked.classified += classified
        locked.unclassified += len(waiting) - classified
        locked.done += chunk.rows
        locked.created += counts["created"]
        locked.updated += counts["updated"]
        locked.unchanged += counts["unchanged"]
        locked.failed += len(errors)
        locked.beat_at = timezone.now()
        locked.seconds = clock[0] + (time.monotonic() - clock[1])
        locked.save(update_fields=["done", "created", "updated", "unchanged", "failed",
                                   "classified", "unclassified", "beat_at", "seconds"])
    return locked


def _row_error(job, number, cells, external_id: str, reason: str) -> RowError:
    return RowError(job=job, row_number=number, reason=reason[:500], values=cells,
                    external_id=external_id[:64])
