"""疑似重复 in a real Chromium: the dispatcher sees a repeat on its page, merges it with one
click (htmx), and dismisses another from the queue.

Set ``DUPLICATES_SCREENSHOTS=/some/dir`` to keep screenshots of both pages."""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from demands.models import Demand, State
from insights.models import DuplicateFlag, FlagState

from .demand_helpers import registered
from .test_browser_journey import sign_in

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("DUPLICATES_SCREENSHOTS")


@pytest.fixture
def site(browser, transactional_db, live_server, org, personas, categories):
    return live_server.url


def shoot(page, name):
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_dispatcher_merges_one_repeat_and_dismisses_another(browser, site, personas,
                                                             categories):
    original = registered(personas, categories.litter, "2026-11-23 09:00")
    copy = registered(personas, categories.litter, "2026-11-23 10:00",
                      requester_phone="13700001111", requester_name="李先生",
                      latitude="33.964080", channel="weibo")
    other = registered(personas, categories.stall, "2026-11-23 11:00",
                       title="小区门口垃圾还是没人清运", longitude="", latitude="",
                       content="幸福路12号小区门口的垃圾已经三天没人清运了，气味很大。")
    page = sign_in(browser, site, "dispatcher")
    page.goto(f"{site}/console/demands/{copy.number}/")
    panel = page.get_by_test_id("duplicates")
    expect(panel).to_contain_text(original.number)
    expect(panel).to_contain_text("相距约 120 米")
    shoot(page, "duplicate-panel")
    panel.get_by_role("button", name="并单").click()
    expect(page.get_by_test_id("state")).to_have_text("已并单")
    expect(page.get_by_test_id("duplicates")).to_have_count(0)
    assert Demand.objects.get(pk=copy.pk).duplicate_of_id == original.pk

    page.get_by_role("button", name="智能分析").click()  # the navigation's dropdown
    page.get_by_role("link", name="疑似重复").click()
    row = page.get_by_test_id("duplicate-row").filter(has_text=other.number)
    expect(row).to_contain_text("同一来电号码")
    shoot(page, "duplicate-queue")
    row.get_by_role("button", name="非重复").click()
    expect(row.get_by_test_id("flag-state")).to_have_text("非重复")
    assert not DuplicateFlag.objects.filter(demand=other, state=FlagState.OPEN).exists()
    assert Demand.objects.get(pk=other.pk).state == State.RECEIVED
    page.close()
