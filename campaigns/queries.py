"""Read models of campaigns."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import Campaign


def latest_campaign() -> Campaign | None:
    """The campaign running today, or else the most recent one to start."""
    today = timezone.localdate()
    running = Campaign.objects.filter(starts_on__lte=today, ends_on__gte=today).first()
    return running or Campaign.objects.filter(starts_on__lte=today).first() \
        or Campaign.objects.first()


def phase_status(phase, today: dt.date | None = None) -> str:
    today = today or timezone.localdate()
    if today < phase.starts_on:
        return "upcoming"
    if today > phase.ends_on:
        return "done"
    return "current"
