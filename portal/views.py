"""The public portal. No account is needed; nothing here shows private data."""

from django.shortcuts import render

from campaigns.queries import latest_campaign, phase_status
from org.models import Unit, UnitKind

PUBLIC_UNIT_KINDS = (UnitKind.SUBORDINATE, UnitKind.DISTRICT)


def home(request):
    campaign = latest_campaign()
    return render(request, "portal/home.html", {
        "campaign": campaign,
        "phases": [(p, phase_status(p)) for p in campaign.phases.all()] if campaign else [],
        "service_units": Unit.objects.filter(kind__in=PUBLIC_UNIT_KINDS, is_active=True)
        .order_by("sort_order"),
        "bureau": Unit.objects.filter(parent__isnull=True).first(),
    })
