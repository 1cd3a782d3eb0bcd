"""The demo city's practical projects and commitments (issue #11): the 2015 plan's kind of
projects — a market's 占道经营 整治, a road's 路灯 repair, 公厕 upgrades … — built through
the real actions from demo demands, one in each state, with milestones, updates and
photos, public comments (approved and waiting) and ratings; each public unit's service
commitments (亮承诺) and rectification commitments after negative evaluations."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from demands.models import Demand
from org.models import Unit, UnitKind

from . import actions, commitments, public_actions, sweep
from .models import CommitmentKind, CommitmentSource, Milestone, Project

# title, unit, category codes of the demands behind it, final state, plan, measures,
# milestones (title, days from start)
PROJECTS = [
    ("幸福路菜市场周边占道经营整治", "shirong", ("zhandao-jingying", "luan-duifang"), "done",
     "设置早市疏导区，两个月内恢复菜场周边通行秩序。",
     "划定临时疏导区，早 6–9 时定人定岗；引导流动摊贩进场经营；联合市场方每日巡查。",
     [("划定早市疏导区", 15), ("摊贩进场经营", 40), ("长效巡查机制建立", 55)]),
    ("洪泽湖路路灯修复", "ludeng", ("ludeng-buliang",), "in_progress",
     "排查洪泽湖路全线路灯，更换老化线路和灯具。",
     "夜间逐杆排查；更换地下线路 1.2 公里；灯具更换为 LED。",
     [("全线排查", 10), ("线路更换", 35), ("灯具更换与验收", 60)]),
    ("城区公厕提档升级", "huanwei", ("gongce-guanli",), "published",
     "年内完成 12 座老旧公厕提档升级，增设无障碍设施和第三卫生间。",
     "逐座制定改造方案；分批施工，施工期间设置临时厕所；升级后延长开放时间。",
     [("改造方案确定", 20), ("第一批 6 座完工", 75), ("第二批 6 座完工", 140)]),
    ("西湖路积水点改造", "shizheng", ("daolu-jishui", "paishui-duse"), "delayed",
     "改造西湖路两处易积水路段的雨水管网。",
     "管网检测疏通；新增雨水口 16 个；低洼路段抬高。",
     [("管网检测", 10), ("雨水口新增", 30), ("路面恢复", 45)]),
    ("背街小巷垃圾清运提质", "huanwei", ("laji-qingyun", "baolu-laji"), "draft",
     "背街小巷垃圾日产日清，消除暴露垃圾。",
     "增加清运频次至每日两次；设置分类收集点；环卫巡查纳入考核。",
     [("收集点布设", 20), ("清运频次调整", 30)]),
    ("发展大道夜间施工噪声治理", "zhifa", ("shigong-raomin",), "cancelled",
     "规范发展大道沿线工地夜间施工。",
     "夜间施工许可公示；联合住建部门夜查。",
     [("工地排查", 10)]),
]

COMMENTS = [
    ("李先生", "早市终于不堵了，送孩子上学方便多了，点赞！", True),
    ("王女士", "疏导区能不能再往里挪一点？早上还是有点挤。", True),
    ("赵先生", "希望长期坚持，不要一阵风。", False),
]


def _photo(label: str, color: tuple[int, int, int]) -> SimpleUploadedFile:
    """A generated site photo (the demo has no camera)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (1200, 800), color)
    draw = ImageDraw.Draw(image)
    for row in range(0, 800, 80):
        draw.line([(0, row), (1200, row + 200)], fill=(255, 255, 255), width=3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return SimpleUploadedFile(f"{label}.jpg", out.getvalue(), content_type="image/jpeg")


def build(context: dict) -> list[str]:
    if Project.objects.filter(title=PROJECTS[0][0]).exists():
        return ["实事项目演示数据已存在，未重复生成"]
    User = get_user_model()
    office = User.objects.get(username="office")
    leader = User.objects.get(username="leader")
    supervisor = User.objects.get(username="supervisor")
    now = timezone.now()
    today = timezone.localdate()
    made = []
    for index, (title, unit_code, codes, final, plan, measures, milestones) in \
            enumerate(PROJECTS):
        unit = Unit.objects.get(code=unit_code)
        head = User.objects.filter(role_assignments__role="unit_head",
                                   role_assignments__unit=unit).first() or office
        # done and cancelled ones began long ago; the rest lately
        started = now - dt.timedelta(days={"done": 80, "delayed": 50, "cancelled": 40,
                                           "in_progress": 30}.get(final, 5))
        span = max(days for _, days in milestones) + 10
        deadline = timezone.localtime(started).date() + dt.timedelta(days=span)
        demands = list(Demand.objects.filter(category__code__in=codes)
                       .order_by("-submitted_at").values_list("pk", flat=True)[:12])
        project = actions.create(
            office, title=title, background=f"近一年群众反映相关诉求 {len(demands)} 件，"
                                             "集中在早晚高峰和夜间。",
            plan=plan, measures=measures, responsible_unit=unit, deadline=deadline,
            demand_ids=demands, lead_leader=leader, source="hotspot", at=started)
        for name, days in milestones:
            actions.add_milestone(office, project, name,
                                  timezone.localtime(started).date() + dt.timedelta(days=days),
                                  at=started)
        made.append(title)
        if final == "draft":
            continue
        if final == "cancelled":
            actions.office_approve(office, project, "同意", at=started)
            actions.leader_approve(leader, project, "抓紧推进", at=started)
            actions.cancel(leader, project, "该路段工地已由住建部门统一纳入夜间施工许可管理，"
                                            "本项目并入其专项整治。",
                           at=started + dt.timedelta(days=12))
            continue
        actions.office_approve(office, project, "材料齐全，同意报批", at=started)
        actions.leader_approve(leader, project, "同意公示，按期推进", at=started)
        if final == "published":
            continue
        actions.post_update(head, project, "项目启动，已完成现场踏勘。",
                            [_photo(f"site-{index}", (70, 110, 150))],
                            at=started + dt.timedelta(days=2))
        for position, milestone in enumerate(project.milestones.order_by("due")):
            due_at = timezone.make_aware(dt.datetime.combine(milestone.due, dt.time(16)))
            if due_at >= now or (final in ("in_progress", "delayed") and position >= 1):
                break
            actions.complete_milestone(head, milestone, f"{milestone.title}已完成，经现场核查。",
                                       [_photo(f"m-{milestone.pk}", (90, 140, 90))],
                                       at=due_at)
        if final == "delayed":
            actions.delay(head, project, "连续降雨，管网施工无法进行，顺延 20 天。",
                          project.deadline + dt.timedelta(days=20),
                          at=started + dt.timedelta(days=25))
        if final == "done":
            for milestone in Milestone.objects.filter(project=project, state="planned"):
                actions.complete_milestone(head, milestone, "已完成。",
                                           at=now - dt.timedelta(days=12))
            actions.post_update(head, project, "疏导区运行一个月，早市秩序明显好转。",
                                [_photo(f"after-{index}", (160, 120, 60))],
                                at=now - dt.timedelta(days=11))
            project = actions.complete(head, project, "疏导区运行平稳，菜场周边通行恢复正常，"
                                            "相关诉求明显减少。", at=now - dt.timedelta(days=10))
            for number, level in enumerate([5, 5, 4, 5, 3, 4, 2, 5]):
                public_actions.rate(project, f"1390527{9000 + number:04d}", level,
                                    at=now - dt.timedelta(days=9 - number))
        project.refresh_from_db()  # the actions returned fresh copies; this one is stale
        for number, (name, text, approved) in enumerate(COMMENTS):
            comment = public_actions.comment(project, name, f"1390527{8000 + number:04d}",
                                             text, at=now - dt.timedelta(days=8, hours=number))
            if approved:
                public_actions.moderate(office, comment, True, at=now - dt.timedelta(days=7))
    promises = _commitments(office, supervisor, now, today)
    overdue = sweep.sweep(now=now)
    return [f"实事项目 {len(made)} 个（各状态均有），承诺 {promises} 项；逾期里程碑 "
            f"{overdue['milestones']} 个、逾期整改承诺 {overdue['commitments']} 项"]


def _commitments(office, supervisor, now, today) -> int:
    count = 0
    for unit in Unit.objects.filter(kind__in=[UnitKind.SUBORDINATE, UnitKind.DISTRICT],
                                    is_active=True).order_by("sort_order", "code")[:6]:
        promise = commitments.create(
            office, kind=CommitmentKind.SERVICE, unit=unit, window="服务窗口",
            title=f"{unit.name}服务承诺",
            content="按承诺时限办结答复，节假日顺延，超期主动说明；对不满意的诉求整改到位并"
                    "再次答复；一次性告知办事所需全部材料。", at=now - dt.timedelta(days=60))
        commitments.publish(office, promise, at=now - dt.timedelta(days=59))
        count += 1
    unhappy = Demand.objects.filter(evaluation_level__lte=2).select_related(
        "current_unit").order_by("-submitted_at")[:3]
    for position, demand in enumerate(unhappy):
        promise = commitments.create(
            supervisor, kind=CommitmentKind.RECTIFICATION, unit=demand.current_unit,
            source=CommitmentSource.EVALUATION, demand=demand,
            title=f"“{demand.title}”差评整改",
            content="重新上门核实情况，制定整改措施，整改后请群众再评价。",
            source_note=f"诉求 {demand.number} 群众评价不满意。",
            deadline=today + dt.timedelta(days=(10, -1, -2)[position]),
            at=now - dt.timedelta(days=3))
        commitments.publish(office, promise, at=now - dt.timedelta(days=3))
        if position == 2:
            commitments.fulfil(supervisor, promise, "已重新处理并回访，群众表示满意。",
                               at=now - dt.timedelta(days=1))
        count += 1
    return count
