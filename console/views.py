"""The staff console: sign-in, the home page, and the organisation."""

from __future__ import annotations

from collections import Counter

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.shortcuts import render

from campaigns.queries import latest_campaign, phase_status
from lib.heartbeat import worker_status
from org import access
from org.models import StaffProfile, Unit, UnitKind
from org.queries import identity_of, unit_tree

from .forms import LoginForm, UnitFilterForm


class LoginView(auth_views.LoginView):
    template_name = "console/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@login_required
def home(request):
    identity = identity_of(request.user)
    campaign = latest_campaign()
    phases = []
    if campaign:
        phases = [(phase, phase_status(phase)) for phase in campaign.phases.all()]
    staff_by_kind = Counter(
        StaffProfile.objects.filter(user__is_active=True).values_list("unit__kind", flat=True)
    )
    chart_rows = [(str(label), staff_by_kind[kind]) for kind, label in UnitKind.choices
                  if staff_by_kind.get(kind)]
    context = {
        "identity": identity,
        "campaign": campaign,
        "phases": phases,
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
