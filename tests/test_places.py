"""Places named in words (issue #10, items 2 and 3): the gazetteer, recognition in
real-style sentences, mentions stored as demands arrive, points from places, the
gazetteer grown from the demands, and hot topics without points."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from demands.models import Demand
from insights import topics
from lib.errors import ActionError
from places import actions
from places.models import Mention, Place, PlaceKind, PlaceSource
from places.recognise import recognise

from .demand_helpers import at, registered

K = PlaceKind


@pytest.fixture
def gazetteer(db):
    for name, kind, aliases, point in [
        ("幸福路菜市场", K.MARKET, ["幸福路菜场", "幸福菜场"], ("118.279500", "33.968800")),
        ("阳光花园", K.ESTATE, ["阳光花园小区"], ("118.267100", "33.962200")),
        ("洪泽湖路", K.ROAD, ["洪泽湖东路"], None),
        ("金鹰天地广场", K.LANDMARK, ["金鹰广场"], None),
    ]:
        Place.objects.create(name=name, kind=kind, aliases=aliases,
                             longitude=point and Decimal(point[0]),
                             latitude=point and Decimal(point[1]))


@pytest.mark.parametrize(("text", "expected"), [
    # the gazetteer, by name and by alias or abbreviation
    ("幸福菜场门口早上全是摆摊的", [("幸福路菜市场", K.MARKET)]),
    ("关于幸福路菜场早市占道的问题", [("幸福路菜市场", K.MARKET)]),
    ("阳光花园小区南门垃圾桶满了", [("阳光花园", K.ESTATE)]),
    ("金鹰广场东侧乱贴小广告", [("金鹰天地广场", K.LANDMARK)]),
    ("洪泽湖东路路灯不亮", [("洪泽湖路", K.ROAD)]),
    # names by their form: a road and a crossing
    ("发展大道和太湖路交叉口那个工地晚上打桩", [("发展大道", K.ROAD), ("太湖路", K.ROAD)]),
    ("我家在黄河南路和西湖路交叉口", [("黄河南路", K.ROAD), ("西湖路", K.ROAD)]),
    # an estate, a market, a village and a community the gazetteer does not know
    ("颐和家园东门有人私搭乱建", [("颐和家园", K.ESTATE)]),
    ("西湖路上的翠苑小区门口积水", [("西湖路", K.ROAD), ("翠苑", K.ESTATE)]),
    ("耿车镇大众村村委会门口有人烧垃圾", [("耿车镇", K.DISTRICT), ("大众村", K.VILLAGE)]),
    ("宿城区项里街道幸福社区门口积水", [("宿城区", K.DISTRICT), ("项里街道", K.DISTRICT),
                                  ("幸福社区", K.COMMUNITY)]),
    ("青海湖路公交站台旁边有个井盖没了", [("青海湖路", K.ROAD)]),
    # words that end like a place but are none
    ("路上很多垃圾，马路边有人烧烤", []),
    ("请问你们几点下班？", []),
])
def test_places_are_recognised_in_real_style_sentences(gazetteer, text, expected):
    assert [(found.name, found.kind) for found in recognise(content=text)] == expected


def test_a_new_demand_gets_its_mentions_and_the_point_of_the_place_it_names(
        gazetteer, personas, categories):
    demand = registered(personas, None, title="幸福菜场门口占道", content="早市摆摊堵路。",
                        address="", longitude=None, latitude=None)
    assert ("幸福路菜市场", "title") in demand.place_mentions.values_list("name", "field")
    demand.refresh_from_db()
    assert (demand.longitude, demand.latitude, demand.point_source) == \
        (Decimal("118.279500"), Decimal("33.968800"), "place")


def test_a_point_that_came_with_the_demand_is_kept(gazetteer, personas, categories):
    demand = registered(personas, None, title="阳光花园垃圾", content="南门垃圾堆积。")
    demand.refresh_from_db()
    assert (demand.longitude, demand.point_source) == (Decimal("118.275000"), "")


def test_the_gazetteer_grows_from_the_demands_and_is_edited(gazetteer, personas,
                                                            categories):
    for n in range(3):
        registered(personas, None, title=f"颐和家园东门垃圾{n}", content="垃圾没人清。",
                   requester_phone=f"1390527{n:04d}")
    assert ("颐和家园", K.ESTATE, 3) in actions.candidates()
    assert actions.grow(personas.receiver) >= 1
    grown = Place.objects.get(name="颐和家园")
    assert (grown.source, grown.confirmed, grown.demand_count) == \
        (PlaceSource.ADDRESSES, False, 3)
    place = actions.save_place(personas.receiver, grown, name="颐和家园", kind=K.ESTATE,
                               aliases=["颐和小区"], longitude="118.28", latitude="33.95")
    assert place.confirmed and recognise(content="颐和小区门口")[0].name == "颐和家园"
    with pytest.raises(ActionError, match="经度和纬度要么都填"):
        actions.save_place(personas.receiver, place, name="颐和家园", kind=K.ESTATE,
                           longitude="118.28")
    with pytest.raises(ActionError, match="没有维护地名库的权限"):
        actions.save_place(personas.handler_a, None, name="新地名", kind=K.ROAD)


def test_merging_a_place_into_another_moves_its_mentions(gazetteer, personas, categories):
    other = Place.objects.create(name="幸福早市", kind=K.MARKET)
    demand = registered(personas, None, title="幸福早市占道", content="早上堵。")
    assert demand.place_mentions.get(name="幸福早市").place == other
    market = Place.objects.get(name="幸福路菜市场")
    market = actions.merge(personas.receiver, other, market)
    assert "幸福早市" in market.aliases and not Place.objects.filter(name="幸福早市").exists()
    assert demand.place_mentions.get(name="幸福路菜市场").place == market


def _message(personas, n, title, content, phone, **extra):
    return registered(personas, None, when=f"2026-11-{n + 2:02d} 09:00", title=title,
                      content=content, requester_phone=phone, address="", longitude=None,
                      latitude=None, **extra)


def test_two_demands_naming_the_same_estate_without_points_are_one_hot_topic(
        personas, categories, settings):
    """No gazetteer, no points: the estate is recognised by its name in the text."""
    settings.HOTSPOT_MIN_SIZE = 2
    first = _message(personas, 1, "翠湖苑南门垃圾堆积", "翠湖苑南门垃圾堆了一个星期没人清运。",
                     "13905270001", supports=12)
    second = _message(personas, 2, "翠湖苑门口垃圾没人清", "翠湖苑小区门口垃圾好几天没人清运了。",
                      "13905270002", supports=3, opposes=1)
    elsewhere = _message(personas, 3, "青年路垃圾堆积", "青年路口垃圾堆了一个星期没人清运。",
                         "13905270003")
    assert all(d.longitude is None for d in Demand.objects.all())
    found = topics.find(at("2026-11-01 00:00").date(), at("2026-11-30 00:00").date())
    assert len(found) == 1
    topic = found[0]
    assert (topic.kind, topic.place, topic.rank) == ("place", "翠湖苑", 1)
    assert {d.id for d in topic.demands} == {first.pk, second.pk}
    assert elsewhere.pk not in {d.id for d in topic.demands}
    assert (topic.requesters, topic.supports, topic.opposes) == (2, 15, 1)
    assert "垃圾" in topic.matter
    # H = R × (1 + log10(1 + V)) × (1 + 7 / (7 + T)), T = 1 day
    assert topic.heat == round(2 * (1 + 1.2304489) * (1 + 7 / 8), 2)


def test_the_command_prints_the_topics_and_writes_the_tipdm_tables(personas, categories,
                                                                   settings, tmp_path):
    settings.HOTSPOT_MIN_SIZE = 2
    _message(personas, 1, "翠湖苑南门垃圾堆积", "翠湖苑南门垃圾堆了一个星期没人清运。",
             "13905270001")
    _message(personas, 2, "翠湖苑门口垃圾没人清", "翠湖苑小区门口垃圾好几天没人清运了。",
             "13905270002")
    out = io.StringIO()
    path = tmp_path / "热点.xlsx"
    call_command("hotspots", "--since", "2026-11-01", "--until", "2026-11-30", "--xlsx",
                 str(path), stdout=out)
    assert "1. 热度" in out.getvalue() and "翠湖苑" in out.getvalue()
    workbook = load_workbook(path)
    summary = list(workbook["热点问题表"].values)
    assert summary[0][:6] == ("热度排名", "问题ID", "热度指数", "时间范围", "地点/人群", "问题描述")
    assert summary[1][0] == 1 and summary[1][4] == "翠湖苑"
    detail = list(workbook["热点问题留言明细表"].values)
    assert len(detail) == 3 and {row[0] for row in detail[1:]} == {1}


def test_rescanning_after_the_gazetteer_changed(personas, categories):
    demand = registered(personas, None, title="翠湖苑南门垃圾", content="垃圾堆积。")
    assert demand.place_mentions.get(name="翠湖苑").place is None
    place = Place.objects.create(name="翠湖苑", kind=K.ESTATE, aliases=["翠湖小区"])
    assert actions.rescan() == Demand.objects.count()
    assert Mention.objects.get(demand=demand, name="翠湖苑").place == place
    place.refresh_from_db()
    assert place.demand_count == 1


def test_the_console_edits_the_gazetteer(client, gazetteer, personas, categories):
    from django.urls import reverse

    client.force_login(personas.handler_a)
    assert client.get(reverse("console:places")).status_code == 403
    client.force_login(personas.receiver)
    page = client.get(reverse("console:places")).content.decode()
    assert page.count('data-testid="place-row"') == 4
    response = client.post(reverse("console:place_add"), {
        "name": "翠湖苑", "kind": "estate", "aliases": "翠湖小区、翠湖花园",
        "longitude": "118.3", "latitude": "", "confirmed": "on", "is_active": "on"})
    assert response.status_code == 400
    assert "经度和纬度要么都填，要么都不填。" in response.content.decode()
    assert not Place.objects.filter(name="翠湖苑").exists()
    response = client.post(reverse("console:place_add"), {
        "name": "翠湖苑", "kind": "estate", "aliases": "翠湖小区、翠湖花园",
        "longitude": "118.3", "latitude": "33.95", "confirmed": "on", "is_active": "on"})
    assert response.status_code == 302
    assert Place.objects.get(name="翠湖苑").aliases == ["翠湖小区", "翠湖花园"]
    assert recognise(content="翠湖花园南门垃圾")[0].name == "翠湖苑"
