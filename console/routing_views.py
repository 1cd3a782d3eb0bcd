"""The routing models' page for administrators: every version of each model with its
cross-validated figures, the per-class table of the version in use, and a button that
queues a retraining. Each view: permission → validate → query or action → respond."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from insights import routing
from insights.models import RoutingModel, RoutingTarget
from insights.tasks import retrain_routing
from org import access

VERSIONS_SHOWN = 20


@login_required
def routing_admin(request):
    if not access.can_anywhere(request.user, "routing.admin"):
        raise PermissionDenied
    if request.method == "POST":
        retrain_routing.delay()
        messages.success(request, _("已加入后台训练队列。训练通常需要几分钟，"
                                    "完成后刷新本页即可看到新版本。"))
        return redirect("console:routing")
    targets = []
    for target in RoutingTarget:
        in_use = routing.current(target)
        targets.append({
            "target": target,
            "in_use": in_use,
            "refusal": None if in_use else routing.refusal(target),
            "versions": RoutingModel.objects.filter(target=target).defer("blob")
            .order_by("-version")[:VERSIONS_SHOWN],
        })
    return render(request, "console/routing.html", {"targets": targets})
