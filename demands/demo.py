"""Demo demands: a year of the service loop up to today, made by the real actions.

Deterministic for a given day (a seeded random generator; times relative to today's
date) and idempotent: demo demands carry external ids ``DEMO-nnnn``, and a run that finds
them already there adds nothing.
"""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from catalog.models import Category
from enterprises.models import Enterprise
from org.models import Role, RoleAssignment, Unit

from . import sla
from .actions import extensions, handover, oversight, replies, triage
from .actions.intake import Intake, register, submit
from .models import Demand, ReplyTemplate

ROADS = ["洪泽湖路", "幸福路", "发展大道", "西湖路", "黄河路", "人民大道", "青海湖路", "太湖路",
         "富康大道", "宿支路", "项王路", "楚街", "古黄河风光带", "马陵路", "珠江路", "湖滨大道"]
PLACES = ["小区门口", "菜市场旁", "学校对面", "公交站台", "十字路口", "广场东侧", "医院门口",
          "商业街", "桥下", "公园入口"]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
DETAILS = {
    "暴露垃圾": "有一堆生活垃圾堆在路边，已经两天没人清理，天热有异味。",
    "道路不洁": "路面有大量泥土和落叶，环卫工人好几天没来清扫了。",
    "垃圾清运不及时": "垃圾桶已经满了溢出来，清运车一直没来。",
    "公厕管理": "公厕没有水，卫生很差，希望尽快处理。",
    "违规户外广告": "楼顶新装了一块大广告牌，不知道有没有审批，担心刮风掉下来。",
    "乱张贴小广告": "墙面和电线杆上贴满了小广告，很影响市容。",
    "店招标牌破损": "一家店的招牌一角已经掉下来了，下面人来人往很危险。",
    "渣土撒漏": "夜里渣土车经过撒了一路泥土，早上车一过尘土飞扬。",
    "夜间施工扰民": "工地晚上十一点以后还在施工，噪音很大，影响休息。",
    "违法建设": "有住户在楼顶私自搭建彩钢房，担心安全隐患。",
    "占道经营": "早上有很多摊贩占用人行道卖菜，行人只能走机动车道。",
    "餐饮油烟": "楼下饭店油烟直排，家里窗户都不敢开。",
    "噪声扰民": "商户用大喇叭循环播放促销广告，从早到晚很吵。",
    "乱堆物料": "有人在路边堆放建筑材料，占了一半车道。",
    "道路积水": "下雨后路面积水很深，车辆和行人都过不去。",
    "树木倒伏": "一棵行道树被风刮倒压在路上，需要尽快处理。",
    "井盖缺失": "人行道上有个井盖不见了，晚上很危险，已经有人差点掉下去。",
    "路灯不亮": "这一段路灯一连几天晚上都不亮，走夜路很不安全。",
    "排水设施堵塞": "雨水井被堵住了，一下雨就返水。",
    "道路破损": "路面有个大坑，电动车经过很容易摔倒。",
    "人行道板松动": "人行道板松动翘起，下雨踩上去溅一身水。",
    "绿地破坏": "绿化带被人踩出了一条小路，草皮都没了。",
    "树木遮挡需修剪": "行道树枝叶太密，挡住了交通信号灯。",
}
TEMPLATES = [
    ("已办结（通用）", "{name}：您好！您反映的问题（编号 {number}）我们已安排人员现场处理完毕。"
                   "感谢您对城市管理工作的关心和支持，如有其他问题欢迎随时拨打 12319。"),
    ("需要时间处理", "{name}：您好！您反映的问题（编号 {number}）我们已到现场核实，因需协调相关部门，"
                 "预计将在近期处理到位，届时再向您反馈。给您带来不便，敬请谅解。"),
    ("不属本局职责", "{name}：您好！经核实，您反映的问题（编号 {number}）不属于城市管理部门职责，"
                 "我们已协助转交相关部门办理。感谢您的理解与支持。"),
]
CHANNEL_WEIGHTS = [("12345", 35), ("12319", 25), ("portal", 15), ("weibo", 8),
                   ("wenzheng", 7), ("gov_cloud", 5), ("walk_in", 5)]
SUBMITTED_CHANNELS = {"12345", "portal", "gov_cloud"}
LEVELS = [5] * 45 + [4] * 30 + [3] * 12 + [2] * 8 + [1] * 5


class Stop(Exception):
    """The next step would happen after now: the demand stays where it is."""


def _users(role):
    User = get_user_model()
    return list(User.objects.filter(role_assignments__role=role).order_by("username"))


