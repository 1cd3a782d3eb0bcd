"""The hotspot page in a real Chromium: sparklines and the map draw, a leader turns a
hotspot into a practical project (in 草稿). ``HOTSPOT_SCREENSHOT=/tmp/h.png`` keeps a picture."""

from __future__ import annotations

import os
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from projects.models import Project

from .conftest import PASSWORD
from .hotspot_helpers import FUMES, FUMES_POINT, MUCK, MUCK_POINT, plant, plant_noise
from .test_accessibility import serious

pytestmark = pytest.mark.browser


@pytest.fixture
def site(browser, transactional_db, live_server, personas, categories):
    plant(personas, categories.litter, MUCK, MUCK_POINT, seed=1)
    plant(personas, categories.litter, FUMES, FUMES_POINT, seed=2)
    plant_noise(personas, categories.stall)
    return live_server.url


def test_a_leader_reads_the_hotspots_and_drafts_a_project(browser, site):
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(site + "/console/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(site + "/console/")
    page.get_by_role("button", name="智能分析").click()  # the navigation's dropdown
    page.get_by_role("link", name="热点分析").click()
    page.wait_for_url("**/console/hotspots/")
    page.goto(site + "/console/hotspots/?since=2026-11-01&until=2026-11-30")
    cards = page.get_by_test_id("hotspot")
    expect(cards).to_have_count(2)
    expect(cards.first.get_by_test_id("label")).to_contain_text("渣土车")
    expect(cards.nth(1).get_by_test_id("label")).to_contain_text("油烟")
    expect(page.locator("#spark-1 canvas")).to_have_count(1)  # ECharts drew the sparkline
    # 14 member points and 2 centres on the map, without any tile source
    expect(page.locator("#hotspot-map path.leaflet-interactive")).to_have_count(16)
    if os.environ.get("HOTSPOT_SCREENSHOT"):
        page.screenshot(path=os.environ["HOTSPOT_SCREENSHOT"], full_page=True)
    assert not serious(Axe().run(page))
    cards.first.get_by_role("button", name="在地图上查看").click()
    expect(page.locator(".leaflet-tooltip")).to_contain_text("渣土车")
    cards.first.locator("summary", has_text="查看诉求").click()
    expect(cards.first.locator("details li")).to_have_count(8)
    cards.first.locator("summary", has_text="转为实事项目草稿").click()
    title = cards.first.locator("input[name=title]")
    expect(title).to_have_value(re.compile(r"^渣土车、.+问题整治$"))  # from the key words
    title.fill("发展大道渣土车撒漏整治")
    cards.first.get_by_role("button", name="转为实事项目草稿").click()
    page.wait_for_url("**/console/projects/*/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("发展大道渣土车撒漏整治")
    expect(page.get_by_test_id("project-demands").locator("tbody tr")).to_have_count(8)
    if os.environ.get("HOTSPOT_SCREENSHOT"):
        page.screenshot(path=os.environ["HOTSPOT_SCREENSHOT"].replace(".png", "-draft.png"),
                        full_page=True)
    assert Project.objects.get().demands.count() == 8
    page.close()
