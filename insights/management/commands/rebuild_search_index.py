"""Write the search document of every demand (or of those missing one).

    manage.py rebuild_search_index [--batch 2000] [--missing] [--after ID]

Idempotent: each batch is an upsert by demand id, so running it twice, or stopping it and
running it again, leaves the same index. Batches go in id order and each is its own
transaction; the last id written is printed with the progress, and ``--after ID`` resumes
from there. ``--missing`` writes only the demands that have no document yet (after a lost
worker task, say). On SQLite, documents of deleted demands are removed first (PostgreSQL
removes them itself, by the foreign key).
"""

from __future__ import annotations

import time

from django.core.management.base import CommandError
from django.db import connection, transaction

from demands.models import Demand
from insights import search
from lib.commands import BaseCommand


class Command(BaseCommand):
    help = "重建诉求全文检索索引（可重复执行，可从中断处继续）。"

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=2000,
                            help="每批写入的诉求条数（默认 2000）。")
        parser.add_argument("--after", type=int, default=0,
                            help="从该诉求 id 之后开始（用于中断后继续）。")
        parser.add_argument("--missing", action="store_true",
                            help="只索引尚无检索文档的诉求。")

    def handle(self, *args, batch, after, missing, **options):
        if not 1 <= batch <= 50_000:
            raise CommandError("--batch 须在 1 至 50000 之间。")
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("DELETE FROM insights_searchdoc WHERE rowid NOT IN "
                               "(SELECT id FROM demands_demand)")
                if cursor.rowcount:
                    self.stdout.write(f"已删除 {cursor.rowcount} 条失效的检索文档。")
        rows = Demand.objects.filter(pk__gt=after)
        if missing:
            rows = rows.exclude(pk__in=self._indexed_ids())
        total = rows.count()
        self.stdout.write(f"待索引诉求 {total:,} 条。")
        started = time.monotonic()
        done, last, reported = 0, after, 0.0
        while True:
            chunk = list(rows.filter(pk__gt=last).order_by("pk")
                         .values(*search.INDEX_FIELDS)[:batch])
            if not chunk:
                break
            with transaction.atomic():
                search.index(chunk)
            done += len(chunk)
            last = chunk[-1]["id"]
            elapsed = time.monotonic() - started
            if elapsed - reported >= 5 or len(chunk) < batch:
                reported = elapsed
                self.stdout.write(f"  已索引 {done:,} / {total:,} 条，"
                                  f"{done / max(elapsed, 1e-6):,.0f} 条/秒，最后 id {last}")
        elapsed = time.monotonic() - started
        self.stdout.write(self.style.SUCCESS(
            f"完成：索引 {done:,} 条，用时 {elapsed:.1f} 秒"
            f"（{done / max(elapsed, 1e-6):,.0f} 条/秒）。"))

    @staticmethod
    def _indexed_ids():
        from django.db.models.expressions import RawSQL

        column = "demand_id" if connection.vendor == "postgresql" else "rowid"
        return RawSQL(f"SELECT {column} FROM insights_searchdoc", [])  # noqa: S608, S611