def _handler_for(unit: Unit):
    assignment = RoleAssignment.objects.filter(role=Role.HANDLER, unit=unit).select_related(
        "user").order_by("user__username").first() or RoleAssignment.objects.filter(
        role=Role.UNIT_HEAD, unit=unit).select_related("user").first()
    return assignment.user if assignment else None


def _working_time(rng: random.Random, day: dt.date, tz) -> dt.datetime:
    hour = rng.choice([8, 9, 9, 10, 10, 11, 14, 15, 15, 16, 17, 19, 21])
    return dt.datetime(day.year, day.month, day.day, hour, rng.randrange(60), tzinfo=tz)


def build(context: dict) -> list[str]:
    for title, body in TEMPLATES:
        ReplyTemplate.objects.update_or_create(title=title, defaults={"body": body})
    if not settings.DEMO_DEMANDS:
        return ["诉求演示数据：按设置不生成"]
    if Demand.objects.filter(external_id__startswith="DEMO-").exists():
        return ["诉求演示数据已存在，未重复生成"]
    tz = ZoneInfo(settings.TIME_ZONE)
    now = timezone.now()
    today = timezone.localdate()
    rng = random.Random(2015)
    people = {
        "receivers": _users(Role.RECEIVER), "dispatcher": _users(Role.DISPATCHER)[0],
        "supervisor": _users(Role.SUPERVISOR)[0],
    }
    categories = list(Category.objects.filter(parent__isnull=False, is_active=True)
                      .select_related("default_unit", "parent"))
    districts = list(Unit.objects.filter(kind="district").order_by("sort_order"))
    enterprises = list(Enterprise.objects.order_by("name"))
    handlers = {unit.pk: _handler_for(unit) for unit in Unit.objects.all()}
    channels = [c for c, w in CHANNEL_WEIGHTS for _ in range(w)]
    made = 0
    for index in range(settings.DEMO_DEMANDS):
        # More demands recently, as a growing platform sees.
        age_days = int(365 * (rng.random() ** 1.6))
        start = _working_time(rng, today - dt.timedelta(days=age_days), tz)
        if start >= now:
            start = now - dt.timedelta(hours=rng.randint(1, 5))
        # Some recent demands stall part-way, so every queue and the red lights have content.
        stall = rng.choice(["submitted", "received", "dispatched", "handling", "handling"]) \
            if age_days < 20 and rng.random() < 0.35 else None
        with transaction.atomic(), contextlib.suppress(Stop):  # Stop: reached today
            _one(index, start, now, rng, people, categories, districts, enterprises,
                 handlers, channels, stall)
        made += 1
    board = _message_board(people["receivers"][0], now)
    counts = sla.sweep(now=now)
    return [f"诉求 {made} 条（近一年，含超期 {counts['overdue']} 条、预警 {counts['warned']} 条）",
            f"网络问政留言 {board} 条（无类别，在“待分类”中）"]


MESSAGE_BOARD = settings.BASE_DIR / "docs" / "examples" / "wenzheng-export.csv"


def _message_board(receiver, now) -> int:
    """The documented example of a message-board export (docs/imports.md), received over
    the last two days without a category: the 待分类 queue, the category model's suggestions
    and the place-named hot topics have something to show."""
    with MESSAGE_BOARD.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for position, row in enumerate(rows):
        received = now - dt.timedelta(hours=2 * (len(rows) - position))
        register(receiver, Intake(
            requester_kind="citizen", channel="wenzheng", category=None,
            external_id=f"DEMO-{row['留言编号']}", title=row["留言主题"],
            content=row["留言详情"], requester_name=row["留言用户"],
            supports=row["点赞数"], opposes=row["反对数"]), at=received)
    return len(rows)


