"""The day's bookings for the windows a staff member may see."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from appointments.models import Booking
from org import access


@login_required
def bookings(request):
    try:
        day = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        day = timezone.localdate()
    tz = timezone.get_current_timezone()
    start = dt.datetime(day.year, day.month, day.day, tzinfo=tz)
    rows = access.filter_for(request.user, "org.view_unit", Booking.objects.filter(
        slot__starts_at__gte=start, slot__starts_at__lt=start + dt.timedelta(days=1))) \
        .select_related("slot__window").order_by("slot__window__code", "slot__starts_at")
    return render(request, "console/bookings.html", {"rows": rows, "day": day,
                                                     "previous": day - dt.timedelta(days=1),
                                                     "next": day + dt.timedelta(days=1)})
