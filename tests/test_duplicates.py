"""Duplicate detection: planted repeats are found, unrelated demands are not; batch and
single checks agree; the intake actions trigger it; the repeat-demand rate counts it."""

from __future__ import annotations

import pytest

from demands import kpis
from demands.actions import triage
from demands.actions.intake import submit, submit_many
from demands.models import Demand
from insights import duplicates, receivers
from insights.actions import dismiss_flag
from insights.models import DuplicateFlag, FlagState
from lib.chinese import similarity

from .demand_helpers import at, intake, registered

pytestmark = pytest.mark.django_db

# The helper's demand: 小区门口垃圾堆积 at 幸福路12号 (118.275, 33.963), phone 13905271234.
AGAIN = {"title": "小区门口垃圾还是没人清运",
         "content": "幸福路12号小区门口的垃圾已经三天没人清运了，气味很大，上次反映过。"}
LAMP = {"title": "路灯不亮", "content": "幸福路12号小区门口路灯坏了一个星期，晚上很黑。"}
NO_POINT = {"longitude": "", "latitude": ""}
OTHER_PHONE = {"requester_phone": "13700001111", "requester_name": "李先生"}
# about 120 m north of the helper's point; about 5 km north
NEAR = {"latitude": "33.964080"}
FAR = {"latitude": "34.008"}


def flags_of(demand):
    return list(DuplicateFlag.objects.filter(demand=demand).order_by("-score"))


def test_a_repeat_from_the_same_phone_is_flagged_with_its_original(personas, categories):
    first = registered(personas, categories.litter, "2026-11-02 09:00")
    again = registered(personas, categories.stall, "2026-11-20 09:00", **AGAIN, **NO_POINT)
    [flag] = flags_of(again)
    assert (flag.original, flag.reasons, flag.state) == (first, ["phone"], FlagState.OPEN)
    assert 0.3 < flag.score < 1
    assert again.is_repeat and Demand.objects.get(pk=again.pk).is_repeat
    assert not Demand.objects.get(pk=first.pk).is_repeat
    assert flags_of(first) == []  # only earlier demands are originals


def test_a_nearby_demand_with_the_same_text_from_someone_else_is_flagged(personas,
                                                                         categories):
    first = registered(personas, categories.litter, "2026-11-02 09:00")
    copy = registered(personas, categories.litter, "2026-11-03 10:00", **OTHER_PHONE, **NEAR,
                      channel="weibo")
    [flag] = flags_of(copy)
    assert (flag.original, flag.reasons) == (first, ["place"])
    assert flag.score == 1.0
    distance = duplicates.distance_between(first, copy)
    assert 100 < distance < 140


def test_same_phone_and_same_place_give_both_reasons(personas, categories):
    first = registered(personas, categories.litter, "2026-11-02 09:00")
    again = registered(personas, categories.litter, "2026-11-02 15:00", **AGAIN)
    [flag] = flags_of(again)
    assert (flag.original, flag.reasons) == (first, ["phone", "place"])


@pytest.mark.parametrize(("when", "overrides", "why"), [
    ("2026-11-20 09:00", LAMP, "same phone and place, another topic"),
    ("2026-11-03 09:00", {**OTHER_PHONE, **FAR}, "same text 5 km away, someone else"),
    ("2026-12-03 09:00", {}, "same phone and text, 31 days later"),
])
def test_unrelated_demands_are_not_flagged(personas, categories, when, overrides, why):
    registered(personas, categories.litter, "2026-11-02 09:00")
    later = registered(personas, categories.litter, when, **overrides)
    assert flags_of(later) == [], why
    assert not Demand.objects.get(pk=later.pk).is_repeat


def test_the_window_and_radius_are_settings(personas, categories, settings):
    settings.DUPLICATE_WINDOW_DAYS = 60
    settings.DUPLICATE_RADIUS_M = 6000
    first = registered(personas, categories.litter, "2026-11-02 09:00")
    late = registered(personas, categories.litter, "2026-12-03 09:00")
    far = registered(personas, categories.litter, "2026-11-03 09:00", **OTHER_PHONE, **FAR)
    assert [f.original for f in flags_of(late)] == [first]
    assert [f.original for f in flags_of(far)] == [first]


def test_merged_and_invalid_demands_are_no_originals(personas, categories):
    original = registered(personas, categories.litter, "2026-11-02 09:00", **OTHER_PHONE)
    merged = registered(personas, categories.litter, "2026-11-02 10:00")
    triage.merge(personas.dispatcher, merged, original)
    triage.invalidate(personas.receiver, original, "测试来电")
    later = registered(personas, categories.litter, "2026-11-05 09:00")
    assert flags_of(later) == []


def test_the_three_most_similar_originals_are_kept(personas, categories):
    texts = ["幸福路12号小区门口垃圾两天没人清运，气味很大。",
             "幸福路12号小区门口垃圾两天没人清运。",
             "幸福路12号小区门口垃圾没人清运，气味很大。",
             "小区门口垃圾两天没人清运。",
             "幸福路12号小区门口垃圾两天没清运，很臭。"]
    olds = [registered(personas, categories.litter, f"2026-11-0{2 + i} 09:00", content=text,
                       requester_phone=f"1370000000{i}") for i, text in enumerate(texts)]
    new = registered(personas, categories.litter, "2026-11-09 09:00", **OTHER_PHONE)
    flags = flags_of(new)
    assert len(flags) == 3
    assert flags[0].original == olds[0] and flags[0].score == 1.0
    scores = [f.score for f in flags]
    assert scores == sorted(scores, reverse=True)
    others = [similarity(f"{new.title}\n{new.content}", f"{old.title}\n{old.content}")
              for old in olds if old not in [f.original for f in flags]]
    assert max(others) <= min(scores)


