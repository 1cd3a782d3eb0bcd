"""The demo city's supervision orders (督查督办单, issue #13): one in every state, about
every kind of subject, all made through the real actions relative to today — an inspection
finding with photos answered, accepted and made a rectification commitment; the overdue
demands of a category answered and awaiting the office; a project's order sent back; a
demand's order just issued; a commitment's order past its deadline and escalated by the
sweep; a target's order withdrawn."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count
from django.utils import timezone

from activities import progress
from activities.models import Target
from demands.models import OPEN_STATES, Demand
from org.models import Role, Unit, UnitKind
from org.queries import users_with_role
from projects.demo import _photo
from projects.models import ACTIVE_STATES, Commitment, CommitmentState, Project

from . import actions, sweep
from .models import SubjectKind, SupervisionOrder

K = SubjectKind
DAY = dt.timedelta(days=1)


def _head(unit: Unit):
    return users_with_role([Role.UNIT_HEAD], unit).first()


def _finding(supervisor, now) -> SupervisionOrder | None:
    unit = Unit.objects.filter(code="sucheng").first()
    head = unit and _head(unit)
    if head is None:
        return None
    order = actions.issue(
        supervisor, subject_kind=K.FINDING, unit=unit, title="幸福路农贸市场周边环境卫生",
        requirement="三个工作日内清理到位，反馈整改情况和长效保洁措施，附整改前后照片。",
        finding="督查发现幸福路农贸市场东侧垃圾桶满溢，地面散落菜叶和包装物，"
                "周边店铺门前三包落实不到位。",
        finding_place="幸福路农贸市场东侧", deadline=now - 8 * DAY,
        photo_files=[_photo("市场东侧", (120, 110, 90)), _photo("垃圾桶", (90, 100, 80))],
        at=now - 12 * DAY)
    order = actions.answer(
        head, order, "已组织保洁人员当日清理完毕；市场东侧增设垃圾桶 4 个，"
                     "保洁频次由每日两次增至三次；约谈门前三包不落实商户 6 户。",
        photos=[_photo("整改后", (150, 170, 150))], at=now - 10 * DAY)
    order = actions.accept(supervisor, order, "整改到位，转为整改承诺持续跟踪。",
                           at=now - 9 * DAY)
    return actions.to_commitment(supervisor, order, timezone.localdate() + 30 * DAY,
                                 at=now - 9 * DAY)


def _overdue_demands(supervisor, now) -> SupervisionOrder | None:
    """The unit with the most overdue demands of one category: the set is ordered and
    answered; or, when no demand is overdue, one open demand's order answered."""
    dispatched = Demand.objects.overdue(now).exclude(current_unit__code=settings.INTAKE_UNIT_CODE)
    late = (dispatched.exclude(category=None).order_by()
            .values("current_unit", "category").annotate(n=Count("pk"))
            .order_by("-n", "current_unit", "category").first())
    if late is not None:
        unit = Unit.objects.get(pk=late["current_unit"])
        found = list(dispatched.filter(
            current_unit=unit, category=late["category"]).select_related("category"))
        kind, extra = K.DEMANDS, {"demands": found, "criteria":
                                  f"{found[0].category.name}类超期诉求 {len(found)} 件"}
        title = f"{found[0].category.name}类超期诉求督办"
    else:
        demand = Demand.objects.filter(state__in=OPEN_STATES).exclude(
            current_unit__code=settings.INTAKE_UNIT_CODE).order_by("submitted_at", "pk").first()
        if demand is None:
            return None
        unit, kind, extra = demand.current_unit, K.DEMAND, {"demands": [demand]}
        title = f"关于诉求 {demand.number} 办理情况的督办"
    head = _head(unit)
    if head is None:
        return None
    order = actions.issue(supervisor, subject_kind=kind, unit=unit, title=title,
                          requirement="逐件说明超期原因、目前进展和办结时间。",
                          deadline=now + 2 * DAY, at=now - 3 * DAY, **extra)
    return actions.answer(head, order, "已逐件核查：因近期连续降雨，部分点位清运延误；"
                                       "已调配机动车辆，预计两日内全部办结，并逐一回复诉求人。",
                          at=now - DAY)


