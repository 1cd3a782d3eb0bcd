"""``manage.py evaluate_routing`` on labelled files: CSV (UTF-8, GBK) and XLSX; the model
and the plain baseline on the same folds, and on the realistic evaluation set
(tests/fixtures/routing_eval.csv) the model beats the baseline."""

from __future__ import annotations

import csv
import io
import random
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from insights import routing

from .routing_helpers import VOCABULARY, text_for

EVALUATION_SET = Path(__file__).parent / "fixtures" / "routing_eval.csv"

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


FIGURE = r"([01]\.\d{3}) ± ([01]\.\d{3})"


def figures(text, who):
    """(mean, std) of the line ``<who> macro-F1: 0.xxx ± 0.xxx``."""
    found = re.search(rf"^{who} macro-F1: {FIGURE}$", text, re.MULTILINE)
    assert found, text
    return float(found[1]), float(found[2])


def check_report(text, bound=0.9, folds=5):
    lines = text.splitlines()
    for name in NAMES.values():
        line = next(line for line in lines if line.startswith(name))
        *scores, support = line.split()[1:]
        assert all(0 <= float(x) <= 1 for x in scores) and len(scores) == 3
        assert int(support) == 20
    fold_lines = [line for line in lines if line.startswith("各折 macro-F1：")]
    assert len(fold_lines) == 2  # the model's, the baseline's
    assert all(len(line.split("：")[1].split()) == folds for line in fold_lines)
    model, baseline = figures(text, "模型"), figures(text, "基线")
    assert model[0] > bound and baseline[0] > bound
    assert lines[-1].startswith("结论：模型比基线"), lines[-1]
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
    check_report(text, folds=3)


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


def test_one_text_column_is_read_as_the_content(tmp_path):
    path = write_csv(tmp_path / "labelled.csv", rows(), "utf-8")
    out = io.StringIO()
    call_command("evaluate_routing", str(path), "--text-columns", "内容",
                 "--label-column", "承办单位", "--folds", "3", stdout=out)
    check_report(out.getvalue(), folds=3)


# --- the realistic evaluation set --------------------------------------------------------
def read_evaluation_set():
    with open(EVALUATION_SET, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return [routing.demand_text(r["标题"], r["内容"]) for r in rows], [r["类别"] for r in rows]


def test_the_evaluation_set_is_several_hundred_messages_in_imbalanced_demo_categories():
    from catalog.demo import CATEGORIES

    texts, labels = read_evaluation_set()
    leaves = {name for _code, _name, items in CATEGORIES for _c, name, *_rest in items}
    counts = sorted((labels.count(label) for label in set(labels)), reverse=True)
    assert 500 <= len(texts) <= 700 and len(set(texts)) == len(texts)
    assert set(labels) <= leaves and 10 <= len(counts) <= 15
    assert counts[0] >= 4 * counts[-1]  # imbalanced, as hotline traffic is
    lengths = sorted(map(len, texts))
    assert lengths[0] < 20 and lengths[-1] > 300  # short notes and long letters


def test_the_model_beats_the_baseline_on_the_evaluation_set_by_more_than_the_spread():
    """The issue's acceptance figure, computed: mean macro-F1 over the same five folds,
    the model's margin over the baseline larger than the larger of the two standard
    deviations. Full run (this test, ~5 s on two cores): model 0.939 ± 0.026, baseline
    0.899 ± 0.029, margin 0.040 (docs/routing.md)."""
    texts, labels = read_evaluation_set()
    comparison = routing.compare(texts, labels, 5)
    assert len(comparison.model.fold_macro_f1) == len(comparison.baseline.fold_macro_f1) == 5
    assert comparison.margin > comparison.spread, (
        comparison.model.fold_macro_f1, comparison.baseline.fold_macro_f1)
    assert comparison.model_wins
    # and it wins fold by fold, not only on average
    assert all(difference > 0 for difference in comparison.differences)


def test_evaluate_routing_on_the_evaluation_set_prints_both_figures_and_the_verdict():
    out = io.StringIO()
    call_command("evaluate_routing", str(EVALUATION_SET), "--text-columns", "标题", "内容",
                 "--label-column", "类别", "--folds", "3", stdout=out)
    text = out.getvalue()
    assert "586 行，15 类，3 折分层交叉验证，模型与基线用同一组折。" in text
    model, baseline = figures(text, "模型"), figures(text, "基线")
    assert model[0] > baseline[0]
    assert text.splitlines()[-1].startswith("结论：模型比基线高")


def test_confidences_are_calibrated_on_the_evaluation_set():
    """Imports auto-assign a category when the model is at least so sure, so a
    confidence must mean what it says: on held-out texts the mean top confidence is
    within five points of the accuracy, and nine in ten of those above 0.8 are right."""
    import numpy as np

    texts, labels = read_evaluation_set()
    confidences, right = [], []
    for learn, held in routing.splits(labels, 5):
        pipeline = routing.fit_pipeline(routing.build_pipeline(), [texts[i] for i in learn],
                                        [labels[i] for i in learn])
        probabilities = pipeline.predict_proba([texts[i] for i in held])
        picked = pipeline.classes_[probabilities.argmax(axis=1)]
        confidences.extend(probabilities.max(axis=1))
        right.extend(picked == np.array([labels[i] for i in held]))
    confidences, right = np.array(confidences), np.array(right)
    assert abs(confidences.mean() - right.mean()) < 0.05
    sure = confidences >= 0.8
    assert sure.mean() > 0.5 and right[sure].mean() > 0.9
