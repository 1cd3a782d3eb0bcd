"""The office generates November's bulletin, watches the progress bar, downloads the Word
file, issues it and makes it public; the public finds it on a phone (issue #13), in a real
Chromium. Screenshots land in test-results/screenshots/ (bulletin-*.png)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from celery import current_app
from docx import Document
from playwright.sync_api import expect

import bulletins.tasks  # noqa: F401 - registers the task the actions queue by name
from bulletins.models import Bulletin
from org.models import Role

from .bulletin_helpers import november
from .conftest import PASSWORD, make_staff
from .test_accessibility import serious

pytestmark = pytest.mark.browser
SHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"
DESK = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(browser, transactional_db, live_server, org, categories, personas, settings,
         tmp_path, monkeypatch):
    """November 2026 of ``bulletin_helpers``; the worker's queue is a list the test runs."""
    settings.MEDIA_ROOT = tmp_path
    make_staff("office", "孙主任", org.bureau, (Role.OFFICE, None))
    november(org, categories, personas)
    queued = []
    monkeypatch.setattr(current_app, "send_task",
                        lambda name, args=None, **_options: queued.append((name, args)))
    SHOTS.mkdir(parents=True, exist_ok=True)
    return live_server.url, queued


def test_the_office_generates_issues_and_publishes_a_bulletin(browser, site):
    base, queued = site
    page = browser.new_page(viewport=DESK, locale="zh-CN")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(base + "/console/login/")
    page.fill("input[name=username]", "office")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(base + "/console/")
    page.get_by_role("button", name="督查考核").click()
    page.get_by_role("link", name="通报", exact=True).click()
    page.get_by_test_id("bulletin-create").click()
    page.get_by_role("link", name="月报").click()
    expect(page.get_by_label("通报类型")).to_have_value("monthly")
    page.get_by_label("统计起始日期").fill("2026-11-01")
    page.get_by_label("统计截止日期").fill("2026-11-30")
    page.get_by_test_id("generate").click()

    # queued: the bar waits for the worker
    expect(page.get_by_test_id("progress-text")).to_have_text("排队中")
    expect(page.get_by_test_id("number")).to_have_text("测城管〔2026〕1号")
    page.screenshot(path=SHOTS / "bulletin-queued.png", full_page=True)
    (name, args), = queued
    current_app.tasks[name].apply(args=args)  # the worker's part
    expect(page.get_by_test_id("progress-text")).to_contain_text("已生成", timeout=10_000)
    expect(page.get_by_test_id("download")).to_be_visible()
    assert not serious(Axe().run(page))
    page.screenshot(path=SHOTS / "bulletin-generated.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_test_id("download").click()
    assert download.value.suggested_filename == \
        "测城管〔2026〕1号关于2026年11月“三满意”工作情况的通报.docx"
    document = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert [p.text for p in document.paragraphs[:3]] == [
        "测试市城市管理局", "测城管〔2026〕1号", "关于2026年11月“三满意”工作情况的通报"]
    assert [cell.text for cell in document.tables[1].rows[1].cells] == [
        "1", "环境卫生管理处", "92.50"]

    # issue and publish: the file is frozen, the portal lists it
    page.locator("form[data-action=issue] button").click()
    expect(page.get_by_test_id("state")).to_have_text("已印发")
    expect(page.locator("form[data-action=regenerate]")).to_have_count(0)
    page.locator("form[data-action=publish] button").click()
    expect(page.get_by_test_id("public")).to_have_text("门户已公开")
    page.screenshot(path=SHOTS / "bulletin-issued.png", full_page=True)
    page.get_by_role("link", name="通报", exact=True).first.click()
    expect(page.get_by_test_id("bulletin-row")).to_have_count(1)
    page.screenshot(path=SHOTS / "bulletin-list.png", full_page=True)
    assert errors == []

    phone = browser.new_page(viewport=PHONE, locale="zh-CN", is_mobile=True, has_touch=True)
    phone.goto(base + "/bulletins/")
    item = phone.get_by_test_id("public-bulletin")
    expect(item).to_contain_text("关于2026年11月“三满意”工作情况的通报")
    expect(item).to_contain_text("测城管〔2026〕1号 · 月报")
    assert not serious(Axe().run(phone))
    phone.screenshot(path=SHOTS / "bulletin-portal-phone.png", full_page=True)
    with phone.expect_download() as download:
        item.get_by_role("link").click()
    public = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert public.paragraphs[1].text == "测城管〔2026〕1号"
    assert Bulletin.objects.get().state == "issued"
