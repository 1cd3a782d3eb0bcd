"""Hotspots: planted clusters of demands are found by text and place; noise is not."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
import time_machine

from insights import hotspots

from .demand_helpers import at, registered
from .hotspot_helpers import (
    FAR_POINT,
    FUMES,
    FUMES_POINT,
    MUCK,
    MUCK_POINT,
    plant,
    plant_noise,
)

pytestmark = pytest.mark.django_db
NOV = (dt.date(2026, 11, 1), dt.date(2026, 11, 30))


@pytest.fixture
def planted(personas, categories):
    muck = plant(personas, categories.litter, MUCK, MUCK_POINT, seed=1)
    fumes = plant(personas, categories.litter, FUMES, FUMES_POINT, seed=2)
    noise = plant_noise(personas, categories.stall)
    # two other matters right at the muck spot: same place, other words
    for index, (title, content) in enumerate([("路灯不亮", "发展大道路灯晚上不亮，一片漆黑。"),
                                              ("井盖缺失", "发展大道人行道井盖缺失，很危险。")]):
        noise.append(registered(personas, categories.stall, f"2026-11-12 11:0{index}",
                                title=title, content=content, address="宿迁市宿城区发展大道88号",
                                latitude=f"{MUCK_POINT[0]:.6f}", longitude=f"{MUCK_POINT[1]:.6f}",
                                requester_phone=f"1360000000{index}"))
    return muck, fumes, noise


def by_keyword(found, word):
    matches = [h for h in found if any(word in k for k in h.keywords)]
    assert len(matches) == 1, [(h.keywords, h.size) for h in found]
    return matches[0]


def test_two_planted_topics_are_two_hotspots_and_noise_is_left_out(planted):
    muck, fumes, noise = planted
    found = hotspots.find(*NOV)
    assert len(found) == 2, [(h.keywords, h.size) for h in found]
    first, second = found
    assert (first.size, second.size) == (8, 6)  # largest first
    assert {d.id for d in by_keyword(found, "渣土车").demands} == {d.pk for d in muck}
    assert {d.id for d in by_keyword(found, "油烟").demands} == {d.pk for d in fumes}
    noise_ids = {d.pk for d in noise}
    assert not noise_ids & {d.id for h in found for d in h.demands}
    assert found.considered == len(muck) + len(fumes) + len(noise)
    assert not found.capped


def test_hotspot_labels_span_centre_and_trend(planted):
    muck, _, _ = planted
    found = hotspots.find(*NOV)
    spot = by_keyword(found, "渣土车")
    assert 3 <= len(spot.keywords) <= 5
    assert all(len(word) >= 2 for word in spot.keywords)
    assert "撒漏" in spot.keywords
    assert spot.first_at == min(d.submitted_at for d in muck)
    assert spot.last_at == max(d.submitted_at for d in muck)
    # the centre is near the planted point (within ~150 m), and every member is listed
    assert abs(spot.centre[0] - MUCK_POINT[0]) < 0.0015
    assert abs(spot.centre[1] - MUCK_POINT[1]) < 0.0015
    assert len(spot.points) == 8
    assert {d.number for d in spot.demands} == {d.number for d in muck}
    assert {d.external_id for d in spot.demands} == {d.external_id for d in muck}
    # 30 daily buckets; the demands were all in the earlier half (11-10 … 11-17) → not rising
    assert spot.trend.unit == "day"
    assert len(spot.trend.counts) == 30 and sum(spot.trend.counts) == 8
    assert spot.trend.counts[9] == 1  # 2026-11-10
    assert spot.trend.direction == hotspots.Direction.FALLING


def test_the_same_topic_in_two_far_apart_places_is_two_hotspots(personas, categories):
    here = plant(personas, categories.litter, MUCK, MUCK_POINT, seed=1)
    there = plant(personas, categories.litter, MUCK[:5], FAR_POINT, seed=3)
    found = hotspots.find(*NOV)
    assert [h.size for h in found] == [8, 5]
    assert {d.id for d in found[0].demands} == {d.pk for d in here}
    assert {d.id for d in found[1].demands} == {d.pk for d in there}
    assert all("渣土车" in h.keywords for h in found)


def test_too_few_demands_make_no_hotspot(personas, categories, settings):
    plant(personas, categories.litter, MUCK[:2], MUCK_POINT, seed=1)
    assert hotspots.find(*NOV) == []
    settings.HOTSPOT_MIN_SIZE = 2
    assert [h.size for h in hotspots.find(*NOV)] == [2]


def test_the_window_and_the_queryset_narrow_what_is_clustered(planted, org):
    _, fumes, _ = planted
    # a window before anything was submitted
    assert hotspots.find(dt.date(2026, 10, 1), dt.date(2026, 10, 31)) == []
    # only the fumes demands offered
    from demands.models import Demand

    found = hotspots.find(*NOV, queryset=Demand.objects.filter(pk__in=[d.pk for d in fumes]))
    assert [h.size for h in found] == [6]
    # top
    assert len(hotspots.find(*NOV, top=1)) == 1


def test_the_cap_is_reported_and_keeps_the_most_recent(planted, settings):
    settings.HOTSPOT_MAX_DEMANDS = 10
    found = hotspots.find(*NOV)
    assert found.capped and found.considered == 10 and found.in_window == 28


def test_demands_without_a_point_are_counted_not_placed(personas, categories):
    plant(personas, categories.litter, MUCK[:4], MUCK_POINT, seed=1)
    for index in range(3):
        registered(personas, categories.litter, f"2026-11-1{index} 08:00", title="渣土车撒漏",
                   content="渣土车撒漏泥土", latitude=None, longitude=None,
                   requester_phone=f"1350000000{index}")
    found = hotspots.find(*NOV)
    assert [h.size for h in found] == [4]
    assert found.without_point == 3


def test_same_data_same_hotspots(planted):
    one = hotspots.find(*NOV)
    two = hotspots.find(*NOV)
    assert [(h.keywords, h.demand_ids) for h in one] == [(h.keywords, h.demand_ids) for h in two]


@time_machine.travel(at("2026-11-30 12:00"), tick=False)
def test_the_default_window_is_the_last_30_days(planted):
    found = hotspots.find()
    assert (found.since, found.until) == NOV
    assert len(found) == 2


def test_rising_and_steady(personas, categories):
    # four in the last days of the window, none earlier: rising
    plant(personas, categories.litter, MUCK[:4], MUCK_POINT, seed=1, day=26)
    spot = hotspots.find(*NOV)[0]
    assert spot.trend.direction == hotspots.Direction.RISING
    assert spot.trend.direction_label == "上升"
    weekly = hotspots.find(dt.date(2026, 8, 1), dt.date(2026, 11, 30))[0]
    assert weekly.trend.unit == "week" and sum(weekly.trend.counts) == 4


def _rows(items):
    """Synthetic rows for the clustering alone: (title, content, lat, lon)."""
    rows = hotspots._Rows()
    for index, (title, content, lat, lon) in enumerate(items):
        rows.ids.append(index)
        rows.texts.append((title, content))
        rows.addresses.append("")
        rows.lats.append(lat)
        rows.lons.append(lon)
    return rows


def test_a_matter_common_everywhere_is_no_hotspot_but_a_dense_spot_of_it_is(monkeypatch):
    """600 overflowing-bin complaints spread evenly over 10 × 10 km (about five within
    500 m of each) would chain into city-wide clusters at three-in-500-m; the background
    rule keeps only the spot where 15 more came from one corner."""
    import random

    rng = random.Random(4)
    texts = [("垃圾桶满溢", "垃圾桶满了没人清运，垃圾溢出来了。"),
             ("垃圾桶满溢没人管", "小区垃圾桶满溢，垃圾清运不及时。"),
             ("垃圾清运不及时", "垃圾桶满溢好几天，清运车没来。")]
    spread = [(*rng.choice(texts), 33.90 + rng.uniform(0, 0.09), 118.20 + rng.uniform(0, 0.108))
              for _ in range(600)]
    spot = [(*rng.choice(texts), 33.95 + rng.uniform(-0.001, 0.001),
             118.25 + rng.uniform(-0.001, 0.001)) for _ in range(15)]
    rows = _rows(spread + spot)
    matrix, _ = hotspots._vectors(rows)
    labels, _ = hotspots._clusters(matrix, rows, radius_m=500, similarity=0.2, min_size=3)
    found = {label for label in labels if label >= 0}
    assert len(found) == 1
    members = {index for index, label in enumerate(labels) if label >= 0}
    assert len(members & set(range(600, 615))) >= 14  # the spot
    assert len(members - set(range(600, 615))) <= 10  # and few of the everyday ones

    # the everyday complaints alone make no hotspot …
    everyday = _rows(spread)
    matrix, _ = hotspots._vectors(everyday)
    labels, _ = hotspots._clusters(matrix, everyday, radius_m=500, similarity=0.2, min_size=3)
    assert not (labels >= 0).any()
    # … which is the background rule's doing: without it they chain into dozens of
    # "hotspots" holding a good part of the city's complaints
    monkeypatch.setattr(hotspots, "BACKGROUND_FACTOR", 0.0)
    monkeypatch.setattr(hotspots, "BACKGROUND_SIGMAS", 0.0)
    labels, _ = hotspots._clusters(matrix, everyday, radius_m=500, similarity=0.2, min_size=3)
    sizes = Counter(labels[labels >= 0].tolist())
    assert len(sizes) > 10 and sum(sizes.values()) > 200 and max(sizes.values()) > 20


def test_words_of_where_and_when_do_not_make_texts_alike():
    place = hotspots._place_words(["宿迁市宿城区幸福路12号", "宿迁市宿城区人民大道88号"])
    tokens = hotspots._tokens("黄河路广场东侧渣土车撒漏", "昨天晚上幸福路上渣土车撒漏泥土", place)
    assert {"渣土车", "撒漏", "泥土"} <= set(tokens)
    assert not {"黄河路", "东侧", "晚上", "昨天", "幸福"} & set(tokens)
    # two different matters named on one street are not alike
    rows = _rows([("幸福路路灯不亮", "幸福路东侧路灯晚上不亮", 33.96, 118.27),
                  ("幸福路井盖缺失", "幸福路东侧井盖缺失", 33.96, 118.27)])
    rows.addresses = ["宿迁市宿城区幸福路12号"] * 2
    matrix, _ = hotspots._vectors(rows)
    assert (matrix[0] @ matrix[1].T).toarray()[0, 0] < 0.2
