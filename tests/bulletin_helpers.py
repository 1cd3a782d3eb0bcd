"""The November 2026 the bulletin tests report on, with its figures worked out by hand.

Now is 2 December 2026, 10:00. Demands (current unit, requester kind):

| demand | unit | kind | submitted | committed deadline | first reply | first evaluation |
|---|---|---|---|---|---|---|
| D1 | 环境卫生管理处 | 群众 | 11-02 | 11-04 09:00 | 11-03, on time | 11-05 非常满意 |
| D2 | 环境卫生管理处 | 群众 | 11-05 | 11-06 17:30 | 11-09 10:00, late | 11-10 不满意 |
| D3 | 市政设施管理处 | 基层 | 11-10 | 11-12 09:00 | none (handling) | — |
| D4 | 市政设施管理处 | 企业 | 11-12 | 11-14 09:00 | 11-13, on time | 11-15 非常不满意 |
| D5 | 环卫一中队 | 群众 | 11-20 | 11-23 12:00 | 11-25 12:00, late | 11-26 满意 |
| D6 | 环境卫生管理处 | 群众 | 11-28 | 12-01 09:00 | none (handling) | — |
| D7 | 环境卫生管理处 | 群众 | 11-15 | 11-16 09:00 | merged | — |
| D8 | 环境卫生管理处 | 群众 | 10-20 | 10-22 | 10-25, late | 10-25 非常不满意 (October) |
| D9 | 市政设施管理处 | 基层 | 11-15 | 11-17 09:00 | 11-16, on time | 11-18 基本满意 |
| D10 | 环境卫生管理处 | 群众 | 11-16 | 11-18 09:00 | 11-17, on time | 11-19 非常满意 |

November: received (submitted) D1–D7, D9, D10 = 9. Evaluated D1 D2 D4 D5 D9 D10 = 6, satisfied
(基本满意 and better) D1 D5 D9 D10 = 4 → 66.7%; 群众 D1 D2 D5 D10: 3/4 = 75.0%; 基层 D9:
1/1 = 100.0%; 企业 D4: 0/1 = 0.0%. Due (committed deadline in November, answered or past,
merged left out) D1 D2 D3 D4 D5 D9 D10 = 7, on time D1 D4 D9 D10 = 4 → 57.1%; overdue 3
(D3, D2, D5). Open overdue now: D3 and D6 = 2.

Overdue, longest first: D3 unanswered since 11-12 09:00 → 20 days 1 hour → 21 days;
D2 answered 2 days 16.5 hours late → 3 days; D5 exactly 2 days late → 2 days.
Units below 90%: 市政设施管理处 D4 D9 1/2 = 50.0%, 环境卫生管理处 D1 D2 D10 2/3 = 66.7%
(环卫一中队 D5 1/1 is not). Dissatisfied: D4 非常不满意 then D2 不满意.
Activities in November: a visit on 11-20 (环境卫生管理处) and volunteering on 11-25
(市政设施管理处); one in October. The published November assessment ranks 环境卫生管理处
92.50 first, 市政设施管理处 88.00 second, and could not assess 环卫一中队.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from activities.models import Activity
from assessment.models import Assessment, AssessmentState, Scheme, Score
from campaigns.models import Campaign
from demands.models import Demand, State

from .demand_helpers import at

NOW = at("2026-12-02 10:00")
START, END = dt.date(2026, 11, 1), dt.date(2026, 11, 30)
D2_TITLE = "王女士反映13905271234家门口垃圾"
D2_MASKED = "王**反映139****1234家门口垃圾"


def november(org, categories, personas):
    """Build the month of the module docstring; returns {name: Demand}."""
    made = {}

    def make(name, kind, unit, submitted, deadline, *, state=State.CLOSED, replied=None,
             on_time=None, level=None, evaluated=None, title=None, requester="张三"):
        values = {"number": f"2611{len(made) + 1:02d}-TEST{len(made) + 1:02d}",
                  "requester_kind": kind, "channel": "12319", "category": categories.litter,
                  "title": title or f"诉求{name}", "content": "内容", "state": state,
                  "current_unit": unit, "submitted_at": at(submitted),
                  "received_at": at(submitted), "first_receiver": personas.receiver,
                  "committed_deadline": at(deadline), "deadline": at(deadline),
                  "requester_name": requester}
        if replied:
            values.update(first_replied_at=at(replied), replied_at=at(replied),
                          replied_on_time=on_time)
        if level:
            values.update(first_evaluation_level=level, evaluation_level=level,
                          first_evaluated_at=at(evaluated), evaluated_at=at(evaluated))
        made[name] = Demand.objects.create(**values)

    a, team, b = org.unit_a, org.team_a, org.unit_b
    make("D1", "citizen", a, "2026-11-02 09:00", "2026-11-04 09:00",
         replied="2026-11-03 09:00", on_time=True, level=5, evaluated="2026-11-05 09:00")
    make("D2", "citizen", a, "2026-11-05 09:00", "2026-11-06 17:30",
         replied="2026-11-09 10:00", on_time=False, level=2, evaluated="2026-11-10 09:00",
         title=D2_TITLE, requester="王芳")
    make("D3", "grassroots", b, "2026-11-10 09:00", "2026-11-12 09:00", state=State.HANDLING)
    make("D4", "enterprise", b, "2026-11-12 09:00", "2026-11-14 09:00",
         replied="2026-11-13 09:00", on_time=True, level=1, evaluated="2026-11-15 09:00")
    make("D5", "citizen", team, "2026-11-20 09:00", "2026-11-23 12:00",
         replied="2026-11-25 12:00", on_time=False, level=4, evaluated="2026-11-26 09:00")
    make("D6", "citizen", a, "2026-11-28 09:00", "2026-12-01 09:00", state=State.HANDLING)
    make("D7", "citizen", a, "2026-11-15 09:00", "2026-11-16 09:00", state=State.MERGED)
    make("D8", "citizen", a, "2026-10-20 09:00", "2026-10-22 09:00",
         replied="2026-10-25 09:00", on_time=False, level=1, evaluated="2026-10-25 10:00")
    make("D9", "grassroots", b, "2026-11-15 09:00", "2026-11-17 09:00",
         replied="2026-11-16 09:00", on_time=True, level=3, evaluated="2026-11-18 09:00")
    make("D10", "citizen", a, "2026-11-16 09:00", "2026-11-18 09:00",
         replied="2026-11-17 09:00", on_time=True, level=5, evaluated="2026-11-19 09:00")

    campaign = Campaign.objects.create(code="sanmanyi-2026", name="争创“三满意”机关活动",
                                       starts_on=dt.date(2026, 1, 1),
                                       ends_on=dt.date(2026, 12, 31), office_unit=org.bureau)
    phase = campaign.phases.create(order=1, name="集中推进", starts_on=dt.date(2026, 3, 1),
                                   ends_on=dt.date(2026, 12, 31))
    for day, kind, unit, summary in [
            (dt.date(2026, 10, 30), "visit", a, "十月走访。"),
            (dt.date(2026, 11, 20), "visit", a,
             "走访幸福社区，李先生反映路灯问题，电话13905271234。"),
            (dt.date(2026, 11, 25), "volunteer", b, "周末志愿清扫。")]:
        Activity.objects.create(kind=kind, campaign=campaign, occurred_on=day, unit=unit,
                                summary=summary, created_by=personas.leader,
                                created_at=NOW, updated_at=NOW)

    scheme = Scheme.objects.create(name="月度考核", campaign=campaign, created_by=personas.leader,
                                   created_at=NOW, updated_at=NOW)
    assessment = Assessment.objects.create(
        scheme=scheme, title="2026年11月考核", starts_on=START, ends_on=END,
        state=AssessmentState.PUBLISHED, computed_at=NOW, created_by=personas.leader,
        created_at=NOW, published_by=personas.leader, published_at=NOW)
    Score.objects.create(assessment=assessment, unit=a, total=Decimal("92.50"), rank=1,
                         assessed=3)
    Score.objects.create(assessment=assessment, unit=b, total=Decimal("88.00"), rank=2,
                         assessed=3)
    Score.objects.create(assessment=assessment, unit=team, total=Decimal(0), rank=None,
                         assessed=0)
    made["phase"] = phase
    return made
