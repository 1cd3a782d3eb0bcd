"""``manage.py evaluate_routing`` on labelled files: CSV (UTF-8, GBK) and XLSX."""

from __future__ import annotations

import csv
import io
import random
import re

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from .routing_helpers import VOCABULARY, text_for

NAMES = {"huanwei": "环卫处", "shizheng": "市政处", "yuanlin": "园林处", "zhifa": "执法大队"}
HEADERS = ["工单号", "标题", "内容", "承办单位"]


def rows(per_class=20, seed=3):
    rng = random.Random(seed)
    out = []
    for index in range(per_class * len(VOCABULARY)):
        code = list(VOCABULARY)[index % len(VOCABULARY)]
        title, content = text_for(code, rng)
        out.append([f"GD{index:05d}", title, content, NAMES[code]])
    return out


def write_csv(path, data, encoding):
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(data)
    return path


def evaluate(path, *args):
    out = io.StringIO()
    call_command("evaluate_routing", str(path), "--text-columns", "标题", "内容",
                 "--label-column", "承办单位", *args, stdout=out)
    return out.getvalue()


def check_report(text, bound=0.9):
    lines = text.splitlines()
    for name in NAMES.values():
        line = next(line for line in lines if line.startswith(name))
        *figures, support = line.split()[1:]
        assert all(0 <= float(x) <= 1 for x in figures) and len(figures) == 3
        assert int(support) == 20
    last = lines[-1]
    assert re.fullmatch(r"macro-F1: [01]\.\d{3}", last), last
    assert float(last.split()[1]) > bound
    return lines


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_each_encoding(tmp_path, encoding):
    path = write_csv(tmp_path / "labelled.csv", rows(), encoding)
    text = evaluate(path)
    assert "80 行，4 类，5 折分层交叉验证" in text
    check_report(text)


def test_xlsx_and_fewer_folds(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows():
        sheet.append(row)
    book.save(tmp_path / "labelled.xlsx")
    text = evaluate(tmp_path / "labelled.xlsx", "--folds", "3")
    assert "3 折" in text
    check_report(text)


def test_rare_classes_are_left_out_with_a_note(tmp_path):
    data = rows()
    data += [["X1", "路边有人钓鱼", "河边有人钓鱼", "水务处"],
             ["X2", "河道有垃圾漂浮", "河道垃圾", "水务处"]]
    data += [["X3", "", "", "环卫处"], ["X4", "没有标注的诉求", "内容", ""]]
    text = evaluate(write_csv(tmp_path / "rare.csv", data, "utf-8"))
    assert "以下 1 类少于 5 行，无法分层交叉验证，已排除：水务处（2）" in text
    assert "另有 2 行文本或标注为空，已跳过" in text
    lines = check_report(text)
    assert not any(line.startswith("水务处") for line in lines)


def test_an_unknown_column_names_the_available_ones(tmp_path):
    path = write_csv(tmp_path / "labelled.csv", rows(5), "utf-8")
    with pytest.raises(CommandError) as refused:
        call_command("evaluate_routing", str(path), "--text-columns", "标题", "描述",
                     "--label-column", "单位")
    assert str(refused.value) == ("文件中没有列：描述、单位。"
                                  "文件的列有：工单号、标题、内容、承办单位")


def test_a_missing_or_unreadable_file_is_refused_in_chinese(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        evaluate(tmp_path / "nope.csv")
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a spreadsheet")
    with pytest.raises(CommandError, match="不是 Excel 文件"):
        evaluate(bad)


def test_one_class_is_not_enough(tmp_path):
    data = [row for row in rows() if row[3] == "环卫处"]
    with pytest.raises(CommandError, match="至少需要两个类别"):
        evaluate(write_csv(tmp_path / "one.csv", data, "utf-8"))
