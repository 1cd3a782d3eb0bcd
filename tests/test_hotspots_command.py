"""``manage.py hotspots``: what a person at the terminal reads."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from .hotspot_helpers import FUMES, FUMES_POINT, MUCK, MUCK_POINT, plant, plant_noise

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = StringIO()
    call_command("hotspots", *args, stdout=out)
    return out.getvalue()


def test_prints_key_words_size_span_numbers_and_external_ids(personas, categories):
    muck = plant(personas, categories.litter, MUCK, MUCK_POINT, seed=1)
    fumes = plant(personas, categories.litter, FUMES, FUMES_POINT, seed=2)
    noise = plant_noise(personas, categories.stall)
    text = run("--since", "2026-11-01", "--until", "2026-11-30")
    assert "2026-11-01 至 2026-11-30：共 26 条诉求，找到 2 个热点。" in text
    first, second = text.split("热点 1：")[1].split("热点 2：")
    assert "渣土车" in first.splitlines()[0] and "撒漏" in first.splitlines()[0]
    assert "条数：8" in first and "时间：2026-11-10 至 2026-11-17" in first
    assert "油烟" in second.splitlines()[0] and "条数：6" in second
    for demand in muck:
        assert f"{demand.number}　外部编号 {demand.external_id}" in first
    for demand in fumes:
        assert demand.number in second and demand.external_id in second
    for demand in noise:
        assert demand.number not in text


def test_top_limits_the_list(personas, categories):
    plant(personas, categories.litter, MUCK, MUCK_POINT, seed=1)
    plant(personas, categories.litter, FUMES, FUMES_POINT, seed=2)
    text = run("--since", "2026-11-01", "--until", "2026-11-30", "--top", "1")
    assert "热点 1：" in text and "热点 2：" not in text


def test_an_empty_window_says_so(db):
    assert "共 0 条诉求，找到 0 个热点。" in run("--since", "2020-01-01", "--until", "2020-01-31")


@pytest.mark.parametrize("args, message", [
    (["--since", "2026-13-01"], "日期“2026-13-01”格式不对，应为 YYYY-MM-DD"),
    (["--until", "昨天"], "日期“昨天”格式不对"),
    (["--since", "2026-11-30", "--until", "2026-11-01"], "开始日期不能晚于结束日期。"),
    (["--top", "0"], "--top 必须是正整数。"),
    (["--top", "很多"], "--top 必须是正整数。"),
])
def test_bad_input_is_refused_in_chinese(db, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args)


def test_the_cap_is_said(personas, categories, settings):
    plant(personas, categories.litter, MUCK, MUCK_POINT, seed=1)
    settings.HOTSPOT_MAX_DEMANDS = 5
    text = run("--since", "2026-11-01", "--until", "2026-11-30")
    assert "注意：诉求过多，只分析了最近的 5 条（上限 HOTSPOT_MAX_DEMANDS=5）。" in text
