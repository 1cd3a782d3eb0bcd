"""The campaign in progress (issue #12): the 2015 plan's requirements and the seed's
targets, the same plan copied into the current year through the console's own action,
plans filed on time, late and not at all, a reminder, records that put some people ahead
of and some behind pace, and the five enterprises paired with units, cadres and goals.

Every change goes through the domain actions (``campaigns.actions``, ``activities.actions``,
``enterprises.actions``), as a person in the console would make it. Idempotent: a second
run finds the current year's campaign and leaves everything as it is.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from campaigns import actions as campaign_actions
from campaigns.models import Campaign, Requirement, RequirementKind
from enterprises import actions as enterprise_actions
from enterprises.models import Enterprise
from org.models import Unit
from projects.models import Project

from . import actions
from .models import ActivityKind, Target, TargetSubject

D = dt.date
SOURCE = "sanmanyi-2015"
# (phase order, kind, title, due date in 2015 or monthly due day, guidance)
REQUIREMENTS = [
    (1, RequirementKind.PLAN, "实施方案", D(2015, 2, 10), None,
     "明确目标任务、创建标准、序时进度和推进措施，成立专门工作机构，明确牵头负责人。"),
    (2, RequirementKind.MONTHLY, "月度进展", None, 5,
     "每月5日前报送上月“三亮三创”推进情况、重点服务事项和存在问题。"),
    (3, RequirementKind.SUMMARY, "工作总结", D(2015, 6, 1), None,
     "总结好经验、好做法，形成长效机制。"),
    (3, RequirementKind.RECTIFICATION, "整改计划", D(2015, 6, 1), None,
     "依据活动中发现的问题作出整改计划，逐项整改。"),
]
# the seed's numbers (三、(二)): label, kind, count, subject, role
TARGETS = [
    ("局党组成员每年下基层挂钩帮扶不少于6次", ActivityKind.VISIT, 6, TargetSubject.ROLE, "leader"),
    ("各基层党组织每年组织志愿服务不少于6次", ActivityKind.VOLUNTEER, 6,
     TargetSubject.BRANCHES, ""),
    ("局党组成员每人每年为基层解决2-3个实际问题", ActivityKind.PROBLEM, 2,
     TargetSubject.ROLE, "leader"),
]
# leader → visits recorded so far this year (ahead, on pace, behind)
VISITS = {"leader": 7, "leader2": 5, "leader3": 3, "leader4": 1}
VOLUNTEER = {"branch-jiguan1": 6, "branch-jiguan2": 4, "branch-zhifa": 2,
             "branch-huanwei": 5, "branch-shizheng": 1}
PLACES = ["幸福社区", "项王故里社区", "古城街道", "宿豫区顺河街道", "湖滨新区井头乡",
          "洋河新区城管中队", "开发区南区社区", "宿城区环卫一中队"]
# enterprise short name → (unit code, cadres, plan, goals (title, done))
PAIRINGS = {
    "科思化工": ("zhifa", ["leader4", "head_zhifa"], "规范厂区周边渣土运输和道路保洁，协调解决货车停放问题。",
             [("厂区周边道路每日机扫两次", True), ("协调设置货车临时停放区", False)]),
    "艾玛凯": ("shirong", ["leader3", "head_shirong"], "帮助企业规范门头店招，优化周边市容环境。",
            [("完成门头店招设计审核", True), ("周边占道经营整治", False)]),
    "御珍家私": ("huanwei", ["head_huanwei"], "解决厂区大件垃圾和边角料清运难题。",
             [("建立大件垃圾预约清运机制", True), ("边角料资源化利用对接", False)]),
    "托维亮化": ("ludeng", ["leader3", "head_ludeng"], "支持企业参与城市亮化工程，开展技术对接。",
             [("组织亮化工程技术交流会", True), ("试点路段节能改造", True)]),
    "洁城环境": ("huanwei", ["leader2", "handler_huanwei"], "指导环卫作业标准化，提升作业质量。",
             [("作业质量月度考评", False)]),
}


def _year_start(today: dt.date) -> dt.date:
    """The copy starts on 28 January of this year, or of last year in the weeks before."""
    start = D(today.year, 1, 28)
    return start if today >= start + dt.timedelta(days=14) else D(today.year - 1, 1, 28)


def _prepare_source(source: Campaign, office) -> None:
    """The 2015 plan's requirements and targets (once)."""
    phases = {phase.order: phase for phase in source.phases.all()}
    if not source.participants.exists():
        campaign_actions.set_participants(source, campaign_actions.default_participants(),
                                          office)
    if not Requirement.objects.filter(phase__campaign=source).exists():
        for order, kind, title, due_on, due_day, guidance in REQUIREMENTS:
            campaign_actions.save_requirement(
                phases[order], {"kind": kind, "title": title, "due_on": due_on,
                                "due_day": due_day, "guidance": guidance}, office)
    if not source.targets.exists():
        for label, kind, count, subject, role in TARGETS:
            actions.save_target(source, {"label": label, "kind": kind, "count": count,
                                         "subject": subject, "role": role}, by=office)


