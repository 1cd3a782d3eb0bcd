"""A synthetic dispatch history for the routing tests: four units, each with its own
vocabulary and its own leaf category, ~30 demands each, received, dispatched and
accepted through the real actions."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from catalog.models import Category, LimitUnit
from demands.actions import handover
from demands.actions.intake import register
from org.models import Role, Unit, UnitKind

from .conftest import make_staff
from .demand_helpers import at, intake

ROADS = ["洪泽湖路", "幸福路", "发展大道", "西湖路", "黄河路", "人民大道", "青海湖路", "太湖路"]
PLACES = ["小区门口", "菜市场旁", "学校对面", "公交站台", "十字路口", "广场东侧", "医院门口"]

# unit code → phrases only that unit's demands use
VOCABULARY = {
    "huanwei": ["垃圾堆积没人清运", "垃圾桶满溢发臭", "公厕没有保洁", "路面很脏没人清扫",
                "生活垃圾乱倒", "环卫工人不来打扫", "垃圾清运车不来"],
    "shizheng": ["路灯晚上不亮", "井盖缺失很危险", "道路破损有大坑", "下水道堵塞返水",
                 "人行道板松动", "雨水井堵了积水", "路灯杆歪斜"],
    "yuanlin": ["行道树倒伏压在路上", "绿化带草皮被踩坏", "树枝太密挡住信号灯",
                "树木枯死没有补种", "草坪杂草丛生", "园林绿地被占用", "树木需要修剪"],
    "zhifa": ["流动摊贩占道经营", "违章搭建彩钢房", "商户出店经营占人行道",
              "夜市烧烤油烟扰民", "乱贴小广告", "店外大喇叭噪音扰民", "私搭乱建遮阳棚"],
}
CATEGORY_OF = {"huanwei": ("laji", "垃圾问题"), "shizheng": ("sheshi", "市政设施"),
               "yuanlin": ("lvhua", "园林绿化"), "zhifa": ("zhifa", "违法经营")}


@dataclass
class History:
    units: dict  # code → Unit
    categories: dict  # unit code → leaf Category
    handlers: dict  # unit code → a handler of that unit


def text_for(code: str, rng: random.Random) -> tuple[str, str]:
    phrases = rng.sample(VOCABULARY[code], 2)
    place = f"{rng.choice(ROADS)}{rng.choice(PLACES)}"
    return f"{place}{phrases[0]}", f"{place}{phrases[0]}，还有{phrases[1]}，请尽快处理。"


def setup_units(org, categories) -> History:
    """Two more units (园林, 执法) with a handler each, and a leaf category per unit."""
    greening = Unit.objects.create(code="yuanlin", name="园林绿化管理处",
                                   kind=UnitKind.SUBORDINATE, parent=org.bureau)
    enforcement = Unit.objects.create(code="zhifa", name="城管执法大队",
                                      kind=UnitKind.SUBORDINATE, parent=org.bureau)
    units = {"huanwei": org.unit_a, "shizheng": org.unit_b, "yuanlin": greening,
             "zhifa": enforcement}
    handlers = {
        "yuanlin": make_staff("handler_c", "陈承办", greening, (Role.HANDLER, greening)),
        "zhifa": make_staff("handler_d", "刘承办", enforcement, (Role.HANDLER, enforcement)),
    }
    leaves = {code: Category.objects.create(code=c, name=name, parent=categories.top,
                                            time_limit=2, time_limit_unit=LimitUnit.DAYS,
                                            warning_hours=2)
              for code, (c, name) in CATEGORY_OF.items()}
    return History(units, leaves, handlers)


def build_history(personas, org, categories, per_unit: int = 30, seed: int = 5,
                  only: tuple[str, ...] | None = None, start="2026-10-12 09:00") -> History:
    """``per_unit`` demands for each unit: registered, dispatched to it, accepted by it."""
    history = setup_units(org, categories)
    history.handlers.update({"huanwei": personas.handler_a, "shizheng": personas.handler_b})
    rng = random.Random(seed)
    when = at(start)
    codes = [code for code in VOCABULARY if only is None or code in only]
    for index in range(per_unit * len(codes)):
        code = codes[index % len(codes)]
        title, content = text_for(code, rng)
        when += dt.timedelta(minutes=7)
        demand, _ = register(personas.receiver, intake(
            history.categories[code], title=title, content=content, requester_phone="",
            longitude=None, latitude=None, address=""), at=when)
        demand = handover.dispatch(personas.dispatcher, demand, history.units[code], at=when)
        handover.accept(history.handlers[code], demand, at=when)
    return history
