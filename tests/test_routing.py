"""Routing suggestions: the model learns a synthetic dispatch history, refuses to guess on
an empty or small one, is versioned, and auto-dispatch is off unless configured."""

from __future__ import annotations

import io
import random

import pytest
from django.core.management import call_command

from demands.actions import handover
from demands.actions.intake import register
from demands.models import DemandEvent, EventKind, State
from inbox.models import Notification
from insights import routing, tasks
from insights.models import RoutingModel, RoutingTarget
from lib.env import Env, EnvError

from .demand_helpers import at, intake, registered
from .routing_helpers import VOCABULARY, OnSharedHistory, build_history, text_for

pytestmark = pytest.mark.django_db
UNIT, CATEGORY = RoutingTarget.UNIT, RoutingTarget.CATEGORY

NEW_TEXTS = {  # unseen sentences in each unit's words
    "huanwei": "人民大道公交站台旁边生活垃圾乱倒，好几天没人清运，垃圾桶满溢发臭",
    "shizheng": "黄河路十字路口的井盖缺失，晚上路灯也不亮，很危险",
    "yuanlin": "西湖路行道树倒伏压在路上，树木需要修剪",
    "zhifa": "学校对面流动摊贩占道经营，还有人违章搭建彩钢房",
}


@pytest.fixture(autouse=True)
def _fresh_models():
    routing.forget()  # versions restart in every test's database
    yield
    routing.forget()


