"""The arithmetic of an assessment (docs/supervision.md section 2), as pure functions: no
database, no clock. ``assessment.actions.compute`` feeds them the measures of
``assessment.indicators`` and stores what they return.

Points are Decimals rounded half up to 0.01; a unit's total is the sum of its rounded
lines, so the breakdown always adds up to the total shown. Rates are in percent (93.1
means 93.1%), as the rules' parameters are written.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)
ONE = Decimal(1)


def cents(value: Decimal) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def number(value: Decimal | int | float | None) -> str:
    """A number for people: no trailing zeros ("8.74", "10", "0.5")."""
    if value is None:
        return "—"
    text = f"{Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(value: Decimal | None) -> str:
    """A rate in percent with one decimal: "93.1%"."""
    if value is None:
        return "—"
    return f"{Decimal(value).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP):f}%"


# --- the three rules: the share of the weight earned --------------------------------------
def linear_share(value: Decimal, floor: Decimal, target: Decimal) -> Decimal:
    """0 at or beyond the floor, 1 at or beyond the target, linear between. A target
    below the floor means lower is better (a return rate): the same formula holds."""
    value, floor, target = Decimal(value), Decimal(floor), Decimal(target)
    if target == floor:
        raise ValueError("target and floor must differ")
    share = (value - floor) / (target - floor)
    return min(max(share, ZERO), ONE)


def threshold_share(value: Decimal, steps: Sequence[Sequence], lower_better: bool = False
                    ) -> tuple[Decimal, int | None]:
    """The share of the first step (in the order given, best first) that the value
    reaches — at least the step's value, or at most it when lower is better — and that
    step's index; (0, None) when it reaches none."""
    value = Decimal(value)
    for index, (bound, share) in enumerate(steps):
        bound = Decimal(str(bound))
        reached = value <= bound if lower_better else value >= bound
        if reached:
            return Decimal(str(share)), index
    return ZERO, None


def deduct_points(count: int, weight: Decimal, per_item: Decimal,
                  cap: Decimal | None = None) -> tuple[Decimal, Decimal]:
    """(points kept, points deducted): ``per_item`` for each item, at most ``cap`` (or the
    whole weight) in all, never below 0."""
    weight, per_item = Decimal(weight), Decimal(per_item)
    limit = weight if cap in (None, "") else min(Decimal(cap), weight)
    deducted = min(per_item * Decimal(count), limit)
    return weight - deducted, deducted


# --- the weights of the indicators a unit is assessed on ------------------------------
def spread(weights: Mapping[Hashable, Decimal], assessed: Iterable[Hashable]
           ) -> dict[Hashable, Decimal]:
    """The weight each assessed indicator carries once the weights of those not assessed
    are spread over them in proportion to their own weights. Rounded to cents by the
    largest remainder, so the result adds up to the full weight exactly (a unit whose
    every assessed indicator is full still scores full marks)."""
    assessed = [key for key in weights if key in set(assessed)]
    if not assessed:
        return {}
    total = sum(weights.values(), ZERO)
    base = sum((weights[key] for key in assessed), ZERO)
    exact = {key: weights[key] * total / base for key in assessed}
    rounded = {key: value.quantize(CENT, rounding=ROUND_DOWN) for key, value in exact.items()}
    left = int((total - sum(rounded.values(), ZERO)) / CENT)
    order = sorted(assessed, key=lambda key: (-(exact[key] - rounded[key]), assessed.index(key)))
    for key in order[:left]:
        rounded[key] += CENT
    return rounded


# --- ranking --------------------------------------------------------------------------
def competition_ranks(totals: Mapping[Hashable, Decimal | None]) -> dict[Hashable, int | None]:
    """Competition ranking ("1, 2, 2, 4"): totals equal once rounded to cents share a rank
    and the next rank skips; a ``None`` total (nothing assessed) gets no rank."""
    ranked = sorted(((cents(total), key) for key, total in totals.items() if total is not None),
                    key=lambda pair: -pair[0])
    out: dict[Hashable, int | None] = {key: None for key, total in totals.items()
                                       if total is None}
    previous, rank = None, 0
    for position, (total, key) in enumerate(ranked, start=1):
        if total != previous:
            rank, previous = position, total
        out[key] = rank
    return out


# --- one unit's lines -----------------------------------------------------------------
@dataclass(frozen=True)
class Spec:
    """What scoring needs of an indicator (``Indicator`` rows and registry entries)."""

    key: str
    label: str
    weight: Decimal
    rule: str  # linear | threshold | deduct
    params: Mapping
    when_empty: str  # full | zero | skip
    measure: str = "rate"  # rate (in percent) | count
    lower_better: bool = False
    noun: str = "件"  # what a count counts
    empty_text: str = "本期无参评数据"


