"""The console's top bar: entries by capability, dropdown groups, the current page marked;
in Chromium it fits one line at 1280 px, works from the keyboard and collapses on a phone."""

from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth.models import User
from playwright.sync_api import expect

from .conftest import PASSWORD
from .test_accessibility import serious


def nav_of(client, user, path="/console/") -> str:
    client.force_login(user)
    page = client.get(path).content.decode()
    return page[page.index('id="console-nav"'):page.index('role="search"')]


def test_entries_follow_the_capabilities(client, personas):
    handler = nav_of(client, personas.handler_a)
    # 满意度看板: a handler sees their own unit's figures (issue #13)
    for shown in ("首页", "诉求办理", "实事项目", "承诺", "更多", "组织机构", "离岗告示", "预约",
                  "满意度看板"):
        assert f">{shown}<" in handler
    # no item of theirs in 受理工具 or 智能分析: the dropdowns are not there at all
    for hidden in ("受理登记", "受理工具", "一次性告知", "批量导入", "智能分析", "疑似重复",
                   "热点分析", "智能分派", "管理后台"):
        assert f">{hidden}<" not in handler, hidden

    dispatcher = nav_of(client, personas.dispatcher)
    for shown in ("受理工具", "批量导入", "智能分析", "疑似重复", "热点分析", "智能分派"):
        assert f">{shown}<" in dispatcher, shown

    leader = nav_of(client, personas.leader)
    assert ">智能分析<" in leader and ">热点分析<" in leader
    assert ">疑似重复<" not in leader and ">智能分派<" not in leader
    assert ">受理工具<" not in leader

    root = User.objects.create_superuser("root", "root@example.com", PASSWORD)
    everything = nav_of(client, root)
    for shown in ("受理登记", "一次性告知", "批量导入", "满意度看板", "疑似重复", "热点分析",
                  "智能分派", "实事项目", "承诺", "组织机构", "管理后台"):
        assert f">{shown}<" in everything, shown


@pytest.mark.parametrize(("path", "toggle", "item", "current"), [
    ("/console/notices/", "nav-intake", "/console/notices/", "page"),
    ("/console/imports/", "nav-intake", "/console/imports/", "page"),
    ("/console/hotspots/", "nav-insights", "/console/hotspots/", "page"),
    ("/console/routing/", "nav-insights", "/console/routing/", "page"),
    ("/console/bookings/", "nav-more", "/console/bookings/", "page"),
    ("/console/org/", "nav-more", "/console/org/", "page"),
])
def test_the_current_page_marks_its_item_and_its_dropdown(client, personas, path, toggle,
                                                          item, current):
    nav = nav_of(client, personas.dispatcher, path)
    assert re.search(rf'class="nav-link dropdown-toggle active" id="{toggle}"', nav)
    assert f'class="dropdown-item active" aria-current="{current}" href="{item}"' in nav
    assert nav.count(" active") == 2  # the dropdown and its item, nothing else


def test_a_top_item_is_current_on_its_pages(client, personas, org):
    nav = nav_of(client, personas.dispatcher, f"/console/org/{org.unit_a.code}/")
    assert 'aria-current="true" href="/console/org/"' in nav  # a page below 组织机构
    nav = nav_of(client, personas.dispatcher, "/console/demands/")
    assert 'class="nav-link active" aria-current="page" href="/console/demands/"' in nav
    assert "dropdown-toggle active" not in nav
    nav = nav_of(client, personas.leader, "/console/projects/new/")
    assert 'aria-current="true" href="/console/projects/"' in nav  # a page below 实事项目


def sign_in(browser, site, username, width):
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(site + "/console/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(site + "/console/")
    return page


@pytest.mark.browser
def test_one_line_at_1280_px_and_the_keyboard_opens_the_dropdowns(browser, live_server,
                                                                   transactional_db,
                                                                   personas):
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    for username in ("dispatcher", "leader", "root"):
        page = sign_in(browser, live_server.url, username, 1280)
        tops = page.evaluate("[...document.querySelectorAll('#console-nav > ul > li, "
                             "#console-nav > form, #console-nav > div')]"
                             ".map(e => Math.round(e.getBoundingClientRect().top))")
        assert max(tops) - min(tops) < 20, f"{username}: the bar wraps ({tops})"
        assert page.locator("nav.console-topbar").bounding_box()["height"] < 70
        page.close()

    page = sign_in(browser, live_server.url, "dispatcher", 1280)
    toggle = page.get_by_role("button", name="智能分析")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "true")
    assert not serious(Axe().run(page))
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("link", name="疑似重复")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_role("link", name="热点分析")).to_be_focused()
    page.keyboard.press("Escape")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(toggle).to_be_focused()
    page.keyboard.press("Space")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/console/hotspots/")
    expect(page.locator('#console-nav [aria-current="page"]')).to_have_text("热点分析")
    page.close()


@pytest.mark.browser
def test_the_collapsed_menu_on_a_phone(browser, live_server, transactional_db, personas):
    page = sign_in(browser, live_server.url, "dispatcher", 360)
    expect(page.get_by_role("link", name="诉求办理")).to_be_hidden()
    page.get_by_role("button", name="展开菜单").click()
    page.get_by_role("button", name="受理工具").click()
    page.get_by_role("link", name="批量导入").click()
    page.wait_for_url("**/console/imports/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("button", name="展开菜单").click()
    expect(page.get_by_role("button", name="受理工具")).to_have_class(re.compile(r"\bactive\b"))
    assert not serious(Axe().run(page))
    page.close()