class TestOnTheHistory(OnSharedHistory):
    """Tests that read the synthetic history (built once for them all)."""

    def test_learns_the_history_and_suggests_the_right_unit_first(self, history):
        model = routing.train(UNIT)
        assert model.usable and model.version == 1 and model.message == ""
        assert model.samples == 120 and model.classes == 4
        assert model.accuracy > 0.9 and model.macro_f1 > 0.9
        assert {row["name"] for row in model.per_class} == {
            "环境卫生管理处", "市政设施管理处", "园林绿化管理处", "城管执法大队"}
        assert all(row["support"] == 30 and 0 <= row["f1"] <= 1 for row in model.per_class)
        assert model.blob and model.seconds > 0
        for code, text in NEW_TEXTS.items():
            picks = routing.suggest(text, UNIT)
            assert len(picks) == 3
            assert picks[0][0] == history.units[code], (code, picks)
            confidences = [confidence for _, confidence in picks]
            assert confidences == sorted(confidences, reverse=True)
            assert 0.4 < confidences[0] <= 1

    def test_retraining_makes_a_new_version_and_suggestions_follow_it(self, history):
        first = routing.train(UNIT)
        assert routing.suggest(NEW_TEXTS["zhifa"], UNIT)[0][0] == history.units["zhifa"]
        second = routing.train(UNIT)
        assert (first.version, second.version) == (1, 2)
        assert routing.current(UNIT).version == 2
        assert routing.train(CATEGORY).version == 1  # versions count per target
        # the cache holds the version in use, loaded once
        routing.suggest(NEW_TEXTS["zhifa"], UNIT)
        assert [key[:2] for key in routing._loaded if key[0] == UNIT] == [(UNIT, 2)]

    def test_category_model_learns_leaf_categories(self, history):
        model = routing.train(CATEGORY)
        assert model.usable and model.classes == 4
        assert {row["name"] for row in model.per_class} == {
            "市容环境 · 垃圾问题", "市容环境 · 市政设施", "市容环境 · 园林绿化",
            "市容环境 · 违法经营"}
        batches = routing.suggest_many(list(NEW_TEXTS.values()), CATEGORY, k=2)
        assert [picks[0][0] for picks in batches] == [history.categories[c] for c in NEW_TEXTS]
        assert all(len(picks) == 2 for picks in batches)

    def test_the_label_is_the_unit_that_accepted(self, personas, org, categories, history):
        """A demand returned by unit B and accepted by unit A teaches unit A; one still
        waiting for acceptance teaches nothing about units."""
        title, content = text_for("shizheng", random.Random(9))
        demand = registered(personas, history.categories["shizheng"], title=title,
                            content=content, requester_phone="")
        demand = handover.dispatch(personas.dispatcher, demand, org.unit_b)
        demand = handover.return_(personas.handler_b, demand, "不归我们管")
        demand = handover.dispatch(personas.dispatcher, demand, org.unit_a)
        handover.accept(personas.handler_a, demand)
        waiting = registered(personas, history.categories["zhifa"], title="摊贩", content="摊贩",
                             requester_phone="")
        handover.dispatch(personas.dispatcher, waiting, history.units["zhifa"])
        texts, labels = routing.history(UNIT)
        assert len(texts) == 121
        assert labels[texts.index(routing.demand_text(title, content))] == org.unit_a.pk
        texts, labels = routing.history(CATEGORY)
        assert len(texts) == 122  # both went through dispatch

    def test_history_is_capped_at_the_newest(self, history, settings):
        settings.ROUTING_MAX_SAMPLES = 100
        texts, _labels = routing.history(UNIT)
        assert len(texts) == 100
        model = routing.train(UNIT)
        assert model.samples == 100

    def test_inactive_units_are_not_suggested(self, history):
        routing.train(UNIT)
        history.units["zhifa"].is_active = False
        history.units["zhifa"].save(update_fields=["is_active"])
        picks = routing.suggest(NEW_TEXTS["zhifa"], UNIT)
        assert history.units["zhifa"] not in [unit for unit, _ in picks] and len(picks) == 3

    # --- the task and the command -------------------------------------------------------
    def test_retrain_task_trains_both_targets(self, history):
        result = tasks.retrain_routing()
        assert [(r["target"], r["version"], r["usable"]) for r in result] == [
            ("unit", 1, True), ("category", 1, True)]
        assert RoutingModel.objects.count() == 2

    def test_retrain_task_skips_while_another_runs(self, history):
        from django.core.cache import cache

        cache.add(tasks.RETRAIN_LOCK, "1", 60)
        assert tasks.retrain_routing() == []
        assert not RoutingModel.objects.exists()
        cache.delete(tasks.RETRAIN_LOCK)

    def test_train_routing_command_prints_the_figures(self, history):
        out = io.StringIO()
        call_command("train_routing", "--target", "unit", stdout=out)
        text = out.getvalue()
        assert "责任单位 模型 v1：120 条样本，4 类" in text
        assert "城管执法大队" in text and "precision" in text
        assert [line for line in text.splitlines() if line][-1].startswith("macro-F1: ")
        assert RoutingModel.objects.filter(target=CATEGORY).count() == 0

    # --- auto-dispatch ------------------------------------------------------------------
    def test_auto_dispatch_is_off_by_default(self, personas, history, settings):
        assert settings.ROUTING_AUTO_DISPATCH_CONFIDENCE == 0
        routing.train(UNIT)
        demand = _new(personas, history)
        demand.refresh_from_db()
        assert demand.state == State.RECEIVED

    def test_auto_dispatch_above_the_threshold(self, personas, history, settings):
        routing.train(UNIT)
        settings.ROUTING_AUTO_DISPATCH_CONFIDENCE = 0.3
        demand = _new(personas, history)
        assert demand.state == State.DISPATCHED  # the caller's object is up to date
        demand.refresh_from_db()
        assert demand.state == State.DISPATCHED and demand.current_unit == history.units["zhifa"]
        event = DemandEvent.objects.get(demand=demand, kind=EventKind.DISPATCH)
        assert event.actor is None and event.unit == history.units["zhifa"]
        assert event.data["auto"] is True and event.data["model_version"] == 1
        assert 0.3 <= event.data["confidence"] <= 1
        # the unit's staff are told, as after a person's dispatch
        assert Notification.objects.filter(recipient=history.handlers["zhifa"],
                                           title__contains=demand.number).exists()

    def test_auto_dispatch_below_the_threshold_leaves_it_to_a_dispatcher(self, personas, history,
                                                                         settings):
        routing.train(UNIT)
        settings.ROUTING_AUTO_DISPATCH_CONFIDENCE = 1.0  # never that sure
        demand = _new(personas, history)
        demand.refresh_from_db()
        assert demand.state == State.RECEIVED

    def test_a_large_batch_is_queued_for_a_worker(self, personas, history, settings,
                                                  django_capture_on_commit_callbacks,
                                                  monkeypatch):
        """A file import announces its received demands in one signal: more than 20 go to a
        worker after the commit instead of holding up the import."""
        from insights import receivers

        routing.train(UNIT)
        waiting = [_new(personas, history, code) for code in list(NEW_TEXTS) * 6]  # 24, off
        settings.ROUTING_AUTO_DISPATCH_CONFIDENCE = 0.3
        queued = []
        monkeypatch.setattr(tasks.auto_dispatch_demands, "delay", queued.append)
        with django_capture_on_commit_callbacks(execute=True):
            receivers.auto_dispatch(sender=None, demands=waiting)
            assert queued == []  # nothing before the commit
        assert queued == [[d.pk for d in waiting]]
        assert all(d.state == State.RECEIVED for d in waiting)  # not inline
        assert tasks.auto_dispatch_demands(queued[0]) == 24
        assert tasks.auto_dispatch_demands(queued[0]) == 0  # a rerun finds nothing to do

    def test_auto_dispatch_task_dispatches_waiting_demands(self, personas, history, settings):
        routing.train(UNIT)
        waiting = [_new(personas, history, code) for code in NEW_TEXTS]  # off: all wait
        settings.ROUTING_AUTO_DISPATCH_CONFIDENCE = 0.3
        assert tasks.auto_dispatch_demands([d.pk for d in waiting]) == 4
        for code, demand in zip(NEW_TEXTS, waiting, strict=True):
            demand.refresh_from_db()
            assert demand.current_unit == history.units[code]


