from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext_lazy as _

from org.queries import identity_of

# The console's navigation: top items and dropdown groups. Each item is
# (label, URL name, the capability flag of ``console_can`` it needs or None for everybody,
# the URL names of the pages it is the current item for). A group is (label, key, items);
# it is shown when at least one of its items is, and is current when one of them is.
NAV = (
    (_("首页"), "home", None, ("home",)),
    (_("诉求办理"), "demand_list", "demands", ("demand_list", "demand_detail")),
    (_("受理登记"), "demand_register", "register", ("demand_register",)),
    (_("受理工具"), "intake", (
        (_("一次性告知"), "notices", "register", ("notices", "notice_detail")),
        (_("批量导入"), "imports", "imports", ("imports", "import_detail")),
    )),
    (_("智能分析"), "insights", (
        (_("疑似重复"), "duplicates", "duplicates", ("duplicates",)),
        (_("热点分析"), "hotspots", "hotspots", ("hotspots",)),
        (_("智能分派"), "routing", "routing", ("routing",)),
        (_("地名库"), "places", "places", ("places", "place_add", "place_edit")),
    )),
    (_("实事项目"), "project_list", "projects", ("project_list", "project", "project_create",
                                              "project_edit", "project_print")),
    (_("承诺"), "commitment_list", "commitments", ("commitment_list", "commitment",
                                                 "commitment_create")),
    (_("留言审核"), "comments", "moderate", ("comments",)),
    (_("创建活动"), "campaign", (
        (_("活动与阶段"), "campaigns", "campaign", (
            "campaigns", "campaign", "campaign_create", "campaign_edit", "campaign_copy",
            "phase_create", "phase_edit", "requirement_create", "requirement_edit")),
        (_("材料报送"), "filings_home", "filings", ("filing_board", "filing", "filing_history")),
        (_("活动日历"), "campaign_calendar", "campaign", ("campaign_calendar",)),
        (_("活动记录"), "activities", "activities", ("activities", "activity_create", "activity",
                                                  "activity_edit")),
        (_("目标任务"), "targets", "targets", ("targets", "target_create", "target_edit")),
        (_("挂钩企业"), "enterprises", "enterprises", (
            "enterprises", "enterprise", "pairing_create", "pairing_edit", "goal_add",
            "goal_complete", "secondment_create", "secondment_edit")),
    )),
    (_("数据看板"), "boards", (
        (_("满意度看板"), "dashboard", "dashboard", ("dashboard",)),
        (_("指挥大屏"), "command", "dashboard", ("command",)),
    )),
    (_("督查考核"), "oversight", (
        (_("督查督办"), "orders", "orders", ("orders", "order", "order_issue")),
        (_("考核结果"), "assessments", "assessment", (
            "assessments", "assessment", "assessment_create", "assessment_adjustments",
            "assessment_score")),
        (_("考核方案"), "assessment_schemes", "assessment_manage", (
            "assessment_schemes", "assessment_scheme_create", "assessment_scheme_edit")),
        (_("考核申诉"), "objections", "objections", ("objections",)),
        (_("通报"), "bulletins", "bulletins", (
            "bulletins", "bulletin_create", "bulletin", "bulletin_templates")),
    )),
    (_("更多"), "more", (
        (_("组织机构"), "org_tree", None, ("org_tree", "unit_detail")),
        (_("离岗告示"), "away", None, ("away",)),
        (_("预约"), "bookings", None, ("bookings",)),
        (_("管理后台"), "admin:index", "staff", ()),
    )),
)


def navigation(current: str | None, can: dict) -> list[dict]:
    """The entries of the top bar this user may use, with the current one marked.
    A top item: ``{"label", "url", "active", "aria_current"}``; a group has ``"label"``,
    ``"key"``, ``"active"`` and ``"menu"`` (its items, shaped as top items; not ``"items"``,
    which a template would take for ``dict.items``) and is left out when its menu is empty."""

    def item(label, name, flag, pages):
        if flag is not None and not can.get(flag):
            return None
        url = reverse(name if ":" in name else f"console:{name}")
        # aria-current: "page" on the link's own page, "true" on pages below it
        aria = ("page" if current == name else "true") if current in pages else ""
        return {"label": label, "url": url, "active": bool(aria), "aria_current": aria}

    entries = []
    for entry in NAV:
        if len(entry) == 4:
            top = item(*entry)
            if top:
                entries.append(top)
            continue
        label, key, members = entry
        items = [shown for shown in (item(*member) for member in members) if shown]
        if items:
            entries.append({"label": label, "key": key, "menu": items,
                            "active": any(shown["active"] for shown in items)})
    return entries


def identity(request):
    """``console_identity``: who is signed in (name, unit, roles), fetched only if used;
    ``console_can``: which parts of the console the user may use; ``console_nav``: the
    top bar's entries built from it."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from inbox.models import Notification
    from org import access

    can = SimpleLazyObject(lambda: {
        "demands": access.can_anywhere(user, "demand.view"),
        "register": access.can_anywhere(user, "demand.receive"),
        "imports": access.can_anywhere(user, "import.run"),
        "dashboard": access.can_anywhere(user, "demand.kpi"),
        "routing": access.can_anywhere(user, "routing.admin"),
        "hotspots": access.can_anywhere(user, "hotspot.view"),
        "places": access.can_anywhere(user, "place.edit"),
        "duplicates": access.can_anywhere(user, "demand.dispatch"),
        "projects": access.can_anywhere(user, "project.view"),
        "commitments": access.can_anywhere(user, "commitment.view"),
        "moderate": access.can_anywhere(user, "project.moderate"),
        "campaign": access.can_anywhere(user, "campaign.view"),
        "filings": access.can_anywhere(user, "plan.view"),
        "activities": access.can_anywhere(user, "activity.record"),
        "targets": access.can_anywhere(user, "target.view"),
        # the pairing's roles, or a cadre of a pairing in reach
        "enterprises": access.can_anywhere(user, "pairing.view"),
        "orders": access.can_anywhere(user, "order.view"),
        "bulletins": access.can_anywhere(user, "bulletin.view"),
        "assessment": access.can_anywhere(user, "assessment.view"),
        "assessment_manage": access.can_bureau_wide(user, "assessment.manage"),
        "objections": access.can_anywhere(user, "objection.file")
        or access.can_bureau_wide(user, "objection.decide")
        or access.can_bureau_wide(user, "assessment.manage"),
        "staff": user.is_staff,
    })
    match = getattr(request, "resolver_match", None)
    current = match.url_name if match and match.namespace == "console" else None
    return {
        "console_identity": SimpleLazyObject(lambda: identity_of(user)),
        "console_unread": SimpleLazyObject(
            lambda: Notification.objects.filter(recipient=user, read_at__isnull=True).count()),
        "console_can": can,
        "console_nav": SimpleLazyObject(lambda: navigation(current, can)),
    }