def test_checking_again_adds_nothing_and_keeps_decisions(personas, categories):
    registered(personas, categories.litter, "2026-11-02 09:00")
    again = registered(personas, categories.litter, "2026-11-03 09:00", **AGAIN)
    [flag] = flags_of(again)
    dismiss_flag(personas.dispatcher, flag)
    assert not Demand.objects.get(pk=again.pk).is_repeat
    duplicates.check(Demand.objects.get(pk=again.pk))
    assert [(f.pk, f.state) for f in flags_of(again)] == [(flag.pk, FlagState.DISMISSED)]
    assert not Demand.objects.get(pk=again.pk).is_repeat


def test_a_batch_check_finds_what_single_checks_find(personas, categories):
    demands = [
        registered(personas, categories.litter, "2026-11-02 09:00"),
        registered(personas, categories.litter, "2026-11-02 11:00", **OTHER_PHONE, **NEAR),
        registered(personas, categories.stall, "2026-11-04 09:00", **AGAIN, **NO_POINT),
        registered(personas, categories.litter, "2026-11-05 09:00", **LAMP),
        registered(personas, categories.litter, "2026-11-05 09:00", **FAR,
                   requester_phone="13600002222"),
        registered(personas, categories.litter, "2026-12-20 09:00"),
    ]
    fresh = list(Demand.objects.filter(pk__in=[d.pk for d in demands]).order_by("pk"))
    together = duplicates.find_many(fresh)
    one_by_one = {d.pk: duplicates.find(d) for d in fresh}
    assert together == one_by_one
    assert [bool(together[d.pk]) for d in fresh] == [False, True, True, False, False, False]


def test_submit_checks_at_once_and_large_batches_go_to_the_worker(
        personas, categories, monkeypatch, django_capture_on_commit_callbacks):
    first, _ = submit(None, intake(categories.litter), at=at("2026-11-02 09:00"))
    second, _ = submit(None, intake(categories.litter, **AGAIN),
                               at=at("2026-11-02 10:00"))
    assert [f.original for f in flags_of(second)] == [first]
    queued = []
    from insights import tasks

    monkeypatch.setattr(tasks.check_duplicates, "delay", queued.append)
    monkeypatch.setattr(tasks.index_demands, "delay", lambda ids: None)  # search's part
    items = [intake(categories.litter, external_id=f"B-{i}", channel="12345",
                    requester_phone=f"1360000{i:04d}") for i in range(duplicates.INLINE_LIMIT + 1)]
    with django_capture_on_commit_callbacks(execute=True):
        results = submit_many(None, items, at=at("2026-11-02 11:00"))
    ids = [r.demand.pk for r in results]
    assert not DuplicateFlag.objects.filter(demand_id__in=ids).exists()  # not inline
    assert queued == [ids]
    assert tasks.check_duplicates(queued[0]) == len(ids)  # every one repeats the first
    assert set(DuplicateFlag.objects.filter(demand_id__in=ids).values_list(
        "demand_id", flat=True)) == set(ids)
    assert tasks.check_duplicates(queued[0]) == len(ids)  # a rerun writes nothing new
    assert DuplicateFlag.objects.filter(demand_id__in=ids).count() <= 3 * len(ids)


def test_a_file_import_is_checked_by_the_worker(personas, categories, monkeypatch,
                                                django_capture_on_commit_callbacks):
    queued = []
    from insights import tasks

    monkeypatch.setattr(tasks.check_duplicates, "delay", queued.append)
    monkeypatch.setattr(tasks.index_demands, "delay", lambda ids: None)  # search's part
    original = registered(personas, categories.litter, "2026-11-02 09:00")
    copy = registered(personas, categories.litter, "2026-11-02 10:00", **OTHER_PHONE, **NEAR)
    DuplicateFlag.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        receivers.check_new_demands(Demand, demands=[copy], source="import")
    assert queued == [[copy.pk]] and not flags_of(copy)
    tasks.check_duplicates(queued[0])
    assert [f.original for f in flags_of(copy)] == [original]


def test_the_repeat_rate_counts_flagged_demands(personas, categories):
    registered(personas, categories.litter, "2026-11-02 09:00")
    again = registered(personas, categories.litter, "2026-11-03 09:00", **AGAIN)
    registered(personas, categories.litter, "2026-11-04 09:00", **LAMP)
    start, end = kpis.month_bounds(2026, 11)
    figures = kpis.summary(Demand.objects.all(), start, end, now=at("2026-11-30 09:00"))
    assert (figures["repeat"].numerator, figures["repeat"].denominator) == (1, 3)
    dismiss_flag(personas.dispatcher, flags_of(again)[0])
    figures = kpis.summary(Demand.objects.all(), start, end, now=at("2026-11-30 09:00"))
    assert figures["repeat"].numerator == 0
    assert "疑似重复" in kpis.DEFINITIONS["repeat"]
