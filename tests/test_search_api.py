"""``GET /api/v1/demands?q=``: the same search as the console, paged by a cursor."""

from __future__ import annotations

import pytest

from .demand_helpers import handling, registered

pytestmark = pytest.mark.django_db
BACKEND = "django.contrib.auth.backends.ModelBackend"


def get(client, user, **params):
    client.force_login(user, backend=BACKEND)
    return client.get("/api/v1/demands", params)


def test_q_finds_ranked_matches_within_the_users_scope(client, personas, org, categories):
    mine = handling(personas, org, categories.litter, title="井盖缺失", content="路口井盖丢了。")
    registered(personas, categories.litter, title="道路隐患", content="人行道上井盖松动。")
    leader = get(client, personas.leader, q="井盖").json()
    assert [d["title"] for d in leader["items"]] == ["井盖缺失", "道路隐患"]
    handler_b = get(client, personas.handler_b, q="井盖").json()
    assert handler_b["items"] == []
    handler_a = get(client, personas.handler_a, q="井盖").json()
    assert [d["number"] for d in handler_a["items"]] == [mine.number]


def test_q_pages_with_the_cursor_and_respects_the_queue(client, personas, org, categories):
    for day in range(2, 7):
        registered(personas, categories.litter, when=f"2026-11-{day:02d} 09:00",
                   title="井盖破损", content="井盖破损。")
    handling(personas, org, categories.litter, title="井盖缺失", content="井盖丢了。")
    first = get(client, personas.leader, q="井盖", limit=4).json()
    assert len(first["items"]) == 4 and first["next"] == "s4"
    second = get(client, personas.leader, q="井盖", limit=4, after=first["next"]).json()
    assert len(second["items"]) == 2 and second["next"] is None
    assert {d["number"] for d in first["items"]}.isdisjoint(
        {d["number"] for d in second["items"]})
    handling_only = get(client, personas.leader, q="井盖", queue="handling").json()
    assert [d["title"] for d in handling_only["items"]] == ["井盖缺失"]


def test_a_punctuation_only_q_is_refused_in_chinese(client, personas):
    response = get(client, personas.leader, q="？！")
    assert response.status_code == 422
    assert response.json()["message"] == "请输入文字或数字：只有标点符号无法搜索。"
