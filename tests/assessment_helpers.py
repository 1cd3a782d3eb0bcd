"""A November of demands whose scores are worked out by hand (tests/test_assessment*.py).

The scheme (100 points):

* 综合满意率 40 points, linear, floor 60%, target 100%; no evaluation → not assessed;
* 按时办结率 40 points, linear, floor 80%, target 100%; nothing due → zero;
* 超期件数 20 points, 5 per item, at most 15; nothing due → full.

The units and their demands (each evaluated and due in November):

========  ===========================  ========  =========  =======  =================
unit      demands                      满意率     按时办结率   超期      total
========  ===========================  ========  =========  =======  =================
环卫处     10 (3 of them its 中队's)    10/10     9/10       1        40 + 20 + 15 = 75
市政处     10, 5 evaluated              4/5       10/10      0        20 + 40 + 20 = 80
市容所     20                           18/20     19/20      1        30 + 30 + 15 = 75
园林处     none                         —         —          —        see below
========  ===========================  ========  =========  =======  =================

园林处 has no demand: 满意率 is not assessed and its 40 points are spread over the two
others in proportion (40 → 66.67, 20 → 33.33); 按时办结率 scores zero, 超期件数 full:
0 + 33.33 = 33.33. Ranks: 市政处 1, 环卫处 2, 市容所 2 (a tie), 园林处 4.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from assessment import actions
from demands.models import Demand, State
from org.models import Role, RoleAssignment, Unit, UnitKind

from .conftest import make_staff

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 12, 5, 12, 0, tzinfo=TZ)
START, END = dt.date(2026, 11, 1), dt.date(2026, 11, 30)


def at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=TZ)


_numbers = iter(range(1, 100_000))


def demand(unit, personas, *, satisfied: bool | None, on_time: bool, day: int = 5,
           kind: str = "citizen", category=None) -> Demand:
    """A November demand: submitted on ``day``, committed deadline two days later,
    replied on time or a day late, evaluated (or not) the day after the reply."""
    n = next(_numbers)
    deadline = at(day + 2)
    replied = at(day + 1) if on_time else at(day + 3)
    values = {"number": f"KH{n:05d}", "requester_kind": kind, "channel": "12319",
              "category": category, "title": f"诉求{n}", "content": "内容",
              "state": State.CLOSED, "current_unit": unit, "submitted_at": at(day),
              "received_at": at(day), "dispatched_at": at(day, 10),
              "first_receiver": personas.receiver, "deadline": deadline,
              "committed_deadline": deadline, "first_replied_at": replied,
              "replied_on_time": on_time}
    if satisfied is not None:
        level = 4 if satisfied else 1
        values.update(first_evaluation_level=level, evaluation_level=level,
                      first_evaluated_at=replied + dt.timedelta(days=1),
                      evaluated_at=replied + dt.timedelta(days=1))
    return Demand.objects.create(**values)


def build_units(org):
    """The two units the shared organisation lacks: 市容所 and 园林处 (no demands)."""
    shirong = Unit.objects.create(code="shirong", name="宿迁市市容管理所", short_name="市容所",
                                  kind=UnitKind.SUBORDINATE, parent=org.bureau)
    yuanlin = Unit.objects.create(code="yuanlin", name="宿迁市园林绿化管理处",
                                  short_name="园林处", kind=UnitKind.SUBORDINATE,
                                  parent=org.bureau)
    return shirong, yuanlin


def build_demands(org, personas, shirong) -> None:
    for n in range(10):  # 环卫处: 3 of them on its 中队
        unit = org.team_a if n < 3 else org.unit_a
        demand(unit, personas, satisfied=True, on_time=n != 0, day=2 + n)
    for n in range(10):  # 市政处: all on time, 5 evaluated, 4 of them satisfied
        demand(org.unit_b, personas, satisfied=(n != 0) if n < 5 else None, on_time=True,
               day=2 + n)
    for n in range(20):  # 市容所: 18 of 20 satisfied, 19 of 20 on time
        demand(shirong, personas, satisfied=n >= 2, on_time=n != 5, day=2 + n)


INDICATORS = [
    {"key": "satisfaction", "weight": 40, "rule": "linear",
     "params": {"floor": 60, "target": 100}, "when_empty": "skip"},
    {"key": "on_time", "weight": 40, "rule": "linear",
     "params": {"floor": 80, "target": 100}, "when_empty": "zero"},
    {"key": "overdue", "weight": 20, "rule": "deduct",
     "params": {"per_item": 5, "cap": 15}, "when_empty": "full"},
]


def office_user(org):
    return make_staff("office", "孙主任", org.bureau, (Role.OFFICE, None))


def head_of(unit, username: str, name: str):
    user = make_staff(username, name, unit)
    RoleAssignment.objects.create(user=user, role=Role.UNIT_HEAD, unit=unit)
    return user


def build_scheme(office, units, indicators=INDICATORS, name="三满意月度考核"):
    return actions.save_scheme(office, {"name": name, "period_kind": "month",
                                        "max_score": Decimal(100)},
                               indicators, units=units, at=NOW - dt.timedelta(days=3))


def computed(office, scheme):
    assessment = actions.create_assessment(office, scheme, START, END,
                                           at=NOW - dt.timedelta(days=2))
    return actions.compute(office, assessment, at=NOW - dt.timedelta(days=1))
