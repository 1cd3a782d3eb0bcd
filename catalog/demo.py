"""Demo categories in the style of GB/T 30428.2 (数字化城市管理信息系统 第2部分：管理部件和
事件): first-level classes and the items the bureau handles most, with committed limits."""

from __future__ import annotations

from django.db import transaction

from org.models import Unit

from .calendar import sync_from_package
from .models import Category, LimitUnit, Urgency

H, D = LimitUnit.HOURS, LimitUnit.DAYS
N, U, C = Urgency.NORMAL, Urgency.URGENT, Urgency.CRITICAL

# (code, name, [(code, name, limit, unit, warning hours, urgency, default unit code)])
CATEGORIES = [
    ("shirong-huanjing", "市容环境", [
        ("baolu-laji", "暴露垃圾", 4, H, 1, U, "huanwei"),
        ("daolu-baojie", "道路不洁", 8, H, 2, N, "huanwei"),
        ("laji-qingyun", "垃圾清运不及时", 1, D, 3, N, "huanwei"),
        ("gongce-guanli", "公厕管理", 2, D, 4, N, "huanwei"),
    ]),
    ("xuanchuan-guanggao", "宣传广告", [
        ("weigui-guanggao", "违规户外广告", 5, D, 8, N, "shirong"),
        ("xiaoguanggao", "乱张贴小广告", 2, D, 4, N, "shirong"),
        ("dianzhao-sunhuai", "店招标牌破损", 3, D, 4, U, "shirong"),
    ]),
    ("shigong-guanli", "施工管理", [
        ("zhatu-saluo", "渣土撒漏", 4, H, 1, U, "zhifa"),
        ("shigong-raomin", "夜间施工扰民", 1, D, 2, U, "zhifa"),
        ("weifa-jianshe", "违法建设", 10, D, 16, N, "zhifa"),
    ]),
    ("jiemian-zhixu", "街面秩序", [
        ("zhandao-jingying", "占道经营", 1, D, 3, N, "sucheng"),
        ("canyin-youyan", "餐饮油烟", 5, D, 8, N, "zhifa"),
        ("zaosheng-raomin", "噪声扰民", 2, D, 4, N, "zhifa"),
        ("luan-duifang", "乱堆物料", 2, D, 4, N, "shirong"),
    ]),
    ("tufa-shijian", "突发事件", [
        ("daolu-jishui", "道路积水", 2, H, 1, C, "shizheng"),
        ("shu-daota", "树木倒伏", 2, H, 1, C, "yuanlin"),
    ]),
    ("gongyong-sheshi", "公用设施", [
        ("jinggai-queshi", "井盖缺失", 2, H, 1, C, "shizheng"),
        ("ludeng-buliang", "路灯不亮", 3, D, 4, N, "ludeng"),
        ("paishui-duse", "排水设施堵塞", 1, D, 3, U, "shizheng"),
    ]),
    ("daolu-jiaotong", "道路交通", [
        ("lumian-posun", "道路破损", 5, D, 8, N, "shizheng"),
        ("renxingdao-sunhuai", "人行道板松动", 5, D, 8, N, "shizheng"),
    ]),
    ("yuanlin-lvhua", "园林绿化", [
        ("lvdi-sunhuai", "绿地破坏", 3, D, 4, N, "yuanlin"),
        ("shumu-xiujian", "树木遮挡需修剪", 5, D, 8, N, "yuanlin"),
    ]),
]


@transaction.atomic
def build(context: dict) -> list[str]:
    added_days = sync_from_package()
    units = {unit.code: unit for unit in Unit.objects.all()}
    count = 0
    for order, (code, name, items) in enumerate(CATEGORIES):
        top, _ = Category.objects.update_or_create(
            code=code, defaults={"name": name, "parent": None, "sort_order": order,
                                 "time_limit": 5, "time_limit_unit": D, "warning_hours": 8,
                                 "urgency": N, "default_unit": None, "is_active": True})
        for sub_order, (sub_code, sub_name, limit, unit, warning, urgency, owner) in \
                enumerate(items):
            Category.objects.update_or_create(
                code=sub_code,
                defaults={"name": sub_name, "parent": top, "sort_order": sub_order,
                          "time_limit": limit, "time_limit_unit": unit,
                          "warning_hours": warning, "urgency": urgency,
                          "default_unit": units[owner], "is_active": True})
            count += 1
    context["categories"] = {c.code: c for c in Category.objects.filter(parent__isnull=False)}
    note = f"，工作日历补充 {added_days} 天" if added_days else ""
    return [f"诉求类别 {len(CATEGORIES)} 大类 {count} 小类{note}"]
