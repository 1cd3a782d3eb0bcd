"""The arithmetic of assessment (assessment.scoring): each rule at its edges, the spread of
a weight not assessed, competition ranking, the sentences of the breakdown."""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from assessment import scoring
from assessment.scoring import Measured, Spec


# --- linear ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "share"), [
    ("79.9", "0"), ("80", "0"), ("87.5", "0.5"), ("95", "1"), ("99", "1"), ("0", "0")])
def test_linear_is_zero_at_the_floor_full_at_the_target_and_straight_between(value, share):
    assert scoring.linear_share(D(value), D(80), D(95)) == D(share)


@pytest.mark.parametrize(("value", "share"), [
    ("12", "0"), ("10", "0"), ("6", "0.5"), ("2", "1"), ("0", "1")])
def test_linear_with_the_target_below_the_floor_rewards_lower_values(value, share):
    assert scoring.linear_share(D(value), D(10), D(2)) == D(share)


def test_linear_refuses_a_target_equal_to_the_floor():
    with pytest.raises(ValueError):
        scoring.linear_share(D(90), D(90), D(90))


# --- threshold ------------------------------------------------------------------------------
STEPS = [[95, 1], [90, "0.8"], [80, "0.5"]]


@pytest.mark.parametrize(("value", "share", "index"), [
    ("100", "1", 0), ("95", "1", 0), ("94.99", "0.8", 1), ("90", "0.8", 1),
    ("80", "0.5", 2), ("79.99", "0", None)])
def test_threshold_takes_the_first_step_reached(value, share, index):
    assert scoring.threshold_share(D(value), STEPS) == (D(share), index)


def test_threshold_when_lower_is_better_reaches_a_step_at_or_below_it():
    steps = [[2, 1], [5, "0.6"]]
    assert scoring.threshold_share(D(2), steps, lower_better=True) == (D(1), 0)
    assert scoring.threshold_share(D("2.01"), steps, lower_better=True) == (D("0.6"), 1)
    assert scoring.threshold_share(D("5.01"), steps, lower_better=True) == (D(0), None)


# --- deduct ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("count", "kept", "deducted"), [
    (0, "10", "0"), (1, "8", "2"), (3, "4", "6"), (4, "4", "6"), (100, "4", "6")])
def test_deduct_takes_per_item_up_to_the_cap(count, kept, deducted):
    assert scoring.deduct_points(count, D(10), D(2), D(6)) == (D(kept), D(deducted))


def test_deduct_without_a_cap_stops_at_zero():
    assert scoring.deduct_points(5, D(10), D(2)) == (D(0), D(10))
    assert scoring.deduct_points(6, D(10), D(2)) == (D(0), D(10))


# --- spread and ranks -------------------------------------------------------------------------
def test_the_weight_of_an_indicator_not_assessed_is_spread_in_proportion_adding_up_exactly():
    carried = scoring.spread({"sat": D(40), "time": D(40), "late": D(20)}, ["time", "late"])
    # 40 × 100/60 = 66.666…, 20 × 100/60 = 33.333…: the cent left goes to the larger remainder
    assert carried == {"time": D("66.67"), "late": D("33.33")}
    assert sum(carried.values()) == D(100)
    assert scoring.spread({"a": D(50), "b": D(50)}, ["a", "b"]) == {"a": D(50), "b": D(50)}
    assert scoring.spread({"a": D(50)}, []) == {}


def test_competition_ranking_shares_a_rank_on_equal_totals_and_skips_the_next():
    ranks = scoring.competition_ranks({"a": D("75"), "b": D("80"), "c": D("75.00"),
                                       "d": D("33.33"), "e": None})
    assert ranks == {"b": 1, "a": 2, "c": 2, "d": 4, "e": None}


def test_totals_equal_once_rounded_to_cents_share_a_rank():
    ranks = scoring.competition_ranks({"a": D("90.004"), "b": D("90.001"), "c": D("90.006")})
    assert ranks == {"c": 1, "a": 2, "b": 2}


# --- one unit's lines -----------------------------------------------------------------------
def spec(key, weight, rule, params, when_empty="skip", **extra):
    labels = {"on_time": "按时办结率", "sat": "群众满意率", "late": "超期件数"}
    return Spec(key, labels.get(key, key), D(weight), rule, params, when_empty, **extra)


def test_a_line_explains_its_points_in_chinese():
    [line] = scoring.score_lines([(spec("on_time", 10, "linear", {"floor": 80, "target": 95}),
                                   Measured(D(216) * 100 / D(232), 216, 232))])
    # 93.103…% → (93.103 − 80) / 15 × 10 = 8.735… → 8.74
    assert line.points == D("8.74")
    assert line.explanation == "按时办结率 93.1%（216/232），目标 95%、底线 80%，得 8.74 / 10 分"


def test_threshold_and_deduct_lines_say_which_step_and_how_much_was_taken():
    lines = scoring.score_lines([
        (spec("on_time", 10, "threshold", {"steps": STEPS}), Measured(D(91), 91, 100)),
        (spec("late", 10, "deduct", {"per_item": 2, "cap": 6}, measure="count",
              lower_better=True), Measured(D(4), 4, 50)),
    ])
    assert [line.points for line in lines] == [D(8), D(4)]
    assert lines[0].explanation == ("按时办结率 91.0%（91/100），达到“≥90% 得 80%”档，"
                                    "得 8 / 10 分")
    assert lines[1].explanation == "超期件数 4 件，每件扣 2 分、最多扣 6 分，扣 6 分，得 4 / 10 分"


def test_no_data_scores_full_zero_or_is_not_assessed_and_the_weight_moves():
    lines = scoring.score_lines([
        (spec("sat", 40, "linear", {"floor": 60, "target": 100}, "skip"), None),
        (spec("on_time", 40, "linear", {"floor": 80, "target": 100}, "zero"),
         Measured(None, 0, 0)),
        (spec("late", 20, "deduct", {"per_item": 5, "cap": 15}, "full", measure="count"),
         None),
    ])
    assert [(line.assessed, line.weight, line.points) for line in lines] == [
        (False, D(40), D(0)), (True, D("66.67"), D(0)), (True, D("33.33"), D("33.33"))]
    assert lines[0].explanation == \
        "本期无参评数据，群众满意率不参评；其 40 分按比例分摊到其他参评指标"
    assert lines[1].explanation == ("本期无参评数据，按规则得零分，得 0 / 66.67 分（本指标 40 分，"
                                    "因群众满意率不参评，按比例分摊后为 66.67 分）")
    assert lines[2].explanation.startswith("本期无参评数据，按规则得满分，得 33.33 / 33.33 分")


def test_numbers_are_shown_without_trailing_zeros():
    assert scoring.number(D("8.70")) == "8.7"
    assert scoring.number(D("10.00")) == "10"
    assert scoring.number(D("-1.50")) == "-1.5"
    assert scoring.percent(D("93.15")) == "93.2%"
    assert scoring.adjustment_text(D("-6"), "迟报材料") == "扣分 6 分：迟报材料"