@dataclass(frozen=True)
class Measured:
    value: Decimal | None
    numerator: int | None = None
    denominator: int | None = None


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    weight: Decimal  # the weight it carried (after spreading), or its own when skipped
    assessed: bool
    points: Decimal
    explanation: str


def _value_text(spec: Spec, measured: Measured) -> str:
    if spec.measure == "rate":
        figures = (f"（{measured.numerator}/{measured.denominator}）"
                   if measured.denominator is not None else "")
        return f"{spec.label} {percent(measured.value)}{figures}"
    return f"{spec.label} {number(measured.value)} {spec.noun}"


def _bound(spec: Spec, value) -> str:
    shown = number(Decimal(str(value)))
    return f"{shown}%" if spec.measure == "rate" else f"{shown} {spec.noun}"


def _rule_share(spec: Spec, measured: Measured, weight: Decimal) -> tuple[Decimal, str]:
    """The share earned and the sentence saying why (without the points)."""
    params = spec.params
    value = Decimal(measured.value)
    if spec.rule == "linear":
        floor, target = Decimal(str(params["floor"])), Decimal(str(params["target"]))
        share = linear_share(value, floor, target)
        return share, f"目标 {_bound(spec, target)}、底线 {_bound(spec, floor)}"
    if spec.rule == "threshold":
        steps = params["steps"]
        share, index = threshold_share(value, steps, spec.lower_better)
        sign = "≤" if spec.lower_better else "≥"
        if index is None:
            lowest = steps[-1][0] if steps else 0
            return share, f"未达到最低档（{sign}{_bound(spec, lowest)}）"
        bound, step_share = steps[index]
        return share, (f"达到“{sign}{_bound(spec, bound)} 得 "
                       f"{number(Decimal(str(step_share)) * 100)}%”档")
    if spec.rule == "deduct":
        per_item = Decimal(str(params["per_item"]))
        cap = params.get("cap")
        kept, deducted = deduct_points(int(value), spec.weight, per_item,
                                       None if cap in (None, "") else Decimal(str(cap)))
        share = kept / spec.weight
        limit = f"、最多扣 {number(Decimal(str(cap)))} 分" if cap not in (None, "") else ""
        return share, f"每{spec.noun}扣 {number(per_item)} 分{limit}，扣 {number(deducted)} 分"
    raise ValueError(f"unknown rule {spec.rule!r}")


def score_lines(items: Sequence[tuple[Spec, Measured | None]]) -> list[Line]:
    """One line per indicator for one unit: its points and its explanation in Chinese. An
    indicator without data (``None`` or a ``None`` value) scores by its ``when_empty``;
    "skip" leaves it out and spreads its weight over the unit's other assessed
    indicators (the lines say so)."""
    empty = {spec.key for spec, measured in items if measured is None or measured.value is None}
    skipped = {spec.key for spec, _m in items if spec.key in empty and spec.when_empty == "skip"}
    weights = {spec.key: Decimal(spec.weight) for spec, _m in items}
    carried = spread(weights, [key for key in weights if key not in skipped])
    names = [spec.label for spec, _m in items if spec.key in skipped]
    skipped_labels = "、".join(names) if len(names) <= 2 else f"{names[0]}等 {len(names)} 项指标"
    lines = []
    for spec, measured in items:
        own = Decimal(spec.weight)
        if spec.key in skipped:
            lines.append(Line(spec.key, spec.label, own, False, ZERO,
                              f"{spec.empty_text}，{spec.label}不参评；其 {number(own)} 分"
                              f"按比例分摊到其他参评指标"))
            continue
        weight = carried[spec.key]
        shared = ""
        if weight != own:
            shared = (f"（本指标 {number(own)} 分，因{skipped_labels}不参评，"
                      f"按比例分摊后为 {number(weight)} 分）")
        if spec.key in empty:
            share = ONE if spec.when_empty == "full" else ZERO
            word = "得满分" if spec.when_empty == "full" else "得零分"
            points = cents(share * weight)
            lines.append(Line(spec.key, spec.label, weight, True, points,
                              f"{spec.empty_text}，按规则{word}，得 {number(points)} / "
                              f"{number(weight)} 分{shared}"))
            continue
        share, why = _rule_share(spec, measured, own)
        points = cents(share * weight)
        lines.append(Line(spec.key, spec.label, weight, True, points,
                          f"{_value_text(spec, measured)}，{why}，得 {number(points)} / "
                          f"{number(weight)} 分{shared}"))
    return lines


def adjustment_text(points: Decimal, reason: str) -> str:
    word = "加分" if points > 0 else "扣分"
    return f"{word} {number(abs(points))} 分：{reason}"
