"""Demo categories in the style of GB/T 30428.2 (数字化城市管理信息系统 第2部分：管理部件和
事件): first-level classes and the items the bureau handles most, with committed limits."""

from __future__ import annotations

from django.db import transaction

from org.models import Unit

from .calendar import sync_from_package
from .models import Category, LimitUnit, ServiceItem, Urgency

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
    ("bianmin-fuwu", "便民服务", [
        ("quancheng-daiban", "全程代办", 5, D, 8, N, "digital"),
    ]),
    ("yuanlin-lvhua", "园林绿化", [
        ("lvdi-sunhuai", "绿地破坏", 3, D, 4, N, "yuanlin"),
        ("shumu-xiujian", "树木遮挡需修剪", 5, D, 8, N, "yuanlin"),
    ]),
]


SERVICE_ITEMS = [
    ("hwgg", "户外广告设施设置审批", "shirong",
     "在城市道路两侧、广场、建筑物外墙等设置户外广告设施。",
     "户外广告设施设置申请表（原件1份）\n申请人营业执照或身份证明（复印件1份）\n场地使用权证明或租赁协议（复印件1份）\n设计效果图和设施结构图（1份）\n安全检测报告（大型设施提供）",
     "设置位置符合户外广告设置规划\n设施结构安全、牢固",
     "窗口受理，材料齐全的当场受理\n现场勘查\n审核决定\n送达许可决定书",
     "不收费", "《城市市容和环境卫生管理条例》第十一条\n《江苏省城市市容和环境卫生管理条例》",
     "10 个工作日", "市政务服务中心城管窗口（3号楼2楼）"),
    ("ztcz", "城市建筑垃圾（渣土）处置核准", "zhifa",
     "工程施工单位处置建筑垃圾、工程渣土。",
     "建筑垃圾处置核准申请表（原件1份）\n建设工程施工许可证（复印件1份）\n运输单位和车辆清单、密闭装置证明（1份）\n消纳场所证明（1份）",
     "运输车辆密闭，安装行驶记录仪\n有合法的消纳场所",
     "窗口受理\n审查材料和车辆\n作出核准决定",
     "不收费", "《城市建筑垃圾管理规定》（建设部令第139号）",
     "5 个工作日", "市政务服务中心城管窗口（3号楼2楼）"),
    ("wjdl", "城市道路挖掘许可", "shizheng",
     "因工程建设需要挖掘城市道路。",
     "挖掘城市道路申请表（原件1份）\n规划、建设批准文件（复印件1份）\n施工方案及交通疏导方案（1份）\n道路恢复承诺书（原件1份）",
     "有批准的建设项目\n有施工安全保障措施",
     "窗口受理\n会同公安交警现场踏勘\n作出许可决定\n施工完毕验收恢复",
     "按规定缴纳道路挖掘修复费", "《城市道路管理条例》第三十三条",
     "7 个工作日", "市政务服务中心城管窗口（3号楼2楼）"),
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
    for order, (code, name, unit, summary, materials, conditions, steps, fees, basis, limit,
                window) in enumerate(SERVICE_ITEMS):
        ServiceItem.objects.update_or_create(code=code, defaults={
            "name": name, "unit": units[unit], "summary": summary, "materials": materials,
            "conditions": conditions, "steps": steps, "fees": fees, "legal_basis": basis,
            "time_limit": limit, "window": window, "phone": units[unit].phone,
            "sort_order": order, "is_active": True})
    note = f"，工作日历补充 {added_days} 天" if added_days else ""
    return [f"诉求类别 {len(CATEGORIES)} 大类 {count} 小类{note}，办事指南 {len(SERVICE_ITEMS)} 项"]