def _stamp(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _file_plans(campaign: Campaign, office, users, today: dt.date) -> tuple[int, int]:
    """Most units file the plan on time, two late, the rest not at all; monthly reports
    from the first units; the office reminds one unit that has not filed."""
    units = list(campaign.participants.order_by("path"))
    plan = Requirement.objects.get(phase__campaign=campaign, kind=RequirementKind.PLAN)
    filed = 0
    heads = {u.staff.unit_id: u for u in users.values() if hasattr(u, "staff")
             and u.username.startswith("head_")}
    missing = []
    for n, unit in enumerate(units):
        head = heads.get(unit.pk)
        if head is None or plan.due_on > today:
            missing.append(unit)
            continue
        if n % 5 == 4:
            missing.append(unit)
            continue
        late = n % 5 == 3
        at = _stamp(plan.due_on + dt.timedelta(days=3) if late else plan.due_on
                    - dt.timedelta(days=2))
        campaign_actions.file(plan, unit, plan.due_on, {
            "goals": f"{unit.name}围绕“三满意”目标，重点抓好窗口服务和诉求办理，群众满意率不低于90%。",
            "standards": "首问负责、一次性告知、限时办结落实率100%。",
            "schedule": "2月完成动员部署；2—5月集中推进；5月下旬总结完善。",
            "measures": "亮标准、亮身份、亮承诺；创服务品牌、创示范窗口、创岗位标兵。",
            "lead": head.staff.full_name}, head, at=at)
        filed += 1
        monthly = Requirement.objects.filter(phase__campaign=campaign,
                                             kind=RequirementKind.MONTHLY).first()
        if monthly and n < 4:
            for period, due_on in monthly.periods():
                if due_on > today:
                    break
                campaign_actions.file(monthly, unit, period, {
                    "content": f"{period.month}月：完成重点服务事项梳理，办理群众诉求并逐件回访。"},
                    head, at=_stamp(due_on - dt.timedelta(days=1)))
    headed = [unit for unit in missing if unit.pk in heads]
    if headed and plan.due_on < today:  # the office reminds the first that has a head
        campaign_actions.remind(plan, headed[0], plan.due_on, office,
                                at=_stamp(plan.due_on + dt.timedelta(days=1), 9))
    return filed, len(missing)


def _spread(count: int, start: dt.date, today: dt.date, offset: int) -> list[dt.date]:
    span = max((today - start).days, 1)
    return [start + dt.timedelta(days=(span * (i + 1)) // (count + 1) + offset % 3)
            for i in range(count)]


def _records(campaign: Campaign, users, today: dt.date) -> int:
    start = max(campaign.starts_on, today - dt.timedelta(days=330))
    count = 0
    for n, (username, visits) in enumerate(VISITS.items()):
        leader = users[username]
        for m, day in enumerate(_spread(visits, start, today, n)):
            actions.record(ActivityKind.VISIT, {
                "occurred_on": min(day, today), "unit": leader.staff.unit,
                "visited": PLACES[(n + m) % len(PLACES)], "place": PLACES[(n + m) % len(PLACES)],
                "met": "社区书记、一线环卫工人代表",
                "summary": "实地查看背街小巷环境卫生，听取基层对城管工作的意见建议。",
                "problems": "部分小区垃圾分类投放点设置不合理，夜间清运不及时。",
                "agreed": "调整投放点位置，增加一次夜间清运。", "follow_up": "环卫处两周内落实并反馈。"},
                [leader], form_token=f"demo-visit-{campaign.code}-{username}-{m}",
                by=leader, today=today)
            count += 1
    party = users["party"]
    for n, (code, times) in enumerate(VOLUNTEER.items()):
        branch = Unit.objects.get(code=code)
        for m, day in enumerate(_spread(times, start, today, n)):
            actions.record(ActivityKind.VOLUNTEER, {
                "occurred_on": min(day, today), "unit": branch, "place": PLACES[m % len(PLACES)],
                "participants_count": 8 + m, "hours": 2 + m % 3,
                "summary": "机关党员进社区开展“服务奉献进社区”志愿服务：清理卫生死角、宣传垃圾分类。"},
                [party], form_token=f"demo-volunteer-{campaign.code}-{code}-{m}", by=party,
                today=today)
            count += 1
    projects = list(Project.objects.exclude(state="draft").order_by("pk")[:3])
    for n, username in enumerate(["leader", "leader2", "leader3"]):
        leader = users[username]
        for m, project in enumerate(projects[: 3 - n]):
            day = min(today, start + dt.timedelta(days=60 * (m + 1) + 7 * n))
            actions.record(ActivityKind.PROBLEM, {
                "occurred_on": day, "unit": leader.staff.unit, "project": project.pk,
                "summary": f"帮扶推进实事项目“{project.title}”，协调解决资金和施工难题。",
                "result": "问题已协调解决，项目按计划推进。"},
                [leader], form_token=f"demo-problem-{campaign.code}-{username}-{m}", by=leader,
                today=today)
            count += 1
    for n, enterprise in enumerate(Enterprise.objects.order_by("name")):
        cadre = users[PAIRINGS[enterprise.short_name][1][0]]
        for m in range(1 + n % 2):
            day = min(today, start + dt.timedelta(days=45 * (m + 1) + 11 * n))
            actions.record(ActivityKind.SUPPORT, {
                "occurred_on": day, "unit": cadre.staff.unit, "enterprise": enterprise.pk,
                "summary": "上门走访企业，了解企业在市容环境、渣土运输等方面的诉求。",
                "result": "现场协调相关科室，当场答复两项，其余限期办结。"},
                [cadre], form_token=f"demo-support-{campaign.code}-{enterprise.pk}-{m}",
                by=cadre, today=today)
            count += 1
    return count


def _pairings(year: int, office, users, today: dt.date) -> int:
    made = 0
    for short, (unit_code, cadres, plan, goals) in PAIRINGS.items():
        enterprise = Enterprise.objects.get(short_name=short)
        pairing = enterprise_actions.save_pairing(
            enterprise, Unit.objects.get(code=unit_code), year,
            [users[name] for name in cadres], plan, office)
        for m, (title, done) in enumerate(goals):
            goal = enterprise_actions.add_goal(pairing, title, D(year, 6 + 3 * m, 30), office)
            if done:
                enterprise_actions.complete_goal(goal, min(today, D(year, 5 + 3 * m, 15)),
                                                 "已完成，企业书面确认。", office)
        made += 1
    enterprise_actions.save_secondment({
        "cadre": users["handler_zhifa"].pk, "enterprise": Enterprise.objects.get(
            short_name="科思化工").pk, "starts_on": D(year, 3, 1),
        "duty": "驻企服务专员：协调渣土运输和周边道路保洁"}, office)
    return made


@transaction.atomic
def build(context: dict) -> list[str]:
    today = timezone.localdate()
    source = Campaign.objects.get(code=SOURCE)
    users = {u.username: u for u in get_user_model().objects.select_related("staff__unit")}
    office = users["office"]
    _prepare_source(source, office)
    start = _year_start(today)
    code = f"sanmanyi-{start.year}"
    if Campaign.objects.filter(code=code).exists():
        return [f"{start.year}年创建活动已在（未改动）"]
    campaign = campaign_actions.copy_campaign(
        source, start, code, f"{start.year}年争创“三满意”机关活动", office)
    filed, missing = _file_plans(campaign, office, users, today)
    records = _records(campaign, users, today)
    pairs = _pairings(start.year, office, users, today)
    targets = Target.objects.filter(campaign=campaign).count()
    return [f"{start.year}年创建活动（复制自2015年）：目标任务 {targets} 项，实施方案已报 {filed} 个单位、"
            f"未报 {missing} 个，活动记录 {records} 条，挂钩企业 {pairs} 家"]
