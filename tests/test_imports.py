"""Importing 12345 hotline exports: formats, bad rows, idempotence, resuming."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from demands.models import Demand, EventKind, State
from imports import jobs, runner
from imports.mapping import source_named
from imports.models import Job, JobState, RowError, Source

from . import import_helpers
from .demand_helpers import TZ, at
from .import_helpers import HEADERS, bad_rows, map_args, row, write_csv, write_xlsx

pytestmark = pytest.mark.django_db


def run_command(path, *extra) -> str:
    out = io.StringIO()
    call_command("import_demands", str(path), "--source", "12345热线", *extra, stdout=out)
    return out.getvalue()


@pytest.mark.parametrize("kind", ["utf-8", "utf-8-sig", "gbk", "gb18030", "xlsx"])
def test_each_format_and_encoding_imports_the_same_demands(kind, tmp_path, categories):
    rows = [row(1), row(2, 内容="垃圾桶满溢，环卫工人没来清理，周边商户反映强烈。"), row(3)]
    if kind == "xlsx":
        path = write_xlsx(tmp_path / "12345.xlsx", rows)
    else:
        path = write_csv(tmp_path / "12345.csv", rows, encoding=kind)
    output = run_command(path, *map_args())
    assert "新增 3" in output and "出错 0" in output
    demands = {d.external_id: d for d in Demand.objects.all()}
    assert set(demands) == {"GD2026000001", "GD2026000002", "GD2026000003"}
    second = demands["GD2026000002"]
    assert second.content == "垃圾桶满溢，环卫工人没来清理，周边商户反映强烈。"
    assert second.channel == "12345" and second.requester_kind == "citizen"
    assert second.category == categories.litter
    # the file's own time is the demand's received time, and its clock starts there
    assert second.received_at == at("2026-11-03 09:02") == second.submitted_at
    assert second.state == State.RECEIVED and second.deadline > second.received_at
    assert second.events.get().kind == EventKind.REGISTER


def test_bad_rows_are_reported_with_their_row_numbers_and_good_rows_still_imported(
        tmp_path, categories):
    rows = bad_rows()
    path = write_csv(tmp_path / "bad.csv", rows)
    output = run_command(path, *map_args())
    assert "新增 2" in output and "出错 6" in output
    assert set(Demand.objects.values_list("external_id", flat=True)) == {
        "GD2026000001", "GD2026000008"}
    reasons = dict(RowError.objects.values_list("row_number", "reason"))
    assert reasons[3] == "请填写诉求内容。"
    assert "下周二" in reasons[4] and "无法识别" in reasons[4]
    assert reasons[5] == "类别“外星人入侵”不存在。" + import_helpers.NO_SUCH_CATEGORY_HINT
    assert reasons[6] == "工单编号“GD2026000001”与第 2 行重复（同一文件中出现两次）。"
    assert reasons[7] == "联系电话格式不正确。"
    assert "晚于现在" in reasons[8]
    assert set(reasons) == {3, 4, 5, 6, 7, 8}
    assert "第 4 行：" in output  # the command line lists them too


def test_reimporting_the_same_file_creates_nothing_and_applies_changes(tmp_path, categories,
                                                                       personas, org):
    path = write_csv(tmp_path / "a.csv", [row(n) for n in range(1, 6)])
    run_command(path, *map_args())
    assert Demand.objects.count() == 5
    output = run_command(path)  # the mapping was saved with the source
    assert "新增 0" in output and "无变化 5" in output
    assert Demand.objects.count() == 5
    # the hotline corrected two records; one of them was dispatched meanwhile
    from demands.actions import handover

    dispatched = Demand.objects.get(external_id="GD2026000002")
    handover.dispatch(personas.dispatcher, dispatched, org.unit_a)
    changed = [row(n) for n in range(1, 6)]
    changed[0] = row(1, 内容="补充：垃圾已堆到路中间。", 问题类别="占道经营")
    changed[1] = row(2, 内容="补充：还有人在翻垃圾。", 问题类别="占道经营")
    path = write_csv(tmp_path / "b.csv", changed)
    output = run_command(path)
    assert "新增 0" in output and "更新 2" in output and "无变化 3" in output
    assert Demand.objects.count() == 5
    first = Demand.objects.get(external_id="GD2026000001")
    assert first.content == "补充：垃圾已堆到路中间。"
    assert first.category == categories.stall  # not yet dispatched: the category follows
    second = Demand.objects.get(external_id="GD2026000002")
    assert second.content == "补充：还有人在翻垃圾。"
    assert second.category == categories.litter  # dispatched: the bureau's category stays
    update = first.events.get(kind=EventKind.UPDATE)
    assert set(update.data["fields"]) == {"content", "category"}


def test_the_saved_mapping_is_used_for_the_next_file_of_the_source(tmp_path, categories):
    headers = ["单号", "反映内容", "受理时间", "类型"]
    path = write_csv(tmp_path / "x.csv", [["X1", "路灯不亮", "2026-11-20 08:00", "暴露垃圾"]],
                     headers=headers)
    run_command(path, "--map", "external_id=单号", "--map", "content=反映内容",
                "--map", "received_at=受理时间", "--map", "category=类型")
    assert Source.objects.get(name="12345热线").mapping == {
        "external_id": "单号", "content": "反映内容", "received_at": "受理时间",
        "category": "类型"}
    path = write_csv(tmp_path / "y.csv", [["X2", "井盖丢了", "2026-11-21 08:00", "暴露垃圾"]],
                     headers=headers)
    run_command(path)
    demand = Demand.objects.get(external_id="X2")
    assert demand.title == "井盖丢了"  # no title column: the content's first words


def test_a_missing_column_or_a_bad_mapping_is_refused_before_anything_is_written(
        tmp_path, categories):
    path = write_csv(tmp_path / "a.csv", [row(1)])
    with pytest.raises(CommandError, match="文件中没有“来电日期”列"):
        run_command(path, *map_args(), "--map", "received_at=来电日期")
    with pytest.raises(CommandError, match="--map 应写成"):
        run_command(path, "--map", "标题")
    assert not Demand.objects.exists()
    bad = tmp_path / "fake.xlsx"
    bad.write_bytes(b"not a workbook at all")
    with pytest.raises(CommandError, match="内容不是 Excel 文件"):
        run_command(bad)


def test_an_interrupted_run_resumes_without_losing_or_doubling_rows(tmp_path, categories,
                                                                     settings):
    settings.IMPORT_CHUNK_ROWS = 10
    rows = [row(n) for n in range(1, 46)]
    rows[14] = row(15, 内容="")  # one bad row in the second chunk
    path = write_csv(tmp_path / "big.csv", rows)
    source = source_named("12345热线")
    with path.open("rb") as handle:
        job = jobs.upload(None, source, handle, "big.csv")
    jobs.confirm_here(None, job, job.mapping | {"category": "问题类别"})

    class Killed(Exception):
        pass

    def die_after_two_chunks(progress):
        if progress.done >= 20:
            raise Killed

    with pytest.raises(Killed):
        runner.run(job.pk, progress=die_after_two_chunks)
    job.refresh_from_db()
    assert job.state == JobState.RUNNING and job.done == 20
    assert Demand.objects.count() == 19 and job.failed == 1
    output = run_command(path)  # re-running the command finishes the same job
    assert f"继续未完成的导入任务 #{job.pk}" in output
    job.refresh_from_db()
    assert job.state == JobState.DONE and job.done == 45 == job.total
    assert Demand.objects.count() == 44 and job.created == 44
    assert list(job.errors.values_list("row_number", flat=True)) == [16]
    assert Job.objects.count() == 1


def test_an_export_of_a_demand_list_imports_back_unchanged(tmp_path, categories, personas):
    from demands.exports import write_xlsx as export
    from tests.demand_helpers import registered

    made = [registered(personas, categories.litter, "2026-11-23 09:00"),
            registered(personas, categories.stall, "2026-11-24 10:30", requester_name="李先生",
                       title="商铺占道", content="商铺把货物摆到人行道上。", external_id="E-7")]
    exported = tmp_path / "诉求.xlsx"
    with exported.open("wb") as handle:
        assert export(Demand.objects.all(), handle) == 2
    output = run_command(exported)  # the export's columns are recognised without --map
    assert "新增 0" in output and "无变化 2" in output
    # into another installation: the same demands again, their fields intact
    Demand.objects.all().delete()
    run_command(exported)
    again = {d.title: d for d in Demand.objects.all()}
    assert set(again) == {m.title for m in made}
    for original in made:
        copy = again[original.title]
        for field in ("content", "requester_name", "requester_phone", "address", "category",
                      "longitude", "latitude", "requester_kind", "urgency"):
            assert getattr(copy, field) == getattr(original, field), field
        assert copy.received_at == original.received_at.replace(second=0, microsecond=0)
    # and importing that export once more changes nothing
    assert "无变化 2" in run_command(exported)


def test_the_error_report_lists_each_refused_row_with_its_cells(tmp_path, categories, client,
                                                                 personas):
    from imports.reports import error_report

    path = write_csv(tmp_path / "bad.csv", [row(1), row(2, 问题类别="不存在的类")])
    run_command(path, *map_args())
    job = Job.objects.get()
    sheet = load_workbook(io.BytesIO(error_report(job))).active
    values = list(sheet.values)
    assert values[0] == ("行号", "出错原因", *HEADERS)
    assert values[1][:3] == (3, "类别“不存在的类”不存在。" + import_helpers.NO_SUCH_CATEGORY_HINT,
                              "GD2026000002")


def test_times_are_read_in_the_forms_offices_write_them(categories):
    for text in ("2026-11-20 08:05", "2026/11/20 8:05", "2026年11月20日 08:05",
                 "2026-11-20T08:05:00", "20261120080500", "2026.11.20 08:05"):
        assert runner.parse_time(text) == dt.datetime(2026, 11, 20, 8, 5, tzinfo=TZ), text


def test_a_file_that_cannot_be_decoded_midway_keeps_the_rows_before_and_says_where(
        tmp_path, categories, monkeypatch):
    from imports import readers

    monkeypatch.setattr(readers, "SAMPLE_BYTES", 256)  # the sniffer sees the clean start
    path = write_csv(tmp_path / "broken.csv", [row(n) for n in range(1, 301)])
    data = path.read_bytes()
    cut = data.index(b"GD2026000250")
    path.write_bytes(data[:cut] + b"\xff\xfe" + data[cut:])
    with pytest.raises(CommandError, match="行附近有无法按 utf-8 解码的字符，请检查文件编码"):
        run_command(path, *map_args())
    job = Job.objects.get()
    assert job.state == JobState.FAILED
    # what came before the bad bytes is imported, nothing after them
    assert 0 < Demand.objects.count() == job.done < 250
    small = write_csv(tmp_path / "small.csv", [row(1)])
    small.write_bytes(small.read_bytes().replace(b"GD", b"\xff\xfe"))
    with pytest.raises(CommandError, match="无法识别文件的文字编码"):
        run_command(small, *map_args())


def test_a_tracking_number_drawn_twice_is_drawn_again(tmp_path, categories, personas,
                                                       monkeypatch):
    """Numbers are random: a million rows over a year draw about two that already exist.
    The chunk is then built again with fresh numbers; no row is lost."""
    from tests.demand_helpers import registered

    taken = registered(personas, categories.litter).number
    from demands.actions import importing

    real = importing.new_number
    draws = iter([taken])
    monkeypatch.setattr(importing, "new_number", lambda at: next(draws, None) or real(at))
    path = write_csv(tmp_path / "a.csv", [row(n) for n in range(1, 4)])
    output = run_command(path, *map_args())
    assert "新增 3" in output and "出错 0" in output
    assert Demand.objects.count() == 4
    assert Demand.objects.filter(number=taken).count() == 1


def test_a_demand_a_re_import_rewords_is_checked_for_duplicates_again(
        tmp_path, categories, personas, monkeypatch, django_capture_on_commit_callbacks):
    """The hotline corrected a record: its new words and place repeat a demand registered
    earlier, and the (worker's) duplicate check flags it."""
    from insights import duplicates
    from insights import tasks as insight_tasks
    from tests.demand_helpers import registered

    original = registered(personas, categories.litter, "2026-11-01 08:00")
    monkeypatch.setattr(insight_tasks.check_duplicates, "delay", duplicates.check_ids)
    phone = original.requester_phone  # the same caller, about something else at first
    first = row(9, 内容="路灯不亮已经一周了。", 标题="路灯不亮", 电话=phone)
    with django_capture_on_commit_callbacks(execute=True):
        run_command(write_csv(tmp_path / "a.csv", [first]), *map_args())
    imported = Demand.objects.get(external_id="GD2026000009")
    assert not imported.duplicate_flags.exists()
    again = row(9, 内容=original.content, 标题=original.title, 电话=phone)
    with django_capture_on_commit_callbacks(execute=True):
        output = run_command(write_csv(tmp_path / "b.csv", [again]))
    assert "更新 1" in output
    flag = imported.duplicate_flags.get()
    assert flag.original == original
    imported.refresh_from_db()
    assert imported.is_repeat


# The column names of 12345 exports seen in the field (issue #9): each set is recognised
# without --map, the category also when written as the hotline's path of levels.
HOTLINE_HEADERS = [
    ["工单编号", "来电时间", "来电人", "联系电话", "诉求内容", "问题地址", "诉求标题", "问题分类"],
    ["受理编号", "受理时间", "联系人", "来电号码", "问题描述", "事发地址", "工单标题", "诉求分类"],
    ["受理编号", "登记时间", "诉求人", "联系电话", "工单内容", "发生地点", "标题", "业务类别"],
    ["工单编号", "来电时间", "来电人", "来电号码", "诉求内容", "事发地址", "标题", "问题类型"],
]
CATEGORY_CELLS = ["暴露垃圾", "市容环境-暴露垃圾", "城市管理-市容环境-暴露垃圾",
                  "城市管理>市容环境>暴露垃圾"]


@pytest.mark.parametrize(("headers", "category"),
                         list(zip(HOTLINE_HEADERS, CATEGORY_CELLS, strict=True)))
def test_the_usual_12345_headers_are_recognised_without_a_mapping(tmp_path, categories,
                                                                  headers, category):
    values = ["GD-7", "2026-11-20 08:05", "王女士", "139 1234 5678",
              "幸福路3号门口的垃圾两天没人清运。气味很大。", "宿迁市宿城区幸福路3号",
              "幸福路垃圾堆积", category]
    path = write_csv(tmp_path / "12345.csv", [values], headers=headers)
    output = run_command(path)  # a new source: nothing saved, no --map
    assert "新增 1" in output and "出错 0" in output, output
    assert Source.objects.get().mapping == dict(zip(
        ["external_id", "received_at", "requester_name", "requester_phone", "content",
         "address", "title", "category"], headers, strict=True))
    demand = Demand.objects.get()
    assert (demand.external_id, demand.requester_name, demand.requester_phone) == (
        "GD-7", "王女士", "13912345678")
    assert demand.title == "幸福路垃圾堆积" and demand.address == "宿迁市宿城区幸福路3号"
    assert demand.content == "幸福路3号门口的垃圾两天没人清运。气味很大。"
    assert demand.category == categories.litter
    assert demand.received_at == at("2026-11-20 08:05")


def test_a_category_path_names_a_category_that_exists(tmp_path, categories):
    rows = [row(1, 问题类别="城市管理-市容环境-外星人入侵"), row(2, 问题类别="城市管理-")]
    output = run_command(write_csv(tmp_path / "a.csv", rows), *map_args())
    assert "新增 0" in output and "出错 2" in output
    assert sorted(RowError.objects.values_list("reason", flat=True)) == [
        "类别“城市管理-”不存在。" + import_helpers.NO_SUCH_CATEGORY_HINT,
        "类别“城市管理-市容环境-外星人入侵”不存在。" + import_helpers.NO_SUCH_CATEGORY_HINT]


def test_a_confirmed_job_is_queued_for_the_worker_s_task_after_the_commit(
        tmp_path, categories, monkeypatch, django_capture_on_commit_callbacks):
    """The job is handed to ``imports.tasks.run_job`` by its name (the task module imports
    the jobs module, not the reverse): the name must stay the task's."""
    from celery import current_app

    from imports import jobs, mapping
    from imports.tasks import run_job

    path = write_csv(tmp_path / "12345.csv", [row(1)])
    with path.open("rb") as handle:
        job = jobs.upload(None, mapping.source_named("12345热线"), handle, path.name)
    sent = []
    monkeypatch.setattr(current_app, "send_task", lambda name, args: sent.append((name, args)))
    with django_capture_on_commit_callbacks(execute=True):
        jobs.confirm(None, job, job.mapping | {"category": "问题类别"})
        assert sent == []  # nothing before the commit
    assert sent == [(run_job.name, [job.pk])]
    job.refresh_from_db()
    assert job.state == JobState.QUEUED
