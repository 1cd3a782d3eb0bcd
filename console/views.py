"""The staff console: sign-in, the home page, and the organisation."""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Q, QuerySet
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from campaigns.queries import phase_status
from demands import queues
from demands.models import Demand
from lib.heartbeat import worker_status
from org import access
from org.models import StaffProfile, Unit, UnitKind
from org.queries import unit_tree

from .forms import LoginForm, UnitFilterForm
from .templatetags.queue_counts import COUNT_LIMIT, count_label


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


# --- the home page: what waits for this person (待办) -------------------------------------
# A queue is counted on someone's home page when they may act on what it holds (待受理: who
# receives, 待派遣: who dispatches, 待签收: who handles); the deadline queues for everybody
# who sees demands, within the scope they see.
TODO_QUEUES = (
    ("unclassified", "demand.receive"),
    ("submitted", "demand.receive"),
    ("received", "demand.dispatch"),
    ("dispatched", "demand.handle"),
    ("warning", "demand.view"),
    ("overdue", "demand.view"),
)
SUPERVISED_SHOWN = 10


def supervised(user) -> QuerySet | None:
    """我的督办 (the queue of that name), ``None`` when the person neither supervises nor
    handles demands."""
    if not (access.can_anywhere(user, "demand.supervise")
            or access.can_anywhere(user, "demand.handle")):
        return None
    return queues.queue_queryset(user, "supervised")


def _todo_item(key: str, label: str, count: int, url: str) -> dict:
    return {"key": key, "label": label, "count": count_label(count, COUNT_LIMIT),
            "empty": count == 0, "url": url}


def todo(user, now=None) -> tuple[list[dict], list[Demand] | None]:
    """The to-do counts of the person's home page, each linking to its queue, and the
    demands of 我的督办 (``None`` when that count is not theirs)."""
    keys = [key for key, capability in TODO_QUEUES if access.can_anywhere(user, capability)]
    counts = queues.queue_counts(user, keys, now, exact_limit=COUNT_LIMIT)
    list_url = reverse("console:demand_list")
    items = [_todo_item(key, queues.QUEUES[key].label, counts[key], f"{list_url}?queue={key}")
             for key in keys]
    items += project_todo(user)
    items += filing_todo(user)
    orders = supervised(user)
    if orders is None:
        return items, None
    count = orders.order_by()[: COUNT_LIMIT + 1].count()
    items.append(_todo_item("supervised", queues.QUEUES["supervised"].label, count,
                            f"{list_url}?queue=supervised"))
    shown = list(orders.select_related("current_unit").order_by("deadline", "id")
                 [:SUPERVISED_SHOWN]) if count else []
    return items, shown


def project_todo(user) -> list[dict]:
    """逾期里程碑 and 逾期承诺 (issue #11), in the person's scope, for those who carry
    projects or commitments forward or answer for them (the sweep sets the flags); 待审核留言
    (the public's comments awaiting 留言审核) for those who moderate them."""
    from projects.models import (
        CommentState,
        Commitment,
        CommitmentState,
        Milestone,
        MilestoneState,
        Project,
        PublicComment,
    )

    items = []
    if any(access.can_anywhere(user, name)
           for name in ("project.edit", "project.approve", "commitment.edit")):
        projects = access.filter_for(user, "project.view", Project.objects.all())
        count = Milestone.objects.filter(project__in=projects.values("pk"), overdue_flag=True,
                                         state=MilestoneState.PLANNED).count()
        items.append(_todo_item("milestones_overdue", "逾期里程碑", count,
                                f"{reverse('console:project_list')}?overdue=on"))
    if access.can_anywhere(user, "commitment.edit") or \
            access.can_anywhere(user, "project.approve"):
        count = access.filter_for(user, "commitment.view", Commitment.objects.filter(
            overdue_flag=True, state=CommitmentState.OPEN)).count()
        items.append(_todo_item("commitments_overdue", "逾期承诺", count,
                                f"{reverse('console:commitment_list')}?overdue=on"))
    if access.can_anywhere(user, "project.moderate"):
        count = PublicComment.objects.filter(state=CommentState.PENDING).count()
        items.append(_todo_item("comments_pending", "待审核留言", count,
                                reverse("console:comments")))
    return items


def assessment_todo(user) -> list[dict]:
    """待处理申诉: the units' objections to their scores, for those who decide them."""
    from assessment.models import Objection, ObjectionState

    if not access.can_bureau_wide(user, "objection.decide"):
        return []
    count = Objection.objects.filter(state=ObjectionState.PENDING).count()
    return [_todo_item("objections_pending", "待处理申诉", count,
                       reverse("console:objections"))]


ORDERS_SHOWN = 10


