"""Bring the KPI roll-ups up to date, as the worker's minute job does — or rebuild them.

    manage.py refresh_rollups            # the marked days and the days closed since
    manage.py refresh_rollups --rebuild  # every day again (after writing demands in SQL)

Writes that bypass Django (a COPY, hand-written SQL) leave no marks: ``--rebuild`` forgets
what was built and builds every closed day again, a month per transaction.
"""

from __future__ import annotations

import time

from django.db import transaction

from demands import rollups
from demands.models import RollupState
from lib.commands import BaseCommand


class Command(BaseCommand):
    help = "更新每日指标汇总（--rebuild：全部重建）。"

    def add_arguments(self, parser):
        parser.add_argument("--rebuild", action="store_true", help="忘记已有汇总，全部重建。")

    def handle(self, *args, rebuild, **options):
        started = time.monotonic()
        if rebuild:
            with transaction.atomic():
                RollupState.objects.filter(pk=1).update(complete_through=None)
        done = rollups.refresh()
        self.stdout.write(f"已汇总至 {rollups.complete_through() or '—'}："
                          f"重算 {done['recomputed']} 天、新增 {done['closed']} 天，"
                          f"写入 {done['rows']} 行，"
                          f"用时 {time.monotonic() - started:.1f} 秒。")
