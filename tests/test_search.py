"""Search across demands: Chinese substrings and words, ranking, tracking numbers, the
permission filter, index maintenance, the rebuild command and the console page."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from demands import signals
from demands.actions import handover
from demands.actions.intake import submit, submit_many
from demands.models import Demand
from insights import search
from insights.search import SearchError

from .demand_helpers import at, handling, intake, registered

pytestmark = pytest.mark.django_db


def numbers(user, text, **kwargs) -> list[str]:
    return [hit.demand.number for hit in search.search(user, text, **kwargs).hits]


@pytest.fixture
def stall(personas, categories):
    """A demand whose two-character words sit inside a sentence, title without them."""
    return registered(personas, categories.stall, title="市民反映夜间噪音",
                      content="小区门口有人占道经营，晚上十点以后还很吵。",
                      address="宿迁市宿城区幸福路12号", requester_name="欧阳娜娜")


@pytest.fixture
def other(personas, categories):
    return registered(personas, categories.litter, title="路灯不亮",
                      content="发展大道公交站台旁的路灯坏了三天。",
                      address="宿迁市发展大道", requester_name="陈先生")


def test_a_two_character_word_inside_a_sentence_is_found(personas, stall, other):
    assert numbers(personas.leader, "占道") == [stall.number]
    assert numbers(personas.leader, "门口") == [stall.number]
    assert numbers(personas.leader, "路灯") == [other.number]


def test_a_substring_must_stand_together_not_as_scattered_characters(personas, stall):
    # 门 and 经 both occur in the text, but never as "门经"
    assert numbers(personas.leader, "门经") == []
    assert numbers(personas.leader, "道经营") == [stall.number]


def test_two_words_require_both(personas, categories, stall, other):
    both = registered(personas, categories.litter, title="垃圾未清运",
                      content="幸福路小区门口的垃圾桶满了没人清理。")
    assert set(numbers(personas.leader, "门口")) == {stall.number, both.number}
    assert numbers(personas.leader, "门口 垃圾") == [both.number]
    assert numbers(personas.leader, "垃圾门口") == [both.number]  # segmented, then ANDed
    assert numbers(personas.leader, "门口 路灯") == []


def test_a_title_match_ranks_above_a_content_only_match(personas, categories):
    titled = registered(personas, categories.litter, when="2026-11-20 09:00",
                        title="井盖缺失", content="人行道上有个洞，很危险。")
    content_only = registered(personas, categories.litter, when="2026-11-23 09:00",
                              title="道路安全隐患",
                              content="井盖没了，井盖旁边还有井盖碎片，井盖必须赶快补上。")
    assert numbers(personas.leader, "井盖") == [titled.number, content_only.number]


def test_a_tracking_number_or_external_id_finds_its_demand_first(personas, categories,
                                                                   stall, other):
    assert numbers(personas.leader, stall.number)[0] == stall.number
    assert numbers(personas.leader, stall.number.lower())[0] == stall.number
    hit = search.search(personas.leader, other.number).hits[0]
    assert hit.exact and hit.demand == other
    upstream = registered(personas, categories.litter, channel="12345",
                          external_id="GD20261123-0042", title="窨井盖松动")
    assert numbers(personas.leader, "GD20261123-0042")[0] == upstream.number


def test_a_handler_does_not_find_another_units_demand_a_leader_does(personas, org,
                                                                    categories):
    demand = handling(personas, org, categories.litter, title="菜市场旁油烟扰民",
                      content="菜市场旁的饭店油烟直排。")
    assert numbers(personas.handler_a, "油烟") == [demand.number]
    assert numbers(personas.handler_b, "油烟") == []
    assert numbers(personas.handler_b, demand.number) == []  # not by number either
    assert numbers(personas.leader, "油烟") == [demand.number]
    assert numbers(personas.supervisor, "油烟") == [demand.number]


def test_a_queryset_narrows_the_search_and_the_permission_filter_still_applies(
        personas, org, categories):
    mine = handling(personas, org, categories.litter, title="油烟扰民", content="饭店油烟直排。")
    theirs = registered(personas, categories.litter, title="油烟很大", content="烧烤油烟。")
    only_mine = Demand.objects.filter(pk=mine.pk)
    assert numbers(personas.leader, "油烟", queryset=only_mine) == [mine.number]
    assert numbers(personas.leader, "油烟", queryset=Demand.objects.filter(pk=theirs.pk)) \
        == [theirs.number]
    assert numbers(personas.handler_b, "油烟", queryset=only_mine) == []


def test_after_a_transfer_the_new_unit_finds_the_demand_and_the_old_one_does_not(
        personas, org, categories):
    demand = handling(personas, org, categories.litter, title="窨井冒水", content="窨井冒水。")
    assert numbers(personas.handler_a, "冒水") == [demand.number]
    handover.transfer(personas.dispatcher, demand, org.unit_b, "属市政设施管理处职责",
                     at=at("2026-11-23 10:00"))
    assert numbers(personas.handler_b, "冒水") == [demand.number]
    assert numbers(personas.handler_a, "冒水") == []


def test_the_requester_name_is_searchable_by_staff(personas, stall):
    hits = search.search(personas.leader, "欧阳").hits
    assert [h.demand for h in hits] == [stall]
    assert "<mark>欧阳</mark>娜娜" in hits[0].name_html


def test_demands_from_every_intake_path_are_findable_without_a_manual_step(personas,
                                                                         categories):
    submitted, _ = submit(None, intake(categories.litter, title="共享单车乱停放",
                                               content="地铁口共享单车堆成山。"))
    registered_one = registered(personas, categories.litter, title="渣土车抛洒",
                                content="渣土车沿路抛洒泥土。")
    batch = submit_many(personas.receiver, [
        intake(categories.litter, title="广告牌摇晃", content="楼顶广告牌被风吹得摇晃。"),
        intake(categories.stall, title="夜市烧烤", content="夜市烧烤油烟很大。"),
    ], at=at("2026-11-23 10:00"))
    assert numbers(personas.leader, "单车") == [submitted.number]
    assert numbers(personas.leader, "抛洒") == [registered_one.number]
    assert numbers(personas.leader, "广告牌") == [batch[0].demand.number]
    assert numbers(personas.leader, "烧烤") == [batch[1].demand.number]


def test_an_import_chunk_is_indexed_by_a_worker_after_commit(personas, categories,
                                                             monkeypatch,
                                                             django_capture_on_commit_callbacks):
    from insights import tasks

    queued = []
    monkeypatch.setattr(tasks.index_demands, "delay",
                        lambda ids: queued.append(ids) or tasks.index_demands(ids))
    demand = registered(personas, categories.litter, title="树木倒伏", content="台风后大树倒伏。")
    _forget(demand)
    assert numbers(personas.leader, "倒伏") == []
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        signals.demands_created.send(sender=Demand, demands=[demand], source="import")
        assert queued == []  # nothing before the commit
    assert queued == [[demand.pk]]
    assert numbers(personas.leader, "倒伏") == [demand.number]


def test_an_updated_demand_is_found_by_its_new_text(personas, categories, stall):
    Demand.objects.filter(pk=stall.pk).update(content="桥下有人钓鱼。")
    stall.refresh_from_db()
    signals.demands_updated.send(sender=Demand, demands=[stall], source="import_update")
    assert numbers(personas.leader, "钓鱼") == [stall.number]
    assert numbers(personas.leader, "占道") == []


def _forget(demand):
    column = "demand_id" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM insights_searchdoc WHERE {column} = %s", [demand.pk])  # noqa: S608


def _documents() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM insights_searchdoc")
        return cursor.fetchone()[0]


def test_the_rebuild_command_restores_the_index_and_can_run_twice(personas, stall, other):
    _forget(stall)
    _forget(other)
    assert numbers(personas.leader, "占道") == []
    out = StringIO()
    call_command("rebuild_search_index", "--batch", "1", stdout=out)
    assert "完成：索引 2 条" in out.getvalue()
    assert numbers(personas.leader, "占道") == [stall.number]
    call_command("rebuild_search_index", stdout=StringIO())
    assert _documents() == 2
    _forget(other)
    out = StringIO()
    call_command("rebuild_search_index", "--missing", stdout=out)
    assert "完成：索引 1 条" in out.getvalue()
    assert numbers(personas.leader, "路灯") == [other.number]


@pytest.mark.parametrize("text", ["", "   ", "，。！？", "……", "!!!"])
def test_an_empty_or_punctuation_only_query_gives_a_chinese_message(personas, text):
    with pytest.raises(SearchError) as caught:
        search.search(personas.leader, text)
    assert caught.value.message in ("请输入要搜索的内容。",
                                    "请输入文字或数字：只有标点符号无法搜索。")


def test_a_one_character_query_is_too_short(personas, stall):
    with pytest.raises(SearchError, match="至少输入两个汉字"):
        search.search(personas.leader, "门")


def test_single_characters_join_their_neighbour_and_stop_words_break(personas, categories):
    query = search.parse("树倒了 压到车")
    assert "树倒" in query.words
    assert all(len(word) >= 2 for word in query.words)
    fallen = registered(personas, categories.litter, title="树倒了",
                        content="大风把树刮倒，压到车了。")
    assert numbers(personas.leader, "树倒") == [fallen.number]


def test_full_width_letters_and_digits_match(personas, categories):
    demand = registered(personas, categories.litter, title="车牌苏N12345违停",
                        content="车辆长期占用消防通道。")
    assert numbers(personas.leader, "ｎ１２３４５") == [demand.number]


def test_pages_and_counts(personas, categories):
    made = [registered(personas, categories.litter, when=f"2026-11-{day:02d} 09:00",
                       title=f"第{day}号井盖破损", content="井盖破损。") for day in range(2, 9)]
    first = search.search(personas.leader, "井盖", limit=3)
    second = search.search(personas.leader, "井盖", limit=3, offset=3)
    assert first.total == 7 and first.count_label == "7" and first.has_next
    assert len({h.demand.pk for h in first.hits + second.hits}) == 6
    assert {h.demand.pk for h in first.hits} <= {d.pk for d in made}


def test_highlighting_escapes_html():
    html = search.highlight("<b>占道</b> & 经营", ["占道"])
    assert html == "&lt;b&gt;<mark>占道</mark>&lt;/b&gt; &amp; 经营"
    snippet = search.highlight("甲" * 200 + "占道" + "乙" * 200, ["占道"], window=40)
    assert snippet.startswith("…") and snippet.endswith("…") and "<mark>占道</mark>" in snippet


def test_search_takes_a_fixed_number_of_queries(personas, org, categories,
                                                django_assert_max_num_queries):
    for day in range(2, 12):
        handling(personas, org, categories.litter, when=f"2026-11-{day:02d} 09:00",
                 title="井盖破损", content="井盖破损。")
    # SQLite: grants, candidates, page; PostgreSQL: grants, newest id, one slice,
    # ranking, the permission filter on the candidates, page
    most = 4 if connection.vendor == "sqlite" else 6
    for user in (personas.handler_a, personas.leader):
        with django_assert_max_num_queries(most):
            assert len(search.search(user, "井盖").hits) == 10


# --- the console -------------------------------------------------------------------------
def _login(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_console_page_shows_marked_results_and_escapes_demand_text(client, personas,
                                                                      categories):
    demand = registered(personas, categories.stall, title="<script>alert(1)</script>占道",
                        content="门口<img src=x onerror=alert(2)>有人占道经营。")
    page = _login(client, personas.leader).get("/console/search/", {"q": "占道"})
    assert page.status_code == 200
    html = page.content.decode()
    assert demand.number in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<mark>占道</mark>" in html
    assert "&lt;img src=x onerror=alert(2)&gt;有人<mark>占道</mark>经营" in html
    assert "<script>alert(1)" not in html and "<img src=x" not in html
    assert "找到 1 条" in html


def test_the_console_page_explains_a_punctuation_only_query(client, personas):
    page = _login(client, personas.leader).get("/console/search/", {"q": "。，！"})
    assert page.status_code == 400
    assert "只有标点符号无法搜索" in page.content.decode()


def test_the_console_header_has_the_search_box(client, personas):
    page = _login(client, personas.handler_a).get("/console/")
    assert 'data-testid="header-search"' in page.content.decode()


def test_the_console_page_keeps_to_the_users_scope(client, personas, org, categories):
    demand = handling(personas, org, categories.litter, title="违章搭建", content="楼顶违章搭建。")
    page = _login(client, personas.handler_b).get("/console/search/", {"q": "违章"})
    assert demand.number not in page.content.decode()
    assert "没有找到匹配的诉求" in page.content.decode()


def test_the_console_search_needs_a_login(client):
    page = client.get("/console/search/", {"q": "占道"})
    assert page.status_code == 302
