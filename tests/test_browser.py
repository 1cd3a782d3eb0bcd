"""Journeys in a real Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from org.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

@pytest.fixture
def demo_site(browser, transactional_db, live_server, settings):
    settings.DEMO_DEMANDS = 0  # the organisation and logins are what these pages need
    call_command("load_demo", verbosity=0)
    return live_server.url


def test_the_portal_fits_a_phone_and_speaks_chinese(browser, demo_site):
    page = browser.new_page(viewport={"width": 375, "height": 740})
    page.goto(demo_site + "/")
    expect(page.locator("h1").first).to_contain_text("三满意")
    expect(page.get_by_text("12319").first).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"the page scrolls sideways on a phone ({width}px)"
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    page.close()


def test_a_receiver_signs_in_with_the_keyboard_alone_and_signs_out(browser, demo_site):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(demo_site + "/console/login/")
    expect(page.locator("input[name=username]")).to_be_focused()  # autofocus
    page.keyboard.type("receiver")
    page.keyboard.press("Tab")
    expect(page.locator("input[name=password]")).to_be_focused()
    page.keyboard.type(DEMO_PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(demo_site + "/console/")
    expect(page.get_by_test_id("identity-name")).to_have_text("张敏")
    expect(page.get_by_test_id("identity-unit")).to_contain_text("数字化城市管理指挥中心")
    expect(page.get_by_test_id("identity-roles")).to_contain_text("受理员")
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/console/login/")
    page.goto(demo_site + "/console/")
    assert "/console/login/" in page.url
    page.close()


def test_a_wrong_password_shows_a_chinese_error(browser, demo_site):
    page = browser.new_page()
    page.goto(demo_site + "/console/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    expect(page.get_by_role("alert")).to_contain_text("用户名或密码不正确")
    page.close()


def test_the_home_chart_draws(browser, demo_site):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(demo_site + "/console/login/")
    page.fill("input[name=username]", "leader")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(demo_site + "/console/")
    # ECharts renders into a canvas once the script and its data have loaded.
    expect(page.locator("#staff-chart canvas")).to_have_count(1)
    page.close()
