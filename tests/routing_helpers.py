"""A synthetic dispatch history for the routing tests: four units, each with its own
vocabulary and its own leaf category, ~30 demands each, received, dispatched and
accepted through the real actions.

Building it (120 demands through the actions) and training on it are what the routing
tests spend their time on, so the tests that only read it share one: ``OnSharedHistory``
builds it once per test class, and fits each distinct history once (``FitOnce``).
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from dataclasses import dataclass

import pytest
from django.db import transaction
from django.test import override_settings

from catalog.models import Category, LimitUnit
from demands.actions import handover
from demands.actions.intake import register
from insights import routing
from org.models import Role, Unit, UnitKind

from .conftest import (
    Categories,
    Org,
    Personas,
    make_categories,
    make_org,
    make_personas,
    make_staff,
)
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


# --- one history for a class of tests ---------------------------------------------------
@dataclass
class World:
    org: Org
    personas: Personas
    categories: Categories
    history: History


def _world() -> World:
    """What conftest's ``org``, ``personas`` and ``categories`` fixtures make (they are
    per test, this is per class), and the history."""
    org = make_org()
    personas = make_personas(org)
    categories = make_categories(org)
    return World(org, personas, categories, build_history(personas, org, categories))


class FitOnce:
    """Training is deterministic (``random_state=0``): a history already learnt by an
    earlier test gets the same cross-validated figures and the same fitted pipeline again,
    without the fits. Everything after them (versions, figures, the stored blob) is done
    as usual."""

    def __init__(self):
        self.cross_validate, self.build_pipeline = routing.cross_validate, \
            routing.build_pipeline
        self.evaluations: dict = {}
        self.pipelines: dict = {}

    def cross_validated(self, texts, labels, folds):
        key = (tuple(texts), tuple(labels), folds)
        if key not in self.evaluations:
            self.evaluations[key] = self.cross_validate(texts, labels, folds)
        return copy.deepcopy(self.evaluations[key])

    def pipeline(self):
        """A fresh pipeline whose ``fit`` is looked up first (cross-validation clones it
        without this ``fit``, and so fits for real)."""
        pipeline = self.build_pipeline()

        def fit(texts, labels):
            key = (tuple(texts), tuple(labels))
            if key not in self.pipelines:
                del pipeline.fit  # the class's own, and a picklable pipeline
                self.pipelines[key] = pipeline.fit(texts, labels)
            return self.pipelines[key]

        pipeline.fit = fit
        return pipeline


class OnSharedHistory:
    """Base of a test class whose tests read one dispatch history: ``org``, ``personas``,
    ``categories`` and ``history`` are built once for the class, in a transaction kept
    open around its tests (each test's own transaction is a savepoint inside it, so what
    a test changes is undone after it) and rolled back after the last one. Each test gets
    its own copies of the objects."""

    @pytest.fixture(scope="class")
    @classmethod
    def _world(cls, django_db_setup, django_db_blocker):
        with django_db_blocker.unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            try:
                with override_settings(  # as conftest's _fast_settings
                        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem."
                                                       "LocMemCache"}}):
                    world = _world()
            except BaseException:
                transaction.set_rollback(True)
                atomic.__exit__(None, None, None)
                raise
        fits = FitOnce()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(routing, "cross_validate", fits.cross_validated)
            patch.setattr(routing, "build_pipeline", fits.pipeline)
            yield world
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)

    @pytest.fixture
    def world(self, _world, db) -> World:
        return copy.deepcopy(_world)

    @pytest.fixture
    def org(self, world) -> Org:
        return world.org

    @pytest.fixture
    def personas(self, world) -> Personas:
        return world.personas

    @pytest.fixture
    def categories(self, world) -> Categories:
        return world.categories

    @pytest.fixture
    def history(self, world) -> History:
        return world.history
