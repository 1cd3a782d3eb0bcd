"""What a bulletin says about its period: the figures, the assessment ranking, the overdue
and dissatisfied demands, the units below the satisfaction floor and the highlights of
the activity records — gathered through the domains' own read functions.

Everything is returned as plain values (text, numbers, lists of dicts): the Word template
sees nothing else, so an office's template cannot reach a record, and every free text
that may quote a citizen has passed through ``lib.privacy.mask_text``. The tags each
value fills are listed in docs/supervision.md section 3.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from activities.models import Activity, ActivityKind
from assessment import queries as assessment
from demands import kpis
from demands.models import Demand, Level
from lib.privacy import mask_text

OVERDUE_ROWS = 50  # the overdue demands listed (the longest overdue first); the rest counted
DISSATISFIED_ROWS = 30
HIGHLIGHT_ROWS = 10
SUMMARY_CHARS = 120  # a highlight's summary in the table


def bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The period [start 00:00, the day after end 00:00) in the bureau's time zone."""
    tz = ZoneInfo(settings.TIME_ZONE)
    return (dt.datetime.combine(start, dt.time(), tzinfo=tz),
            dt.datetime.combine(end + dt.timedelta(days=1), dt.time(), tzinfo=tz))


def chinese_date(day: dt.date) -> str:
    """2026年12月4日 (GB/T 9704: Arabic numerals, no leading zeros)."""
    return f"{day.year}年{day.month}月{day.day}日"


def period_text(start: dt.date, end: dt.date) -> str:
    """2026年11月23日至11月29日 (the second year only when it differs)."""
    if start == end:
        return chinese_date(start)
    tail = f"{end.month}月{end.day}日" if end.year == start.year else chinese_date(end)
    return f"{chinese_date(start)}至{tail}"


def satisfaction_floor() -> float:
    """Units whose satisfaction rate is below this share are listed (0–1)."""
    return getattr(settings, "BULLETIN_SATISFACTION_FLOOR", 90) / 100


def _percent(share: float) -> str:
    return f"{share * 100:g}%"


def _rate(rate: kpis.Rate) -> dict:
    return {"value": str(rate), "numerator": rate.numerator,
            "denominator": rate.denominator,
            "basis": f"{rate.numerator} / {rate.denominator}" if rate.denominator else "—"}


def figures(start_at: dt.datetime, end_at: dt.datetime, now: dt.datetime) -> dict:
    """The bureau's figures of the period (``demands.kpis.summary`` of every demand)."""
    found = kpis.summary(Demand.objects.all(), start_at, end_at, now=now)
    out = {name: _rate(found[name]) for name in (
        "satisfaction", "satisfaction_citizen", "satisfaction_grassroots",
        "satisfaction_enterprise", "on_time")}
    out["received"] = found["repeat"].denominator  # demands submitted in the period
    out["evaluated"] = found["satisfaction"].denominator
    out["overdue"] = found["overdue"]
    out["open_overdue"] = found["open_overdue"]
    return out


def summary_rows(numbers: dict) -> list[dict]:
    """The summary table: one row per figure, with what it is computed from."""
    rows = [{"label": "受理诉求", "value": f"{numbers['received']} 件",
             "basis": "统计期内提交的诉求"}]
    for key, label in (("satisfaction", "满意率"), ("satisfaction_citizen", "群众满意率"),
                       ("satisfaction_grassroots", "基层满意率"),
                       ("satisfaction_enterprise", "企业满意率")):
        rate = numbers[key]
        rows.append({"label": label, "value": rate["value"],
                     "basis": f"满意 {rate['basis']} 件" if rate["denominator"] else "无评价"})
    on_time = numbers["on_time"]
    rows.append({"label": "按时办结率", "value": on_time["value"],
                 "basis": f"按时 {on_time['basis']} 件" if on_time["denominator"]
                 else "无到期诉求"})
    rows.append({"label": "超期诉求", "value": f"{numbers['overdue']} 件",
                 "basis": "承诺时限在统计期内、未按时答复"})
    rows.append({"label": "当前超期未答复", "value": f"{numbers['open_overdue']} 件",
                 "basis": "生成通报时仍在办理、已过时限"})
    return rows


def _unit_name(row: dict, prefix: str) -> str:
    return row[f"{prefix}short_name"] or row[f"{prefix}name"]


def overdue(start_at: dt.datetime, end_at: dt.datetime, now: dt.datetime) -> tuple[list, int]:
    """The demands the period's overdue figure counts (committed deadline in the period,
    not answered in time; merged and invalid ones left out, as ``kpis`` does), the
    longest overdue first: ``([row], total)``. Days overdue: whole days, started days
    counted, from the committed deadline to the first reply (or to now, unanswered)."""
    found = (Demand.objects
             .filter(committed_deadline__gte=start_at, committed_deadline__lt=end_at)
             .exclude(state__in=kpis.EXCLUDED)
             .filter(Q(first_replied_at__isnull=False) | Q(committed_deadline__lt=now))
             .exclude(replied_on_time=True))
    total = found.count()
    late = ExpressionWrapper(Coalesce(F("first_replied_at"), Value(now)) - F("committed_deadline"),
                             output_field=DurationField())
    rows = []
    for index, item in enumerate(found.annotate(late=late).order_by("-late", "number")
                                    .values("number", "title", "requester_name",
                                            "committed_deadline", "first_replied_at",
                                            "current_unit__name", "current_unit__short_name")
                                    [:OVERDUE_ROWS], start=1):
        replied = item["first_replied_at"]
        span = (replied or now) - item["committed_deadline"]
        rows.append({
            "index": index,
            "number": item["number"],
            "title": mask_text(item["title"], item["requester_name"]),
            "unit": _unit_name(item, "current_unit__"),
            "deadline": timezone.localtime(item["committed_deadline"]).strftime("%Y-%m-%d %H:%M"),
            "days": max(1, math.ceil(span.total_seconds() / 86400)),
            "status": "逾期答复" if replied else "超期未答复",
        })
    return rows, total


