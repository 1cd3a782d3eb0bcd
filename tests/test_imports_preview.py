"""The import preview says of each row what the import will do with it, and shows a row's
cells under their own headers (issue #9, item 6)."""

from __future__ import annotations

import io
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from demands.models import Demand
from imports import runner
from imports.models import Job
from imports.reports import error_report

from .import_helpers import HEADERS, bad_rows, row, write_csv

pytestmark = pytest.mark.django_db
BACKEND = "django.contrib.auth.backends.ModelBackend"


class _Table(HTMLParser):
    """The text of each cell of the preview table, row by row (header row first), and
    the cells marked as the one in error."""

    def __init__(self):
        super().__init__()
        self.rows: list[list[str]] = []
        self.marked: list[tuple[int, int]] = []  # (row, cell) indexes
        self.inside = self.cell = False

    def handle_starttag(self, tag, attrs):
        if tag == "table" and ("data-testid", "preview") in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("th", "td"):
            self.cell = True
            self.rows[-1].append("")
            if ("aria-invalid", "true") in attrs:
                self.marked.append((len(self.rows) - 1, len(self.rows[-1]) - 1))

    def handle_endtag(self, tag):
        if tag == "table":
            self.inside = False
        elif tag in ("th", "td"):
            self.cell = False

    def handle_data(self, data):
        if self.inside and self.cell:
            self.rows[-1][-1] += data.strip()


def preview_table(page: str) -> tuple[list[str], dict[int, list[str]]]:
    """The header row, and each row by its number."""
    return _parsed(page)[:2]


def marked_cells(page: str) -> dict[int, str]:
    """Row number → the header of its cell marked as in error."""
    return _parsed(page)[2]


def _parsed(page: str):
    parser = _Table()
    parser.feed(page)
    header, *body = parser.rows
    marked = {int(parser.rows[row][0]): header[cell] for row, cell in parser.marked}
    return header, {int(cells[0]): cells for cells in body}, marked


def upload(client, personas, path):
    client.force_login(personas.receiver, backend=BACKEND)
    with path.open("rb") as handle:
        response = client.post(reverse("console:imports"), {
            "file": handle, "source": "12345热线", "channel": "12345",
            "default_kind": "citizen"})
    assert response.status_code == 302, response.content.decode()
    return Job.objects.get(), client.get(response["Location"]).content.decode()


def import_it(client, job) -> dict[int, str]:
    """Confirm the guessed mapping and run the job: the refused rows and why."""
    response = client.post(reverse("console:import_detail", args=[job.pk]), job.mapping)
    assert response.status_code == 302
    runner.run(job.pk)
    return dict(job.errors.values_list("row_number", "reason"))


def test_the_preview_accepts_exactly_the_rows_the_import_accepts(client, personas,
                                                                 categories, tmp_path):
    rows = bad_rows()
    job, page = upload(client, personas, write_csv(tmp_path / "bad.csv", rows))
    header, shown = preview_table(page)
    result = {number: cells[-1] for number, cells in shown.items()}
    assert header[-1] == "结果" and set(result) == set(range(2, 10))
    assert {number for number, text in result.items() if text == "可导入"} == {2, 9}

    refused = import_it(client, job)
    assert set(refused) == {3, 4, 5, 6, 7, 8}
    for number, reason in refused.items():  # the preview gave the import's own reason
        assert result[number].startswith(reason), (number, result[number], reason)
    assert refused[6] == "工单编号“GD2026000001”与第 2 行重复（同一文件中出现两次）。"
    assert refused[7] == "联系电话格式不正确。"
    assert set(Demand.objects.values_list("external_id", flat=True)) == {
        "GD2026000001", "GD2026000008"}


def test_empty_content_without_a_title_column_is_named_as_the_content(client, personas,
                                                                      categories, tmp_path):
    headers = [h for h in HEADERS if h != "标题"]  # the title comes from the content
    rows = [[cell for h, cell in zip(HEADERS, values, strict=True) if h != "标题"]
            for values in (row(1), row(2, 内容=""), row(3, 内容="。路灯不亮；很危险"))]
    job, page = upload(client, personas, write_csv(tmp_path / "a.csv", rows, headers=headers))
    assert "title" not in job.mapping
    _header, shown = preview_table(page)
    assert shown[3][-1] == "请填写诉求内容。（“内容”列）"
    assert "请填写标题" not in page
    assert marked_cells(page) == {3: "诉求内容内容"}  # the field's label, the file's column
    assert shown[4][-1] == "可导入"  # its title: the first words, not the empty "。" before

    assert import_it(client, job) == {3: "请填写诉求内容。"}
    assert Demand.objects.get(external_id="GD2026000003").title == "路灯不亮"


def test_a_refused_row_s_cells_sit_under_their_own_headers(client, personas, categories,
                                                           tmp_path):
    rows = [row(1),
            row(2, 来电时间="昨天", 姓名="", 电话=""),  # empty cells in the middle
            row(3, 来电时间="前天")[:4]]              # a short row: the last four missing
    job, page = upload(client, personas, write_csv(tmp_path / "a.csv", rows))
    header, shown = preview_table(page)
    columns = {name: index for index, name in enumerate(header)}
    # each header shows the field's label and the file's column under it
    assert columns["来电/受理时间来电时间"] == 4 and columns["联系电话电话"] == 6
    for number, values in ((3, row(2, 来电时间="昨天", 姓名="", 电话="")),
                           (4, [*row(3, 来电时间="前天")[:4], "", "", "", ""])):
        cells = shown[number]
        assert len(cells) == len(header)
        for column, value in zip(HEADERS, values, strict=True):
            label = next(name for name in header if name.endswith(column))
            assert cells[columns[label]] == value[:39], (number, column)

    import_it(client, job)
    report = list(load_workbook(io.BytesIO(error_report(job))).active.values)
    assert report[0] == ("行号", "出错原因", *HEADERS)
    by_row = {values[0]: values[2:] for values in report[1:]}
    assert by_row[3] == tuple(cell or None for cell in rows[1])
    assert by_row[4] == (*rows[2], None, None, None, None)


def test_a_csv_row_shifted_by_an_unquoted_comma_is_refused_and_kept_whole(
        client, personas, categories, tmp_path):
    path = write_csv(tmp_path / "a.csv", [row(1), row(3)])
    lines = path.read_text(encoding="utf-8").splitlines()
    # a hand-edited line: a comma in the content, not quoted
    lines.insert(2, "GD2026000002,路灯不亮,路灯不亮, 晚上很黑,2026-11-03 09:02:00,王女士,"
                    "13900000002,暴露垃圾,宿迁市宿城区幸福路2号")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    job, page = upload(client, personas, path)
    _header, shown = preview_table(page)
    assert shown[3][-1].startswith("本行有 9 个单元格，比列名多 1 个，其后各列已错位")
    refused = import_it(client, job)
    assert list(refused) == [3] and refused[3].startswith("本行有 9 个单元格")
    assert Demand.objects.count() == 2
    report = list(load_workbook(io.BytesIO(error_report(job))).active.values)
    assert report[1][2:] == ("GD2026000002", "路灯不亮", "路灯不亮", "晚上很黑",
                             "2026-11-03 09:02:00", "王女士", "13900000002", "暴露垃圾",
                             "宿迁市宿城区幸福路2号")  # every cell, for the user to mend
