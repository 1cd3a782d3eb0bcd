"""``manage.py evaluate_routing FILE.xlsx|FILE.csv --text-columns COL [COL ...]
--label-column COL [--folds 5]``

Runs the routing pipeline (``insights.routing.build_pipeline``, the one training uses)
**and** a plain baseline (``insights.routing.build_baseline``: character 1–3-gram TF-IDF
+ LinearSVC) on any labelled file, on the same stratified folds, so every report says
whether the model earns its complexity. The first text column is the title, the others
the content (``routing.demand_text``, as training reads a demand); one column is content
only. Prints the model's per-class precision/recall/F1/support, each fold's macro-F1 and
``模型 macro-F1: mean ± std`` over the folds, the same for ``基线``, and a verdict: does
the model beat the baseline by more than the fold-to-fold spread (the larger of the two
standard deviations)? Nothing is written to the database.

Classes with fewer rows than folds (or than ``routing.MIN_CLASS_ROWS``) cannot be
stratified; they are left out, and listed, rather than lowering the number of folds for
everyone.
"""

from __future__ import annotations

import statistics
import time
import unicodedata
from collections import Counter
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _

from imports.readers import open_table
from insights import routing
from lib.commands import BaseCommand
from lib.errors import ActionError


def width(text: str) -> int:
    """Columns a terminal gives the text (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def pad(text: str, columns: int) -> str:
    return text + " " * max(columns - width(text), 0)


def print_report(write, rows, accuracy: float, macro_f1: float) -> None:
    """Per-class lines from ``rows`` of (label, precision, recall, F1, support), then
    accuracy and macro-F1 (``train_routing``'s report)."""
    print_classes(write, rows)
    write(f"accuracy: {accuracy:.3f}")
    write(f"macro-F1: {macro_f1:.3f}")


def print_classes(write, rows) -> None:
    """A header and one line per class from ``rows`` of (label, precision, recall, F1,
    support)."""
    rows = [(str(label), *figures) for label, *figures in rows]
    first = max([width(_("类别")), *(width(row[0]) for row in rows)])
    write(f"{pad(_('类别'), first)}  precision  recall  f1-score  support")
    for label, p, r, f, s in rows:
        write(f"{pad(label, first)}  {p:9.3f}  {r:6.3f}  {f:8.3f}  {s:7d}")


def folds_line(evaluation) -> str:
    return _("各折 macro-F1：%(scores)s") % {
        "scores": " ".join(f"{score:.3f}" for score in evaluation.fold_macro_f1)}


def verdict(comparison) -> str:
    figures = {"margin": abs(comparison.margin), "spread": comparison.spread}
    if comparison.model_wins:
        return _("结论：模型比基线高 %(margin).3f，大于折间波动 %(spread).3f"
                 "（两者各折标准差的较大者），模型胜过基线。") % figures
    if comparison.margin > 0:
        return _("结论：模型比基线高 %(margin).3f，未超过折间波动 %(spread).3f"
                 "（两者各折标准差的较大者），不能说模型胜过基线。") % figures
    return _("结论：模型比基线低 %(margin).3f（折间波动 %(spread).3f），"
             "模型没有胜过基线。") % figures


class Command(BaseCommand):
    help = ("用分派建议的训练流程对带标注的 xlsx/csv 文件做分层 k 折交叉验证，"
            "输出各类指标和宏平均 F1。")

    def add_arguments(self, parser):
        parser.add_argument("file", help="xlsx 或 csv 文件（UTF-8、带 BOM 的 UTF-8 或 GBK）")
        parser.add_argument("--text-columns", nargs="+", required=True, metavar="COL",
                            help="作为文本的列（多列以空格连接）")
        parser.add_argument("--label-column", required=True, metavar="COL", help="标注列")
        parser.add_argument("--folds", type=int, default=5, help="折数（默认 5）")

    def handle(self, *args, file, text_columns, label_column, folds, **options):
        if not 2 <= folds <= 20:
            raise CommandError(_("--folds 须在 2 到 20 之间。"))
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("找不到文件“%(file)s”。") % {"file": file})
        try:
            table = open_table(path, path.name)
            texts, labels, skipped = self._read(table, text_columns, label_column)
        except ActionError as error:
            raise CommandError(error.message) from None
        write = self.stdout.write
        counts = Counter(labels)
        least = max(folds, routing.MIN_CLASS_ROWS)
        rare = sorted((label for label, n in counts.items() if n < least),
                      key=lambda label: (counts[label], label))
        if rare:
            write(_("以下 %(n)d 类少于 %(least)d 行，无法分层交叉验证，已排除：%(labels)s")
                  % {"n": len(rare), "least": least,
                     "labels": "、".join(f"{label}（{counts[label]}）" for label in rare)})
            keep = [i for i, label in enumerate(labels) if counts[label] >= least]
            texts, labels = [texts[i] for i in keep], [labels[i] for i in keep]
        classes = len(set(labels))
        if classes < 2:
            raise CommandError(_("至少需要两个类别、每类不少于 %(least)d 行才能评估，"
                                 "当前可用的类别数为 %(n)d。") % {"least": least, "n": classes})
        write(_("%(rows)d 行，%(classes)d 类，%(folds)d 折分层交叉验证，模型与基线用同一组折"
                "%(skipped)s。") % {
            "rows": len(labels), "classes": classes, "folds": folds,
            "skipped": _("（另有 %(n)d 行文本或标注为空，已跳过）") % {"n": skipped}
            if skipped else ""})
        started = time.perf_counter()
        try:
            comparison = routing.compare(texts, labels, folds)
        except ValueError as error:
            raise CommandError(_("无法学习：文本中没有在两行以上出现的词或字串（%(error)s）。")
                               % {"error": error}) from None
        model, baseline = comparison.model, comparison.baseline
        write("")
        write(_("模型（insights.routing.build_pipeline：词与字符 1–3 元 TF-IDF、标题加权、"
                "类别均衡的线性 SVM、温度标定的置信度）"))
        print_classes(write, [(label, *figures) for label, figures
                              in model.per_class.items()])
        write(f"accuracy: {model.accuracy:.3f}")
        write(folds_line(model))
        write(_("模型 macro-F1: %(mean).3f ± %(std).3f") % {"mean": model.mean,
                                                           "std": model.std})
        write("")
        write(_("基线（字符 1–3 元 TF-IDF + LinearSVC，默认参数）"))
        write(f"accuracy: {baseline.accuracy:.3f}")
        write(folds_line(baseline))
        write(_("基线 macro-F1: %(mean).3f ± %(std).3f") % {"mean": baseline.mean,
                                                           "std": baseline.std})
        write("")
        differences = comparison.differences
        write(_("逐折之差（模型 − 基线）：%(mean)+.3f ± %(std).3f") % {
            "mean": statistics.fmean(differences), "std": statistics.pstdev(differences)})
        write(_("用时 %(seconds).1f 秒。") % {"seconds": time.perf_counter() - started})
        write(verdict(comparison))

    @staticmethod
    def _read(table, text_columns, label_column):
        wanted = [*text_columns, label_column]
        missing = [column for column in wanted if column not in table.headers]
        if missing:
            raise CommandError(_("文件中没有列：%(missing)s。文件的列有：%(headers)s")
                               % {"missing": "、".join(missing),
                                  "headers": "、".join(table.headers)})
        text_at = [table.headers.index(column) for column in text_columns]
        label_at = table.headers.index(label_column)
        title_at, content_at = (text_at[0], text_at[1:]) if len(text_at) > 1 \
            else (None, text_at)
        texts, labels, skipped = [], [], 0
        for cells in table.rows:
            title = cells[title_at].strip() if title_at is not None else ""
            content = " ".join(cells[i].strip() for i in content_at if cells[i].strip())
            label = cells[label_at].strip()
            if not (title or content) or not label:
                skipped += 1
                continue
            texts.append(routing.demand_text(title, content))
            labels.append(label)
        return texts, labels, skipped
