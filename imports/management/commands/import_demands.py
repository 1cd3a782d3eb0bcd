"""``manage.py import_demands FILE --source NAME [--map FIELD=COLUMN ...]``"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError

from catalog.models import Category
from demands.models import Channel, RequesterKind
from imports import jobs, runner
from imports.mapping import source_named
from imports.models import FIELDS, Job, JobState
from lib.commands import BaseCommand
from lib.errors import ActionError


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _confidence(text: str) -> float:
    try:
        value = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        raise argparse.ArgumentTypeError(f"“{text}”不是数字，应为 0 到 1 之间，如 0.8") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"{text} 不在 0 到 1 之间（如 0.8 或 80%）")
    return value


class Command(BaseCommand):
    help = "导入 12345 等系统导出的诉求文件（.xlsx / .csv，UTF-8 或 GBK）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="要导入的 .xlsx 或 .csv 文件")
        parser.add_argument("--source", required=True,
                            help="来源名称，如“12345热线”；列对应关系按来源保存，下次沿用")
        parser.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                            help="字段=列名，可重复；字段：" + "、".join(FIELDS))
        parser.add_argument("--channel", choices=Channel.values,
                            help="新来源的渠道（默认 12345）")
        parser.add_argument("--kind", choices=RequesterKind.values,
                            help="文件未写明时的诉求人类型（默认 citizen 群众）")
        parser.add_argument("--category", help="文件未写明时的类别（编码）；不给且文件无类别列时，"
                                               "诉求进入“待分类”")
        parser.add_argument("--auto-category", type=_confidence, metavar="CONFIDENCE",
                            help="无类别的诉求由分类模型判定，置信度不低于此值（0–1，如 0.8）时"
                                 "直接归类并记为智能分类，其余进入“待分类”")
        parser.add_argument("--user", help="以该工作人员的名义导入（作为首问受理人）")
        parser.add_argument("--queue", action="store_true",
                            help="交给后台 worker 处理，本命令只显示进度")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"文件不存在：{path}")
        mapping = {}
        for item in options["map"]:
            field, sep, column = item.partition("=")
            if not sep or not field.strip() or not column.strip():
                raise CommandError(f"--map 应写成 字段=列名，例如 --map title=标题（收到“{item}”）")
            mapping[field.strip()] = column.strip()
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"没有用户名为“{options['user']}”的工作人员。")
        category = None
        if options["category"]:
            category = Category.objects.filter(code=options["category"]).first()
            if category is None:
                raise CommandError(f"类别“{options['category']}”不存在。")
        try:
            source = source_named(options["source"], channel=options["channel"],
                                  default_kind=options["kind"], default_category=category)
            job = self._job(user, source, path, mapping, options["auto_category"])
        except ActionError as error:
            raise CommandError(error.message) from None
        if options["queue"]:
            self._follow(job)
        else:
            job = runner.run(job.pk, progress=self._progress)
        self._summary(job)

    def _job(self, user, source, path: Path, mapping: dict, auto_category) -> Job:
        with path.open("rb") as handle:
            earlier = jobs.unfinished(source, handle)
            if earlier is not None:
                self.stdout.write(f"继续未完成的导入任务 #{earlier.pk}"
                                  f"（已处理 {earlier.done:,} 行）")
                return jobs.resume(user, earlier, queue=False)
            job = jobs.upload(user, source, handle, path.name)
        chosen = {**job.mapping, **mapping}
        if mapping:
            self.stdout.write("列对应：" + "，".join(f"{f}={c}" for f, c in chosen.items()))
        return jobs.confirm_here(user, job, chosen, auto_category)

    def _progress(self, job: Job) -> None:
        width = 30
        filled = width * job.percent // 100
        sys.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {job.done:,}/"
                         f"{job.total or 0:,} 行  {job.rate:,.0f} 行/秒  "
                         f"剩余 {_duration(job.seconds_left or 0)}  ")
        sys.stdout.flush()

    def _follow(self, job: Job) -> None:
        jobs.enqueue(job.pk)
        while True:
            job.refresh_from_db()
            self._progress(job)
            if job.finished:
                return
            time.sleep(1)

    def _summary(self, job: Job) -> None:
        self.stdout.write("")
        if job.state == JobState.FAILED:
            raise CommandError(f"导入任务 #{job.pk} 失败：{job.message}")
        self.stdout.write(
            f"导入任务 #{job.pk}：共 {job.done:,} 行，新增 {job.created:,}，更新 {job.updated:,}，"
            f"无变化 {job.unchanged:,}，出错 {job.failed:,}；用时 {job.seconds:.1f} 秒，"
            f"{job.rate:,.0f} 行/秒")
        if job.classified or job.unclassified:
            self.stdout.write(f"无类别的诉求：智能分类 {job.classified:,} 条，"
                              f"待分类 {job.unclassified:,} 条（控制台“待分类”队列）")
        if job.failed:
            for error in job.errors.order_by("row_number")[:20]:
                self.stdout.write(f"  第 {error.row_number} 行：{error.reason}")
            if job.failed > 20:
                self.stdout.write(f"  ……其余 {job.failed - 20:,} 行见控制台的出错报告。")
