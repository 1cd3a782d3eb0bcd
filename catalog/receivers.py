"""The catalog's signal listeners, wired in ``CatalogConfig.ready``."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from . import calendar
from .models import CalendarDay


@receiver([post_save, post_delete], sender=CalendarDay)
def calendar_day_changed(**kwargs):
    """A holiday or make-up day edited (the admin, ``sync_calendar``): every process
    rebuilds its working calendar."""
    calendar.changed()
