"""The import pages: upload → preview and mapping → progress → error report."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from playwright.sync_api import expect

from demands.models import Demand
from imports import runner
from imports.models import Job, JobState

from .conftest import PASSWORD
from .import_helpers import HEADERS, row, write_csv

BACKEND = "django.contrib.auth.backends.ModelBackend"
SHOTS = Path(__file__).resolve().parent.parent / "test-results" / "screenshots"


def upload(client, path: Path, **extra):
    with path.open("rb") as handle:
        return client.post(reverse("console:imports"), {
            "file": handle, "source": "12345热线", "channel": "12345",
            "default_kind": "citizen", **extra})


@pytest.mark.django_db
def test_upload_preview_confirm_and_report(client, personas, categories, tmp_path):
    client.force_login(personas.receiver, backend=BACKEND)
    path = write_csv(tmp_path / "十一月.csv", [row(1), row(2, 来电时间="昨天下午"), row(3)],
                     encoding="gbk")
    response = upload(client, path)
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("console:import_detail", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    # the usual column names were recognised, and the preview shows rows as they would be
    assert job.mapping["external_id"] == "工单编号" and job.mapping["content"] == "内容"
    assert job.mapping["received_at"] == "来电时间" and job.mapping["category"] == "问题类别"
    assert "幸福路1号门口垃圾堆积" in page and "可导入" in page
    assert "来电时间“昨天下午”无法识别" in page
    assert job.state == JobState.DRAFT and not Demand.objects.exists()

    mapping = dict(job.mapping.items())
    response = client.post(reverse("console:import_detail", args=[job.pk]), mapping)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.state == JobState.QUEUED
    runner.run(job.pk)  # what the worker does
    page = client.get(reverse("console:import_detail", args=[job.pk])).content.decode()
    assert "已完成" in page and "已处理 3 / 3 行" in page
    assert "出错的行" in page and "来电时间“昨天下午”无法识别" in page
    assert Demand.objects.count() == 2
    report = client.get(reverse("console:import_errors", args=[job.pk]))
    sheet = load_workbook(io.BytesIO(report.content)).active
    assert list(sheet.values)[1][:3] == (3, "来电时间“昨天下午”无法识别，请用 2026-11-28 14:30 "
                                            "这样的格式。", "GD2026000002")


@pytest.mark.django_db
def test_a_mapping_without_the_required_columns_is_refused(client, personas, categories,
                                                          tmp_path):
    client.force_login(personas.receiver, backend=BACKEND)
    upload(client, write_csv(tmp_path / "a.csv", [row(1)]))
    job = Job.objects.get()
    response = client.post(reverse("console:import_detail", args=[job.pk]),
                           {"external_id": "工单编号", "title": "标题"})
    assert response.status_code == 400
    assert "请指定“诉求内容”对应的列。" in response.content.decode()
    job.refresh_from_db()
    assert job.state == JobState.DRAFT


@pytest.mark.django_db
def test_an_unreadable_file_is_refused_in_chinese_and_nothing_kept(client, personas,
                                                                   categories, tmp_path):
    client.force_login(personas.receiver, backend=BACKEND)
    bad = tmp_path / "工单.xls"
    bad.write_bytes(b"\xd0\xcf\x11\xe0 old excel")
    response = upload(client, bad)
    assert response.status_code == 400
    assert "不支持旧版 Excel（.xls）文件" in response.content.decode()
    assert not Job.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["handler_a", "head_a", "leader"])
def test_only_intake_staff_import(client, personas, name, tmp_path, categories):
    client.force_login(getattr(personas, name), backend=BACKEND)
    assert client.get(reverse("console:imports")).status_code == 403
    assert upload(client, write_csv(tmp_path / "a.csv", [row(1)])).status_code == 403
    assert not Job.objects.exists()


@pytest.mark.browser
def test_a_receiver_imports_a_file_in_chromium(browser, transactional_db, live_server,
                                               personas, categories, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    rows = [row(n) for n in range(1, 31)]
    rows[4] = row(5, 问题类别="外星人")
    path = write_csv(tmp_path / "12345-11月.csv", rows)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server.url + "/console/login/")
    page.fill("input[name=username]", "receiver")
    page.fill("input[name=password]", PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_role("button", name="受理工具").click()  # the navigation's dropdown
    page.get_by_role("link", name="批量导入").click()
    page.get_by_label("文件（.xlsx 或 .csv，UTF-8 或 GBK 编码）").set_input_files(str(path))
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_test_id("preview")).to_contain_text("幸福路1号门口垃圾堆积")
    expect(page.get_by_test_id("preview")).to_contain_text("类别“外星人”不存在。")
    page.screenshot(path=SHOTS / "console-import-mapping.png", full_page=True)
    page.get_by_role("button", name="开始导入").click()
    expect(page.get_by_test_id("progress-text")).to_contain_text("排队中")
    runner.run(Job.objects.get().pk)  # the worker's part
    expect(page.get_by_test_id("progress-text")).to_contain_text("已完成", timeout=10_000)
    expect(page.get_by_test_id("counters")).to_contain_text("29")
    page.screenshot(path=SHOTS / "console-import-done.png", full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="下载出错报告（.xlsx）").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    assert next(iter(sheet.values)) == ("行号", "出错原因", *HEADERS)
    assert Demand.objects.count() == 29
