"""The 2015 campaign of the seed plan, with its three phases and its leading group."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction

from org.models import Unit

from .models import Campaign, GroupPosition, LeadingGroupMember, Phase

D = dt.date
PHASES = [
    (1, "动员部署", D(2015, 1, 28), D(2015, 2, 10),
     "局属各单位、处室广泛宣传动员，制定具体实施方案，明确目标任务、创建标准、序时进度和推进措施，"
     "成立专门工作机构，明确牵头负责人。"),
    (2, "集中推进", D(2015, 2, 11), D(2015, 5, 20),
     "结合机关服务品牌创建，明确重点服务事项，创新服务方式，优化服务流程，重点围绕“三亮三创”推进。"),
    (3, "总结完善", D(2015, 5, 21), D(2015, 6, 1),
     "依据活动中发现的问题作出整改计划并逐项整改，总结好经验、好做法，形成长效机制。"),
]
GROUP = [
    ("leader", GroupPosition.LEADER, "全面领导“三满意”活动"),
    ("leader2", GroupPosition.DEPUTY, "牵头“解基层所忧，让基层满意”"),
    ("leader3", GroupPosition.DEPUTY, "牵头“帮企业所急，让企业满意”"),
    ("leader4", GroupPosition.MEMBER, "执法窗口服务"),
    ("office", GroupPosition.MEMBER, "牵头“办群众所需，让群众满意”的组织实施"),
    ("supervisor", GroupPosition.MEMBER, "督查考核"),
    ("party", GroupPosition.OFFICE_DIRECTOR, "领导小组办公室日常事务"),
]


@transaction.atomic
def build(context: dict) -> list[str]:
    campaign, _ = Campaign.objects.update_or_create(
        code="sanmanyi-2015",
        defaults={
            "name": "争创“三满意”机关活动",
            "motto": "办群众所需，让群众满意；解基层所忧，让基层满意；帮企业所急，让企业满意",
            "starts_on": D(2015, 1, 28),
            "ends_on": D(2015, 12, 31),  # the working year: the duties are "每年" (docs/campaign.md)
            "office_unit": Unit.objects.get(code="party"),
            "description": "根据《市委市级机关工委关于开展争创“三满意”机关活动的通知》制定；"
                           "参加对象为局属各单位、处室。",
        },
    )
    for order, name, starts, ends, description in PHASES:
        Phase.objects.update_or_create(
            campaign=campaign, order=order,
            defaults={"name": name, "starts_on": starts, "ends_on": ends,
                      "description": description},
        )
    users = get_user_model().objects.in_bulk([username for username, *_ in GROUP],
                                             field_name="username")
    for username, position, responsibility in GROUP:
        LeadingGroupMember.objects.update_or_create(
            campaign=campaign, user=users[username],
            defaults={"position": position, "responsibility": responsibility},
        )
    return [f"创建活动 1 项（{len(PHASES)} 个阶段，领导小组 {len(GROUP)} 人）"]
