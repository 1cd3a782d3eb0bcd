"""``manage.py train_routing [--target unit|category]``

Trains a new version of the routing model(s) now, from the dispatch history, and prints
its figures: samples, classes, cross-validated accuracy and macro-F1, per-class lines.
The nightly job (``insights.tasks.retrain_routing``) does the same.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from insights import routing
from insights.models import RoutingTarget
from lib.commands import BaseCommand

from .evaluate_routing import print_report


class Command(BaseCommand):
    help = "用历史派遣记录训练新版本的分派建议模型（责任单位、类别），并输出交叉验证指标。"

    def add_arguments(self, parser):
        parser.add_argument("--target", choices=RoutingTarget.values,
                            help="只训练一个模型：unit（责任单位）或 category（类别）")

    def handle(self, *args, target=None, **options):
        write = self.stdout.write
        for name in [target] if target else RoutingTarget.values:
            model = routing.train(name)
            write(_("%(target)s 模型 v%(version)d：%(samples)d 条样本，%(classes)d 类，"
                    "用时 %(seconds).1f 秒。") % {
                "target": model.get_target_display(), "version": model.version,
                "samples": model.samples, "classes": model.classes, "seconds": model.seconds})
            if model.message:
                write(model.message)
            if not model.usable:
                write("")
                continue
            print_report(write, [(row["name"], row["precision"], row["recall"], row["f1"],
                                  row["support"])
                                 for row in model.per_class if not row.get("dropped")],
                         model.accuracy, model.macro_f1)
            write("")
