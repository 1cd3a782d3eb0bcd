"""The demo's assessment (issue #13): a monthly scheme mirroring the 2015 plan (§七 加强日常
督查和定期考核; the three satisfactions and the service figures of R-RATE; targets, plans
and practical projects of §五–六) over the current campaign's participants, and last
month's assessment computed and published, with one deduction entered by the supervision
office and one objection waiting for the office.

Every change goes through ``assessment.actions``, as a person in the console would make
it. Idempotent: a second run finds the scheme and last month's assessment and leaves them.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from campaigns.queries import latest_campaign

from . import actions
from .models import Assessment, ObjectionState, Scheme, Score

NAME = "“三满意”月度考核方案"
# key, label (None: the registry's), points, rule, parameters, when there is no data
INDICATORS = [
    ("satisfaction_citizen", None, 20, "linear", {"floor": 70, "target": 95}, "skip"),
    ("satisfaction_grassroots", None, 15, "linear", {"floor": 70, "target": 95}, "skip"),
    ("satisfaction_enterprise", None, 15, "linear", {"floor": 70, "target": 95}, "skip"),
    ("on_time", None, 10, "linear", {"floor": 80, "target": 98}, "skip"),
    ("overdue", None, 5, "deduct", {"per_item": 1, "cap": 5}, "skip"),
    ("return", None, 5, "linear", {"floor": 20, "target": 5}, "skip"),
    ("targets", None, 10, "threshold", {"steps": [[100, 1], [80, "0.8"], [60, "0.5"]]},
     "skip"),
    ("filings", "实施方案及材料按时报送率", 10, "linear", {"floor": 50, "target": 100}, "skip"),
    ("milestones", "实事项目节点按时完成率", 5, "linear", {"floor": 50, "target": 100}, "skip"),
    # §七: 督查室加强日常督查 — a unit's answers to supervision orders, on time
    ("orders", None, 5, "linear", {"floor": 50, "target": 100}, "skip"),
]
DESCRIPTION = ("依据《关于开展争创“三满意”机关活动的实施方案》“七、工作要求”：加强日常督查和定期考核，"
               "看实绩、比贡献。群众、基层、企业满意率和按时办结率等取自诉求办理数据，"
               "目标任务、材料报送、实事项目和督办反馈取自活动记录、材料报送、项目节点和督查督办单；督查室可录入加减分。")


def _last_month(today: dt.date) -> tuple[dt.date, dt.date]:
    end = today.replace(day=1) - dt.timedelta(days=1)
    return end.replace(day=1), end


@transaction.atomic
def build(context: dict) -> list[str]:
    users = {u.username: u for u in get_user_model().objects.filter(
        username__in=["office", "supervisor", "head_shizheng"])}
    office, supervisor = users["office"], users["supervisor"]
    scheme = Scheme.objects.filter(name=NAME).first()
    if scheme is None:
        campaign = latest_campaign()
        scheme = actions.save_scheme(office, {
            "name": NAME, "campaign": campaign, "period_kind": "month", "max_score": 100,
            "description": DESCRIPTION},
            [{"key": key, "label": label or "", "weight": weight, "rule": rule,
              "params": params, "when_empty": when_empty}
             for key, label, weight, rule, params, when_empty in INDICATORS])
    start, end = _last_month(timezone.localdate())
    if Assessment.objects.filter(scheme=scheme, starts_on=start, ends_on=end).exists():
        return [f"考核方案“{NAME}”和{start.year}年{start.month}月考核已在（未改动）"]
    assessment = actions.create_assessment(office, scheme, start, end)
    units = list(scheme.units.order_by("path"))
    late = next((unit for unit in units if unit.code == "zhifa"), units[-1])
    actions.add_adjustment(supervisor, assessment, late, "-2",
                           f"{start.month}月督查发现：渣土运输撒漏问题整改不到位，督查通报扣分。")
    assessment = actions.publish(office, actions.compute(office, assessment))
    objected = 0
    head = users.get("head_shizheng")
    score = Score.objects.filter(assessment=assessment, unit__code="shizheng").first()
    if head is not None and score is not None:
        line = score.lines.filter(indicator__key="on_time").first()
        if line is not None:
            actions.file_objection(head, line, "本月有两件井盖类诉求因12345平台转派延迟到达，"
                                               "实际签收后均在时限内办结，请核减超期。")
            objected = 1
    ranked = Score.objects.filter(assessment=assessment, rank__isnull=False).count()
    pending = assessment.objections.filter(state=ObjectionState.PENDING).count()
    return [f"考核方案“{NAME}”（{len(INDICATORS)} 项指标），{assessment.title}已计算并公布："
            f"{ranked} 个单位参与排名，加减分 1 笔，待处理申诉 {pending if objected else 0} 件"]
