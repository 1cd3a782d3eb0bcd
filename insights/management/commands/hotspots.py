"""``manage.py hotspots [--since YYYY-MM-DD] [--until YYYY-MM-DD] [--top N] [--xlsx FILE]``

Prints the hot topics of the window (by default the last 30 days), ranked by heat —
both kinds: demands naming the same place (地名) and demands whose points are near (坐标)
— as the TipDM "热点问题表" (rank, heat, period, place, matter), then the point hotspots
with their trend and centre. ``--xlsx`` writes 热点问题表 and 热点问题留言明细表.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from insights import hotspots, topics
from lib.commands import BaseCommand


def _date(value: str) -> dt.date:
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d").date()  # noqa: DTZ007 - a date only
    except ValueError:
        raise CommandError(_("日期“%(value)s”格式不对，应为 YYYY-MM-DD，例如 2026-11-01。")
                           % {"value": value}) from None


class Command(BaseCommand):
    help = "按文字和地点聚类近期诉求，列出热点（关键词、条数、时间跨度和诉求编号）。"

    def add_arguments(self, parser):
        parser.add_argument("--since", help="开始日期 YYYY-MM-DD（默认：结束日期前 29 天）")
        parser.add_argument("--until", help="结束日期 YYYY-MM-DD（默认：今天）")
        parser.add_argument("--top", default="10", help="最多列出几个热点（默认 10）")
        parser.add_argument("--xlsx", metavar="FILE",
                            help="另存为 Excel：热点问题表、热点问题留言明细表")

    def handle(self, *args, since=None, until=None, top="10", xlsx=None, **options):
        since = _date(since) if since else None
        until = _date(until) if until else None
        try:
            top = int(top)
        except ValueError:
            top = 0
        if top < 1:
            raise CommandError(_("--top 必须是正整数。"))
        if since and since > (until or timezone.localdate()):
            raise CommandError(_("开始日期不能晚于结束日期。"))
        hot = topics.find(since, until, top=top)
        write = self.stdout.write
        write(_("热点问题（按热度排名）："))
        if not hot:
            write(_("  （无）"))
        for topic in hot:
            write(_("  %(rank)d. 热度 %(heat).2f　%(period)s　%(place)s　%(matter)s　"
                    "%(size)d 条，%(people)d 人，点赞 %(up)d、反对 %(down)d（%(kind)s）") % {
                "rank": topic.rank, "heat": topic.heat, "period": topic.period,
                "place": topic.place, "matter": topic.matter or _("（无关键词）"),
                "size": topic.size, "people": topic.requesters, "up": topic.supports,
                "down": topic.opposes, "kind": topic.kind_label})
        if xlsx:
            try:
                with open(xlsx, "wb") as handle:
                    topics.write_xlsx(hot, handle)
            except OSError as error:
                raise CommandError(_("无法写入 %(file)s：%(error)s") % {
                    "file": xlsx, "error": error.strerror}) from None
            write(_("已写入 %(file)s") % {"file": xlsx})
        write("")
        found = hotspots.find(since, until, top=top)
        write(_("%(since)s 至 %(until)s：共 %(total)d 条诉求，找到 %(count)d 个热点。") % {
            "since": f"{found.since:%Y-%m-%d}", "until": f"{found.until:%Y-%m-%d}",
            "total": found.in_window, "count": len(found)})
        if found.capped:
            write(_("注意：诉求过多，只分析了最近的 %(considered)d 条"
                    "（上限 HOTSPOT_MAX_DEMANDS=%(cap)d）。")
                  % {"considered": found.considered, "cap": found.cap})
        if found.without_point:
            write(_("另有 %(count)d 条诉求没有坐标，未参与聚类。") % {"count": found.without_point})
        for rank, spot in enumerate(found, 1):
            write("")
            write(_("热点 %(rank)d：%(label)s") % {"rank": rank,
                                                  "label": spot.label or _("（无关键词）")})
            write(_("  条数：%(size)d　时间：%(first)s 至 %(last)s　趋势：%(trend)s　"
                    "中心：%(lat).6f, %(lon).6f（半径约 %(radius).0f 米）") % {
                "size": spot.size, "first": f"{timezone.localtime(spot.first_at):%Y-%m-%d}",
                "last": f"{timezone.localtime(spot.last_at):%Y-%m-%d}",
                "trend": spot.trend.direction_label, "lat": spot.centre[0],
                "lon": spot.centre[1], "radius": spot.radius_m})
            write(_("  诉求："))
            for demand in spot.demands:
                if demand.external_id:
                    write(_("    %(number)s　外部编号 %(external)s　%(title)s") % {
                        "number": demand.number, "external": demand.external_id,
                        "title": demand.title})
                else:
                    write(f"    {demand.number}　{demand.title}")