def _one(index, start, now, rng, people, categories, districts, enterprises, handlers,
         channels, stall):
    category = rng.choice(categories)
    kind = rng.choices(["citizen", "grassroots", "enterprise"], [70, 15, 15])[0]
    channel = rng.choice(channels)
    road, place = rng.choice(ROADS), rng.choice(PLACES)
    name = rng.choice(SURNAMES) + rng.choice(["先生", "女士"])
    org, enterprise = "", None
    if kind == "enterprise":
        enterprise = rng.choice(enterprises)
        org = enterprise.name
        name = enterprise.contact_name or name
    elif kind == "grassroots":
        org = rng.choice(["幸福社区居委会", "项里街道办事处", "古城街道办事处", "双庄街道办事处",
                          "黄河社区居委会"])
    intake = Intake(
        requester_kind=kind, channel=channel, category=category,
        title=f"{road}{place}{category.name}",
        content=f"{road}{place}：{DETAILS.get(category.name, '希望尽快处理。')}",
        requester_name=name, requester_phone=f"139{rng.randrange(10**8):08d}",
        requester_org=org, enterprise=enterprise, external_id=f"DEMO-{index:04d}",
        address=f"宿迁市{road}{place}",
        longitude=round(118.275 + rng.uniform(-0.06, 0.06), 6),
        latitude=round(33.963 + rng.uniform(-0.05, 0.05), 6),
        # most citizens let their demand be shown (masked) on the public board; decided by
        # the index, not the random stream, so the rest of the demo stays as it was
        consent_publish=kind == "citizen" and index % 5 != 0,
    )
    receiver = rng.choice(people["receivers"])
    t = start

    def step(minutes_low, minutes_high):
        nonlocal t
        t = t + dt.timedelta(minutes=rng.randint(minutes_low, minutes_high))
        if t >= now:
            raise Stop
        return t

    if channel in SUBMITTED_CHANNELS:
        demand, created = submit(None, intake, at=t)
        if not created or stall == "submitted":
            return
        demand = handover.receive(receiver, demand, at=step(5, 90))
    else:
        demand, created = register(receiver, intake, at=t)
        if not created:
            return
    if stall == "received":
        raise Stop
    roll = rng.random()
    if roll < 0.03:
        other = Demand.objects.filter(category=category, submitted_at__lt=t).exclude(
            pk=demand.pk).exclude(state__in=["merged", "invalid"]).order_by("-submitted_at").first()
        if other:
            triage.merge(people["dispatcher"], demand, other, at=step(5, 60))
            return
    if roll < 0.05:
        triage.invalidate(receiver, demand, "来电人反映的问题已自行解决，撤回诉求。", at=step(5, 60))
        return
    unit = category.default_unit
    if category.name == "占道经营":
        unit = rng.choice(districts)
    if rng.random() < 0.06:
        wrong = rng.choice([d for d in districts if d != unit])
        demand = handover.dispatch(people["dispatcher"], demand, wrong, at=step(5, 60))
        demand = handover.return_(handlers[wrong.pk], demand, "经核实该问题不在本辖区职责范围。",
                                 at=step(20, 240))
    demand = handover.dispatch(people["dispatcher"], demand, unit, at=step(5, 60))
    if stall == "dispatched":
        raise Stop
    handler = handlers[unit.pk]
    demand = handover.accept(handler, demand, at=step(10, 150))
    if stall == "handling":
        raise Stop
    if rng.random() < 0.08:
        extensions.request_extension(handler, demand, rng.randint(2, 5), "需协调相关部门联合处置。",
                                  at=step(30, 600))
        if rng.random() < 0.8:
            demand = extensions.approve_extension(people["supervisor"], demand, "同意延期，请抓紧办理。",
                                               at=step(30, 300))
        else:
            demand = extensions.refuse_extension(people["dispatcher"], demand, "时限内可以办结，不予延期。",
                                              at=step(30, 300))
    if rng.random() < 0.1:
        oversight.urge(people["dispatcher"], demand, "群众再次来电询问，请加快办理。", at=step(30, 600))
    # Reply: mostly within the committed limit, sometimes late.
    total = max((demand.deadline - t).total_seconds() / 60, 30)
    late = rng.random() < 0.12
    minutes = int(total * (rng.uniform(1.05, 1.8) if late else rng.uniform(0.15, 0.9)))
    demand = replies.reply(handler, demand, TEMPLATES[0][1].replace("{name}", intake.requester_name)
                           .replace("{number}", demand.number), at=step(minutes, minutes + 1))
    for round_ in range(2):
        if rng.random() < 0.07:
            demand = replies.record_visit(receiver, demand, reached=False,
                                          note="回访电话无人接听。", at=step(600, 2880))
            replies.close(receiver, demand, "多次回访未能联系上诉求人，按程序办结。",
                          at=step(60, 1440))
            return
        level = rng.choice(LEVELS) if round_ == 0 else rng.choice([5, 4, 4, 3, 3, 2])
        if rng.random() < 0.6:
            demand = replies.record_visit(receiver, demand, reached=True, level=level,
                                          note="回访诉求人。", at=step(600, 2880))
        else:
            demand = replies.evaluate(None, demand, level, source="web",
                                      comment="" if level >= 3 else "问题没有彻底解决。",
                                      at=step(120, 2880))
        if level >= 3:
            return
        demand = replies.answer_follow_up(handler, demand, "已再次到现场整改到位，并向诉求人当面说明。",
                                          at=step(240, 1440))
    return

