"""The public statistics page (接受群众监督): the console's figures, bureau-wide, with their
formulas; charts with tables of the same numbers; no personal data."""

from __future__ import annotations

import re

import time_machine
from django.urls import reverse

from demands import kpis
from portal import statistics
from projects import public_actions

from .demand_helpers import at
from .test_demand_kpis import demands  # noqa: F401 - the hand-computed fixture
from .test_portal_projects import done  # noqa: F401
from .test_projects import office, project, published  # noqa: F401

NOW = at("2026-12-10 12:00")
BACKEND = "django.contrib.auth.backends.ModelBackend"


def _cells(html: str, testid: str, row: str) -> list[str]:
    table = html.split(f'data-testid="{testid}"', 1)[1].split("</table>", 1)[0]
    found = re.search(rf'<tr data-month="{row}">(.*?)</tr>', table, re.S)
    assert found, f"no row {row}"
    return [re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", found.group(1), re.S)]


def _card(html: str, testid: str) -> str:
    card = html.split(f'data-testid="{testid}"', 1)[1]
    return re.search(r'data-testid="(?:kpi-[a-z]+-)?value">([^<]*)<', card).group(1).strip()


@time_machine.travel(NOW, tick=False)
def test_each_month_equals_the_console_dashboard_of_that_month(client, demands, personas,  # noqa: F811
                                                               done):  # noqa: F811
    for phone, level in (("13900000001", 5), ("13900000002", 4), ("13900000003", 1)):
        public_actions.rate(done, phone, level, at=at("2026-12-02 09:00"))
    page = client.get(reverse("portal:statistics")).content.decode()
    client.force_login(personas.supervisor, backend=BACKEND)  # bureau-wide demand.kpi
    for month in ("2026-10", "2026-11", "2026-12"):
        console = client.get(reverse("console:dashboard"), {"month": month}).content.decode()
        row = _cells(page, "month-table", month)
        # 月份 群众 基层 企业 按时办结 实事项目 诉求量
        assert row[1] == _card(console, "kpi-citizen")
        assert row[4] == re.search(r"按时办结率.*?fs-3 fw-semibold\">([^<]*)<", console,
                                   re.S).group(1).strip()
        assert row[5] == _card(console, "kpi-projects")
    december = _cells(page, "month-table", "2026-12")
    assert december[5] == "67%"  # two of three ratings at 基本满意 or better


@time_machine.travel(at("2026-11-28 12:00"), tick=False)
def test_november_as_worked_out_by_hand(client, demands):  # noqa: F811
    page = client.get(reverse("portal:statistics")).content.decode()
    # tests/test_demand_kpis.py: 2 of 3, 1 of 2, 1 of 1, on time 6 of 8, 10 received
    assert _cells(page, "month-table", "2026-11") == [
        "2026-11", "66.7%", "50.0%", "100.0%", "75.0%", "—", "10"]
    assert "2026年11月28日" in page  # the current month so far


@time_machine.travel(NOW, tick=False)
def test_the_twelve_months_with_formulas_and_dashes_for_empty_months(client, demands):  # noqa: F811
    page = client.get(reverse("portal:statistics")).content.decode()
    months = re.findall(r'<tr data-month="(\d{4}-\d{2})">', page)
    assert months[0] == "2026-01" and months[-1] == "2026-12" and len(months) == 12
    assert _cells(page, "month-table", "2026-03")[1:] == ["—", "—", "—", "—", "—", "0"]
    for text in (kpis.DEFINITIONS["satisfaction"], kpis.DEFINITIONS["on_time"], "实事项目满意率 ="):
        assert text in page
    # the period's own figures: October and November together
    assert _card(page, "rate-citizen") == "50.0%"  # 2 of 4 citizens (D10 was very dissatisfied)
    assert _card(page, "rate-projects") == "—"


@time_machine.travel(NOW, tick=False)
def test_units_and_categories_carry_volumes_and_no_personal_data(client, demands, org):  # noqa: F811
    page = client.get(reverse("portal:statistics")).content.decode()
    units = page.split('data-testid="unit-table"', 1)[1].split("</table>", 1)[0]
    # received Oct–Dec: unit A D1 D2 D5 D6 D7 D8 D9 D10 D11, unit B D3 D4
    assert re.search(r"环境卫生管理处</th><td class=\"text-end\">9<", units)
    assert re.search(r"市政设施管理处</th><td class=\"text-end\">2<", units)
    assert "王女士" not in page and "TEST-0" not in page and "1390527" not in page


@time_machine.travel(NOW, tick=False)
def test_the_page_costs_the_same_queries_with_more_demands(client, demands, org, personas,  # noqa: F811
                                                           django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(reverse("portal:statistics"))
    from .demand_helpers import registered
    for n in range(5):
        registered(personas, None, when=f"2026-0{n + 3}-10 09:00")
    with django_assert_max_num_queries(len(first)):
        client.get(reverse("portal:statistics"))


def test_the_page_is_cached_and_the_beat_refreshes_it(client, demands, settings):  # noqa: F811
    settings.KPI_CACHE_SECONDS = 300
    from portal.tasks import refresh_statistics

    assert "…" in refresh_statistics()
    assert "portal.tasks.refresh_statistics" in {
        entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    data = statistics.cached()
    assert statistics.cached() is not None and data["figures"]["satisfaction"].denominator >= 0


def test_the_portal_links_to_it(client, db):
    page = client.get(reverse("portal:home")).content.decode()
    assert reverse("portal:statistics") in page and "统计公开" in page