def order_todo(user, now=None) -> tuple[list[dict], dict | None]:
    """督查督办单 (issue #13): for the people who answer for a unit (its heads and
    handlers), the orders their units owe an answer to, with the list; for the supervision
    office and the Party committee, the answers awaiting their decision; for them and the
    leaders, the orders past their deadline without an answer, with the list."""
    from supervision.models import OrderState, SupervisionOrder

    now = now or timezone.now()
    url = reverse("console:orders")
    items, shown = [], None
    if access.can_anywhere(user, "order.answer"):
        awaiting = access.filter_for(user, "order.answer", SupervisionOrder.objects.awaiting())
        count = awaiting.count()
        items.append(_todo_item("orders_awaiting", "待反馈督办单", count,
                                f"{url}?state=awaiting"))
        rows = awaiting.select_related("unit").order_by("deadline", "id")[:ORDERS_SHOWN]
        shown = {"title": "督查督办单 · 待反馈", "empty": "没有待反馈的督查督办单。",
                 "rows": list(rows) if count else []}
    if access.can_anywhere(user, "order.decide"):
        count = access.filter_for(user, "order.view", SupervisionOrder.objects.filter(
            state=OrderState.ANSWERED)).count()
        items.append(_todo_item("orders_answered", "待审核反馈", count,
                                f"{url}?state=answered"))
    if access.can_anywhere(user, "order.decide") or access.can_anywhere(user, "order.issue"):
        late = access.filter_for(user, "order.view", SupervisionOrder.objects.overdue(now))
        count = late.count()
        items.append(_todo_item("orders_overdue", "逾期督办单", count, f"{url}?overdue=on"))
        rows = late.select_related("unit").order_by("deadline", "id")[:ORDERS_SHOWN]
        shown = {"title": "督查督办单 · 逾期未反馈", "empty": "没有逾期未反馈的督查督办单。",
                 "rows": list(rows) if count else []}
    if shown is not None:
        for order in shown["rows"]:
            order.late = order.is_overdue(now)
    return items, shown


def filing_todo(user) -> list[dict]:
    """逾期未报 (issue #12): the participating units' filings past due and missing in the
    campaigns running today, for those who send the reminders."""
    from campaigns import status

    if not access.can_bureau_wide(user, "plan.remind"):
        return []
    count = status.missing_count(timezone.localdate())
    return [_todo_item("filings_missing", "逾期未报", count,
                       f"{reverse('console:filings_home')}?status=missing")]


def filings_owed(user) -> list:
    """待报送材料 (issue #12): what the units the person files for still owe, late or due
    within two weeks."""
    from campaigns import status

    return status.owed(user, timezone.localdate())


def running_campaign():
    """The campaign under way today and its phases, or ``(None, [])`` between campaigns
    (the home page is for what is to be done now, not for a campaign long over)."""
    today = timezone.localdate()
    campaign = (Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today)
                .select_related("office_unit").first())
    if campaign is None:
        return None, []
    return campaign, [(phase, phase_status(phase, today)) for phase in campaign.phases.all()]


def pace_alerts(user, campaign) -> list[dict]:
    """目标进度滞后 (issue #12): the person's own targets behind pace, for a unit head
    their people's, for the office and leaders the bureau-wide count; each links to the
    targets page filtered."""
    from activities import progress

    if campaign is None or not access.can_anywhere(user, "target.view"):
        return []
    found = progress.alerts(user, timezone.localdate(), campaign)
    if found is None:
        return []
    url = f"{reverse('console:targets')}?campaign={campaign.code}&behind=1"
    items = [{"key": "mine", "label": "我的目标进度滞后", "count": found.mine,
              "url": f"{url}&mine=1"}]
    if found.people is not None:
        items.append({"key": "people", "label": "本单位进度滞后", "count": found.people,
                      "url": url})
    if found.bureau is not None:
        items.append({"key": "bureau", "label": "全局进度滞后", "count": found.bureau,
                      "url": url})
    return items


@login_required
def home(request):
    items, supervised_rows = todo(request.user)
    order_items, orders = order_todo(request.user)
    campaign, phases = running_campaign()
    staff_by_kind = Counter(
        StaffProfile.objects.filter(user__is_active=True).values_list("unit__kind", flat=True)
    )
    chart_rows = [(str(label), staff_by_kind[kind]) for kind, label in UnitKind.choices
                  if staff_by_kind.get(kind)]
    context = {
        "todo": items + order_items + assessment_todo(request.user),
        "supervised": supervised_rows,
        "orders": orders,
        "campaign": campaign,
        "phases": phases,
        "pace_alerts": pace_alerts(request.user, campaign),
        "owed": filings_owed(request.user),
        "can_record": access.can_anywhere(request.user, "activity.record"),
        "chart_rows": chart_rows,
        "chart": {"labels": [label for label, _ in chart_rows],
                  "values": [value for _, value in chart_rows]},
    }
    if access.has_role(request.user, "admin") or request.user.is_superuser:
        beat, fresh = worker_status()
        context["worker"] = {"last": beat, "ok": fresh}
    return render(request, "console/home.html", context)


@login_required
def org_tree(request):
    units = [unit for unit in unit_tree() if access.can(request.user, "org.view_unit", unit)]
    return render(request, "console/org_tree.html", {"units": units})


@login_required
def unit_detail(request, code: str):
    unit = access.get_for_user_or_404(request.user, "org.view_unit", Unit.objects.all(),
                                      code=code)
    form = UnitFilterForm(request.GET)
    staff = StaffProfile.objects.filter(unit=unit, user__is_active=True).select_related("unit")
    if form.is_valid() and form.cleaned_data["q"]:
        q = form.cleaned_data["q"]
        staff = staff.filter(Q(full_name__contains=q) | Q(post__contains=q))
    rows = [(person, access.can(request.user, "org.view_staff_private", person))
            for person in staff]
    return render(request, "console/unit_detail.html", {
        "unit": unit,
        "ancestors": unit.ancestors(),
        "children": unit.children.filter(is_active=True).order_by("sort_order"),
        "rows": rows,
        "form": form,
        "can_edit": access.can(request.user, "org.edit_unit", unit),
    })


def locked_out(request, original_response=None, credentials=None):
    """What django-axes shows once an account is locked out (HTTP 429)."""
    return render(request, "console/locked_out.html",
                  {"lockout_minutes": settings.LOGIN_LOCKOUT_MINUTES}, status=429)