def test_empty_history_refuses_with_a_chinese_message(db):
    model = routing.train(UNIT)
    assert not model.usable and model.blob is None and model.version == 1
    assert model.message == "历史签收记录不足：仅 0 条（至少需要 50 条），暂不提供建议。"
    assert routing.suggest("井盖缺失很危险", UNIT) == []
    assert routing.suggest_many(["井盖缺失", "路灯不亮"], UNIT) == [[], []]
    assert routing.current(UNIT) is None and routing.latest(UNIT) == model


def test_small_history_refuses_and_says_how_small(personas, org, categories):
    build_history(personas, org, categories, per_unit=3)  # 12 demands
    model = routing.train(UNIT)
    assert not model.usable
    assert model.message == "历史签收记录不足：仅 12 条（至少需要 50 条），暂不提供建议。"
    category = routing.train(CATEGORY)
    assert category.message == "历史派遣记录不足：仅 12 条（至少需要 50 条），暂不提供建议。"
    assert routing.suggest(NEW_TEXTS["zhifa"], UNIT) == []


def test_rare_units_are_left_out_and_listed(personas, org, categories, settings):
    history = build_history(personas, org, categories, per_unit=20,
                            only=("huanwei", "shizheng", "yuanlin"))
    # 执法 has only three demands: too few to learn from
    rng = random.Random(1)
    for _ in range(3):
        title, content = text_for("zhifa", rng)
        demand = registered(personas, history.categories["zhifa"], title=title,
                            content=content, requester_phone="")
        demand = handover.dispatch(personas.dispatcher, demand, history.units["zhifa"])
        handover.accept(history.handlers["zhifa"], demand)
    model = routing.train(UNIT)
    assert model.usable and model.classes == 3 and model.samples == 60
    assert model.message == "以下责任单位样本少于 5 条，未参与训练：城管执法大队。"
    dropped = [row for row in model.per_class if row.get("dropped")]
    assert dropped == [{"label": history.units["zhifa"].pk, "name": "城管执法大队",
                        "support": 3, "dropped": True}]
    assert history.units["zhifa"] not in [u for u, _ in routing.suggest(NEW_TEXTS["zhifa"],
                                                                         UNIT)]


