"""The public statistics page in Chromium: the charts draw without a JavaScript error, the
tables carry the numbers, it fits a phone, and axe-core finds nothing serious.
Screenshots: test-results/screenshots/portal-statistics-*.png."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from .demand_helpers import replied
from .test_accessibility import serious
from .test_browser_projects_portal import PHONE, SHOTS, fits, offline

pytestmark = pytest.mark.browser


@pytest.fixture
def site(browser, transactional_db, live_server, org, personas, categories):
    SHOTS.mkdir(parents=True, exist_ok=True)
    today = timezone.localdate()
    for n in range(6):
        day = today - timedelta(days=35 * n)
        replied(personas, org, categories.litter if n % 2 else categories.stall,
                when=f"{day:%Y-%m-%d} 09:00", requester_phone=f"1390527{n:04d}")
    return live_server.url


@pytest.mark.parametrize(("viewport", "shot"), [
    ({"width": 1280, "height": 900}, "portal-statistics-desktop.png"),
    (PHONE, "portal-statistics-phone.png"),
])
def test_the_statistics_page_draws_and_reads_well(browser, site, viewport, shot):
    page = offline(browser.new_page(viewport=viewport))
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(site + "/statistics/")
    expect(page.get_by_role("heading", name="统计公开")).to_be_visible()
    for chart in ("#month-chart", "#unit-chart", "#category-chart"):
        expect(page.locator(f"{chart} canvas")).to_have_count(1)
    expect(page.get_by_test_id("unit-table")).to_contain_text("环境卫生管理处")
    expect(page.get_by_test_id("month-table").locator("tbody tr")).to_have_count(12)
    page.screenshot(path=SHOTS / shot, full_page=True)
    assert not errors, errors
    assert not serious(Axe().run(page))
    fits(page)
    page.close()
