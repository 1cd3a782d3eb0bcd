"""The demo city's organisation: the Suqian City Urban Management Bureau.

Deterministic and idempotent: every row is found by its natural key (unit code, user
name, badge number) and brought to the values below; running it again changes nothing.
Names of people are invented; unit names follow the bureau's real structure.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from .models import Role, RoleAssignment, StaffProfile, Unit, UnitKind

# Printed by `make run` for the demo city only; every demo account should change it.
DEMO_PASSWORD = "Sanmanyi@2015"  # noqa: S105

# (code, name, short name, kind, parent code, phone, duties)
UNITS = [
    ("bureau", "宿迁市城市管理局", "市城管局", UnitKind.BUREAU, None, "0527-84368001",
     "负责全市城市管理工作的统筹、指导、监督和考核。"),
    ("office", "办公室", "办公室", UnitKind.OFFICE, "bureau", "0527-84368002",
     "负责机关日常运转、文电会务、信息宣传，牵头“三满意”活动中为群众、企业办实事。"),
    ("party", "机关党委", "机关党委", UnitKind.OFFICE, "bureau", "0527-84368003",
     "负责机关党建、党员教育和志愿服务；“三满意”活动领导小组办公室设在机关党委。"),
    ("supervision", "督查室", "督查室", UnitKind.OFFICE, "bureau", "0527-84368004",
     "负责重点工作和诉求办理的督查督办、考核通报。"),
    ("legal", "政策法规处", "法规处", UnitKind.OFFICE, "bureau", "0527-84368005",
     "负责规范性文件审查、行政复议应诉和执法监督。"),
    ("utilities", "市政公用处", "市政公用处", UnitKind.OFFICE, "bureau", "0527-84368006",
     "负责市政设施、公用事业的行业管理。"),
    ("sanitation-office", "市容环卫处", "市容环卫处", UnitKind.OFFICE, "bureau", "0527-84368007",
     "负责市容环境卫生的行业管理和考核。"),
    ("finance", "计划财务处", "计财处", UnitKind.OFFICE, "bureau", "0527-84368008",
     "负责预算、财务和国有资产管理。"),
    ("shirong", "宿迁市市容管理所", "市容所", UnitKind.SUBORDINATE, "bureau", "0527-84368101",
     "负责户外广告、店招标牌、占道经营等市容秩序管理。"),
    ("huanwei", "宿迁市环境卫生管理处", "环卫处", UnitKind.SUBORDINATE, "bureau",
     "0527-84368102", "负责道路清扫保洁、垃圾收运处置和公厕管理。"),
    ("shizheng", "宿迁市市政设施管理处", "市政设施处", UnitKind.SUBORDINATE, "bureau",
     "0527-84368103", "负责城市道路、桥梁、排水设施和井盖的养护维修。"),
    ("yuanlin", "宿迁市园林绿化管理处", "园林处", UnitKind.SUBORDINATE, "bureau",
     "0527-84368104", "负责公园绿地、行道树和绿化设施的养护管理。"),
    ("ludeng", "宿迁市路灯管理所", "路灯所", UnitKind.SUBORDINATE, "bureau", "0527-84368105",
     "负责城市道路照明和景观亮化设施的运行维护。"),
    ("zhifa", "宿迁市城市管理行政执法支队", "执法支队", UnitKind.SUBORDINATE, "bureau",
     "0527-84368106", "负责城市管理领域的行政执法、违法建设查处和渣土运输监管。"),
    ("digital", "宿迁市数字化城市管理指挥中心", "数字城管中心", UnitKind.SUBORDINATE, "bureau",
     "0527-12319", "负责12319城管热线、12345工单受理和数字城管案件派遣、核查、结案。"),
    ("sucheng", "宿城区分局", "宿城分局", UnitKind.DISTRICT, "bureau", "0527-84368201",
     "负责宿城区范围内的城市管理和执法工作。"),
    ("suyu", "宿豫区分局", "宿豫分局", UnitKind.DISTRICT, "bureau", "0527-84368202",
     "负责宿豫区范围内的城市管理和执法工作。"),
    ("kaifaqu", "经济技术开发区分局", "开发区分局", UnitKind.DISTRICT, "bureau", "0527-84368203",
     "负责宿迁经济技术开发区范围内的城市管理和执法工作。"),
    ("hubin", "湖滨新区分局", "湖滨分局", UnitKind.DISTRICT, "bureau", "0527-84368204",
     "负责湖滨新区范围内的城市管理和执法工作。"),
    ("branch-jiguan1", "机关第一党支部", "机关一支部", UnitKind.BRANCH, "party", "", ""),
    ("branch-jiguan2", "机关第二党支部", "机关二支部", UnitKind.BRANCH, "party", "", ""),
    ("branch-zhifa", "执法支队党支部", "执法支部", UnitKind.BRANCH, "party", "", ""),
    ("branch-huanwei", "环卫处党支部", "环卫支部", UnitKind.BRANCH, "party", "", ""),
    ("branch-shizheng", "市政设施管理处党支部", "市政支部", UnitKind.BRANCH, "party", "", ""),
]


PUBLIC_KINDS = (UnitKind.SUBORDINATE, UnitKind.DISTRICT)
STANDARDS = "\n".join([
    "着装规范，挂牌上岗，文明用语，首问负责。",
    "一次性告知办事所需全部材料，不让群众跑第二趟。",
    "来电来访当场登记，工作时间内受理派遣。",
])
COMMITMENTS = "\n".join([
    "按承诺时限办结答复，节假日顺延，超期主动说明。",
    "对不满意的诉求整改到位并再次答复。",
    "不推诿、不拖延、不吃拿卡要。",
])


@dataclass(frozen=True)
class Person:
    username: str
    full_name: str
    unit: str
    post: str
    roles: tuple[tuple[str, str | None], ...]  # (role, scope unit code or None for 全局)
    duties: str = ""
    listed: bool = False  # printed as a demo login by `make run`


P = Person
PEOPLE = [
    P("leader", "周建国", "bureau", "党组书记、局长", (("leader", None),),
      "主持局党组和行政全面工作，任“三满意”活动领导小组组长。", listed=True),
    P("leader2", "吴志强", "bureau", "党组成员、副局长", (("leader", None),),
      "分管机关党建、下基层挂钩帮扶和志愿服务工作。"),
    P("leader3", "孙丽华", "bureau", "党组成员、副局长", (("leader", None),),
      "分管市容环卫、市政设施和挂钩帮办企业工作。"),
    P("leader4", "郑海涛", "bureau", "党组成员、执法支队支队长", (("leader", None),),
      "分管城市管理行政执法工作。"),
    P("office", "王晓燕", "office", "办公室主任", (("office", None),),
      "负责办公室全面工作，牵头实事项目梳理和公示。", listed=True),
    P("office2", "刘洋", "office", "办公室科员", (("office", None),), "负责信息宣传和台帐汇总。"),
    P("party", "陈静", "party", "机关党委专职副书记", (("party", None),),
      "任“三满意”活动领导小组办公室主任，负责日常事务。", listed=True),
    P("supervisor", "赵明", "supervision", "督查室主任", (("supervisor", None),),
      "负责诉求办理督查督办和考核通报。", listed=True),
    P("supervisor2", "钱思远", "supervision", "督查专员", (("supervisor", None),),
      "负责日常督查和超期工单督办。"),
    P("admin", "李国栋", "digital", "系统管理员", (("admin", None),),
      "负责平台运维、账号与权限管理。", listed=True),
    P("receiver", "张敏", "digital", "受理员", (("receiver", None),),
      "负责12319、12345等渠道诉求的受理登记，落实首问负责。", listed=True),
    P("receiver2", "黄婷婷", "digital", "受理员", (("receiver", None),),
      "负责网络问政、@宿迁城管等渠道诉求的受理登记。"),
    P("dispatcher", "徐磊", "digital", "派遣员", (("dispatcher", None),),
      "负责诉求派遣、退单复核和转办协调。", listed=True),
    P("head_digital", "何立新", "digital", "中心主任", (("unit_head", "digital"),),
      "负责指挥中心全面工作。"),
    P("head_huanwei", "马卫东", "huanwei", "处长", (("unit_head", "huanwei"),),
      "负责环卫处全面工作。", listed=True),
    P("handler_huanwei", "胡晓军", "huanwei", "环卫作业科科长", (("handler", "huanwei"),),
      "负责道路保洁、垃圾清运类诉求的办理和答复。", listed=True),
    P("handler_huanwei2", "林秀英", "huanwei", "公厕管理员", (("handler", "huanwei"),),
      "负责公厕管理类诉求的办理。"),
    P("head_shizheng", "高建华", "shizheng", "处长", (("unit_head", "shizheng"),),
      "负责市政设施处全面工作。"),
    P("handler_shizheng", "罗斌", "shizheng", "养护科科长", (("handler", "shizheng"),),
      "负责道路、井盖、排水设施类诉求的办理和答复。", listed=True),
    P("head_shirong", "梁红梅", "shirong", "所长", (("unit_head", "shirong"),),
      "负责市容所全面工作。"),
    P("handler_shirong", "宋志刚", "shirong", "市容科科员", (("handler", "shirong"),),
      "负责户外广告、占道经营类诉求的办理。"),
    P("head_yuanlin", "谢文华", "yuanlin", "处长", (("unit_head", "yuanlin"),),
      "负责园林处全面工作。"),
    P("handler_yuanlin", "韩雪", "yuanlin", "养护科科员", (("handler", "yuanlin"),),
      "负责绿化养护类诉求的办理。"),
    P("head_ludeng", "唐国庆", "ludeng", "所长", (("unit_head", "ludeng"),),
      "负责路灯所全面工作。"),
    P("handler_ludeng", "冯亮", "ludeng", "运维班班长", (("handler", "ludeng"),),
      "负责路灯不亮、亮化设施故障类诉求的办理。"),
    P("head_zhifa", "董振华", "zhifa", "副支队长", (("unit_head", "zhifa"),),
      "负责执法支队日常工作。"),
    P("handler_zhifa", "萧鹏", "zhifa", "执法一大队队员", (("handler", "zhifa"),),
      "负责违法建设、渣土撒漏、噪声扰民类诉求的执法办理。"),
    P("head_sucheng", "程永刚", "sucheng", "分局局长", (("unit_head", "sucheng"),),
      "负责宿城区分局全面工作。", listed=True),
    P("handler_sucheng", "曹雨欣", "sucheng", "综合科科员", (("handler", "sucheng"),),
      "负责宿城区范围内诉求的办理。"),
    P("head_suyu", "袁伟", "suyu", "分局局长", (("unit_head", "suyu"),),
      "负责宿豫区分局全面工作。"),
    P("handler_suyu", "邓佳", "suyu", "综合科科员", (("handler", "suyu"),),
      "负责宿豫区范围内诉求的办理。"),
    P("head_kaifaqu", "许文杰", "kaifaqu", "分局局长", (("unit_head", "kaifaqu"),),
      "负责开发区分局全面工作。"),
    P("handler_kaifaqu", "傅琳", "kaifaqu", "综合科科员", (("handler", "kaifaqu"),),
      "负责开发区范围内诉求的办理。"),
    P("head_hubin", "沈浩", "hubin", "分局局长", (("unit_head", "hubin"),),
      "负责湖滨新区分局全面工作。"),
    P("handler_hubin", "曾晓", "hubin", "综合科科员", (("handler", "hubin"),),
      "负责湖滨新区范围内诉求的办理。"),
]


def build_units() -> dict[str, Unit]:
    units: dict[str, Unit] = {}
    for order, (code, name, short, kind, parent, phone, duties) in enumerate(UNITS):
        unit, _ = Unit.objects.update_or_create(
            code=code,
            defaults={"name": name, "short_name": short, "kind": kind,
                      "parent": units[parent] if parent else None, "sort_order": order,
                      "phone": phone, "duties": duties, "is_active": True,
                      "address": "" if kind == UnitKind.BRANCH else "宿迁市宿城区洪泽湖路128号",
                      "service_standards": STANDARDS if kind in PUBLIC_KINDS else "",
                      "commitments": COMMITMENTS if kind in PUBLIC_KINDS else ""},
        )
        units[code] = unit
    return units


def build_people(units: dict[str, Unit]) -> None:
    User = get_user_model()
    for number, person in enumerate(PEOPLE, start=1):
        user, created = User.objects.get_or_create(username=person.username)
        is_admin = any(role == Role.ADMIN for role, _ in person.roles)
        changed = False
        for field, value in (("first_name", person.full_name), ("is_active", True),
                             ("is_staff", is_admin), ("is_superuser", is_admin)):
            if getattr(user, field) != value:
                setattr(user, field, value)
                changed = True
        if created:
            user.set_password(DEMO_PASSWORD)  # only once: a changed password is kept
        if created or changed:
            user.save()
        StaffProfile.objects.update_or_create(
            user=user,
            defaults={"unit": units[person.unit], "full_name": person.full_name,
                      "post": person.post, "badge_number": f"SQCG{number:04d}",
                      "duties": person.duties, "public_phone": units[person.unit].phone,
                      "show_on_board": True, "mobile": f"1380527{number:04d}"},
        )
        wanted = {(role, units[code].pk if code else None) for role, code in person.roles}
        current = set(RoleAssignment.objects.filter(user=user).values_list("role", "unit_id"))
        for role, unit_id in current - wanted:
            RoleAssignment.objects.filter(user=user, role=role, unit_id=unit_id).delete()
        for role, unit_id in sorted(wanted - current, key=str):
            RoleAssignment.objects.create(user=user, role=role, unit_id=unit_id)


@transaction.atomic
def build(context: dict) -> list[str]:
    units = build_units()
    build_people(units)
    context["units"] = units
    return [f"单位 {len(units)} 个，工作人员 {len(PEOPLE)} 名"]


def demo_logins() -> list[Person]:
    return [person for person in PEOPLE if person.listed]
