"""Read models of activity records: which records a person sees (``activity.view``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from org import access

from .models import Activity


def visible(user, queryset: QuerySet | None = None) -> QuerySet:
    """Records in the person's ``activity.view`` scope (their unit's; bureau-wide roles:
    all), the ones they recorded, and the ones naming them among ``people`` — the
    capability's ``involved`` part reaches the many-to-many, which ``org.access`` cannot."""
    queryset = Activity.objects.all() if queryset is None else queryset
    condition = access.scope_q(user, "activity.view", Activity)
    if condition is None:
        return queryset
    if not user.is_authenticated:
        return queryset.none()
    named = Activity.people.through.objects.filter(user_id=user.pk).values("activity_id")
    return queryset.filter(condition | Q(pk__in=named))