def _project(supervisor, now) -> SupervisionOrder | None:
    project = Project.objects.filter(state__in=ACTIVE_STATES).exclude(
        responsible_unit=None).order_by("deadline", "pk").first()
    head = project and _head(project.responsible_unit)
    if head is None:
        return None
    order = actions.issue(supervisor, subject_kind=K.PROJECT, project=project,
                          title=f"“{project.title}”推进情况督办",
                          requirement="说明各节点完成情况，滞后节点写明原因和补救措施。",
                          deadline=now + 3 * DAY, at=now - 8 * DAY)
    order = actions.answer(head, order, "项目总体按计划推进。", at=now - 6 * DAY)
    return actions.send_back(supervisor, order, "未说明滞后节点的原因和完成时间，请补充。",
                             at=now - 5 * DAY)


def _demand(leader, now) -> SupervisionOrder | None:
    open_demands = Demand.objects.filter(state__in=OPEN_STATES).exclude(
        current_unit__code=settings.INTAKE_UNIT_CODE).order_by("-submitted_at", "-pk")
    # 环卫处's newest open demand; any unit's when it has none at this hour of the demo
    demand = open_demands.filter(current_unit__code="huanwei").first() or open_demands.first()
    if demand is None:
        return None
    return actions.issue(leader, subject_kind=K.DEMAND, demands=[demand],
                         title=f"关于诉求 {demand.number} 办理情况的督办",
                         requirement="群众多次反映，请单位负责人亲自过问，说明处理结果。",
                         at=now - DAY)


def _commitment(supervisor, now) -> SupervisionOrder | None:
    commitment = Commitment.objects.filter(state=CommitmentState.OPEN).exclude(
        unit__code="sucheng").order_by("deadline", "pk").first()
    if commitment is None:
        return None
    order = actions.issue(supervisor, subject_kind=K.COMMITMENT, commitment=commitment,
                          title=f"“{commitment.title}”兑现情况督办",
                          requirement="说明承诺兑现进度，附相关台帐。",
                          deadline=now - 2 * DAY, at=now - 7 * DAY)
    sweep.sweep(now)  # past its deadline without an answer: flagged and escalated
    return order


def _target(party, now) -> SupervisionOrder | None:
    today = timezone.localdate()
    campaign = progress.running(today)
    if campaign is None:
        return None
    bureau = set(Unit.objects.filter(kind=UnitKind.BUREAU).values_list("pk", flat=True))
    rows = [row for row in progress.rows(Target.objects.filter(campaign=campaign)
                                         .order_by("kind", "pk"), today)
            if row.behind and row.assignee.unit_id is not None]
    if not rows:
        return None
    # a unit's people rather than the bureau's leaders, when there is one behind
    row = next((row for row in rows if row.assignee.unit_id not in bureau), rows[0])
    order = actions.issue(
        party, subject_kind=K.TARGET, target=row.target,
        unit=Unit.objects.get(pk=row.assignee.unit_id),
        criteria=f"{row.assignee.name}：已完成 {row.done} 次，按序时应完成 "
                 f"{row.pace.required} 次（目标 {row.target.count} 次）",
        title=f"“{row.target.label}”进度滞后督办", requirement="说明滞后原因和下一步安排。",
        at=now - 4 * DAY)
    return actions.cancel(party, order, "已补录活动记录，进度已赶上，撤销督办。",
                          at=now - 3 * DAY)


def build(context: dict) -> list[str]:
    if SupervisionOrder.objects.exists():
        return ["督查督办单演示数据已存在，未重复生成"]
    User = get_user_model()
    supervisor = User.objects.get(username="supervisor")
    now = timezone.now()
    made = [_finding(supervisor, now), _overdue_demands(supervisor, now),
            _project(User.objects.get(username="supervisor2"), now),
            _demand(User.objects.get(username="leader"), now),
            _commitment(supervisor, now), _target(User.objects.get(username="party"), now)]
    made = [order for order in made if order is not None]
    states = sorted({order.get_state_display() for order in made})
    return [f"督查督办单 {len(made)} 张（{'、'.join(states)}）"]