def test_one_unit_only_is_nothing_to_choose_from(personas, org, categories):
    build_history(personas, org, categories, per_unit=60, only=("huanwei",))
    model = routing.train(UNIT)
    assert not model.usable
    assert "不足两个" in model.message


def test_train_routing_command_says_why_it_refuses(db):
    out = io.StringIO()
    call_command("train_routing", stdout=out)
    assert "历史签收记录不足：仅 0 条" in out.getvalue()
    assert "历史派遣记录不足：仅 0 条" in out.getvalue()


# --- auto-dispatch ----------------------------------------------------------------------
def _new(personas, history, code="zhifa"):
    return register(personas.receiver, intake(
        history.categories[code], title="流动摊贩占道经营", content=NEW_TEXTS[code],
        requester_phone=""), at=at("2026-11-23 09:00"))[0]


def test_auto_dispatch_without_a_model_does_nothing(personas, org, categories, settings):
    settings.ROUTING_AUTO_DISPATCH_CONFIDENCE = 0.1
    routing.train(UNIT)  # unusable: no history
    demand = registered(personas, categories.litter)
    demand.refresh_from_db()
    assert demand.state == State.RECEIVED


def test_auto_dispatch_action_checks_the_state(personas, org, categories):
    from lib.errors import ActionError

    demand = registered(personas, categories.litter)
    handover.dispatch(personas.dispatcher, demand, org.unit_a)
    with pytest.raises(ActionError) as refused:
        handover.auto_dispatch(demand, org.unit_b, confidence=0.9, model_version=1)
    assert refused.value.code == "wrong_state"
    demand.refresh_from_db()
    assert demand.current_unit == org.unit_a


def test_env_float():
    env = Env({"X": "0.85", "BAD": "high", "BIG": "1.5", "NAN": "nan"})
    assert env.float("X", 0.0, minimum=0, maximum=1) == 0.85
    assert env.float("MISSING", 0.0) == 0.0
    for name in ("BAD", "BIG", "NAN"):
        with pytest.raises(EnvError, match=name):
            env.float(name, 0.0, minimum=0, maximum=1)


def test_vocabulary_is_distinct():
    """The synthetic history is only a fair test if the units' words do not overlap."""
    words = [{w for p in phrases for w in routing.chinese.words(p)}
             for phrases in VOCABULARY.values()]
    for i, a in enumerate(words):
        for b in words[i + 1:]:
            assert len(a & b) <= 2


def test_confidence_is_shown_in_whole_percent_without_false_certainty():
    assert [routing.percent(c) for c in (0.8649, 0.999, 0.001, 0.05)] == [
        "86%", "99%以上", "不足1%", "5%"]


def test_texts_with_nothing_in_common_are_refused_not_crashed(personas, org, categories,
                                                              settings):
    """Every text unique down to the character: the vectorisers find no term seen twice."""
    settings.ROUTING_MIN_SAMPLES = 10
    history = build_history(personas, org, categories, per_unit=0)
    alphabet = iter("甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥")
    for code in ("huanwei", "shizheng"):
        for _ in range(5):
            demand = registered(personas, history.categories[code], title=next(alphabet),
                                content="。", requester_phone="")
            demand = handover.dispatch(personas.dispatcher, demand, history.units[code])
            handover.accept(history.handlers[code], demand)
    model = routing.train(UNIT)
    assert not model.usable
    assert model.message == "历史签收记录的文字太少或彼此毫无共同之处，无法学习，暂不提供建议。"