def low_units(start_at: dt.datetime, end_at: dt.datetime, now: dt.datetime) -> list[dict]:
    """Units (by current unit, ``kpis.breakdown(..., "unit")``) whose satisfaction rate is
    below the floor, lowest first."""
    floor = satisfaction_floor()
    rows = []
    for _key, label, found in kpis.breakdown(Demand.objects.all(), start_at, end_at, "unit",
                                             now=now):
        rate = found["satisfaction"]
        if rate.denominator and rate.value < floor:
            rows.append((rate.value, label, rate))
    rows.sort(key=lambda row: (row[0], row[1]))
    return [{"index": index, "unit": label, "evaluated": rate.denominator,
             "satisfied": rate.numerator, "dissatisfied": rate.denominator - rate.numerator,
             "rate": str(rate)}
            for index, (_value, label, rate) in enumerate(rows, start=1)]


def dissatisfied(start_at: dt.datetime, end_at: dt.datetime) -> tuple[list, int]:
    """Demands first evaluated 不满意 or 非常不满意 in the period (what the satisfaction
    rate counts against), the worst first: ``([row], total)``."""
    found = Demand.objects.filter(first_evaluated_at__gte=start_at, first_evaluated_at__lt=end_at,
                                  first_evaluation_level__lte=Level.DISSATISFIED)
    total = found.count()
    rows = []
    for index, item in enumerate(found.order_by("first_evaluation_level", "first_evaluated_at",
                                                "number")
                                 .values("number", "title", "requester_name",
                                         "first_evaluation_level", "first_evaluated_at",
                                         "current_unit__name", "current_unit__short_name")
                                 [:DISSATISFIED_ROWS], start=1):
        rows.append({
            "index": index,
            "number": item["number"],
            "title": mask_text(item["title"], item["requester_name"]),
            "unit": _unit_name(item, "current_unit__"),
            "level": str(Level(item["first_evaluation_level"]).label),
            "date": timezone.localtime(item["first_evaluated_at"]).strftime("%Y-%m-%d"),
        })
    return rows, total


def highlights(start: dt.date, end: dt.date) -> tuple[list, list, int]:
    """The activity records of the period (newest first) and their count by kind:
    ``([row], [{"kind", "count"}], total)``."""
    found = Activity.objects.filter(occurred_on__gte=start, occurred_on__lte=end)
    counts = dict(found.values_list("kind").annotate(n=Count("pk")).order_by())
    by_kind = [{"kind": str(label), "count": counts[value]}
               for value, label in ActivityKind.choices if counts.get(value)]
    rows = []
    for index, item in enumerate(found.order_by("-occurred_on", "-id")
                                 .values("occurred_on", "kind", "summary", "unit__name",
                                         "unit__short_name")[:HIGHLIGHT_ROWS], start=1):
        text = mask_text(item["summary"]).replace("\n", " ").strip()
        if len(text) > SUMMARY_CHARS:
            text = text[:SUMMARY_CHARS - 1] + "…"
        rows.append({"index": index, "date": item["occurred_on"].strftime("%Y-%m-%d"),
                     "unit": _unit_name(item, "unit__"),
                     "kind": str(ActivityKind(item["kind"]).label), "summary": text})
    return rows, by_kind, sum(counts.values())


def ranking(start: dt.date, end: dt.date) -> tuple[list, str]:
    """The ranking of the assessment of exactly this period when one is published, else
    of the newest published one that ended by the period's end: ``([row], its title)``;
    ``([], "")`` when there is none."""
    chosen = assessment.latest_assessment(start, end)
    if chosen is None:
        newest = assessment.latest_assessment()
        chosen = newest if newest is not None and newest.ends_on <= end else None
    if chosen is None:
        return [], ""
    rows = [{"rank": row.rank if row.rank is not None else "—", "unit": row.unit_name,
             "total": f"{row.total:.2f}" if row.rank is not None else "未参评"}
            for row in assessment.ranking(chosen)]
    return rows, chosen.title


def gather(start: dt.date, end: dt.date, *, now: dt.datetime | None = None,
           step: Callable[[int], None] | None = None) -> dict:
    """The period's part of a bulletin's context (the tags of docs/supervision.md that do
    not depend on the bulletin itself). ``step(percent)`` is told how far it has got."""
    now = now or timezone.now()
    step = step or (lambda _percent: None)
    start_at, end_at = bounds(start, end)
    numbers = figures(start_at, end_at, now)
    step(30)
    ranked, ranking_title = ranking(start, end)
    step(40)
    late, late_total = overdue(start_at, end_at, now)
    step(55)
    units = low_units(start_at, end_at, now)
    bad, bad_total = dissatisfied(start_at, end_at)
    step(70)
    records, by_kind, record_total = highlights(start, end)
    step(80)
    return {
        "period_start": chinese_date(start),
        "period_end": chinese_date(end),
        "period_text": period_text(start, end),
        "figures": numbers,
        "summary": summary_rows(numbers),
        "ranking": ranked,
        "ranking_title": ranking_title,
        "overdue": late,
        "overdue_total": late_total,
        "overdue_more": late_total - len(late),
        "low_units": units,
        "satisfaction_floor": _percent(satisfaction_floor()),
        "dissatisfied": bad,
        "dissatisfied_total": bad_total,
        "dissatisfied_more": bad_total - len(bad),
        "highlights": records,
        "highlight_counts": by_kind,
        "highlight_total": record_total,
        "highlight_text": "，".join(f"{row['kind']} {row['count']} 次" for row in by_kind),
    }
