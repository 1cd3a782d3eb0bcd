"""Notify staff. Inbox rows are written in the caller's transaction; the other senders
run after it commits, so a rolled-back action notifies nobody."""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import Notification


def _senders():
    return [import_string(path)() for path in settings.NOTIFICATION_SENDERS]


def notify(recipients: Iterable, kind: str, title: str, body: str = "", link: str = "",
           dedupe_key: str = "", at=None, renew: bool = False) -> list[Notification]:
    """Create one notification per distinct active recipient. With a ``dedupe_key``, a
    recipient who already has that key is skipped (safe when two workers race) — or, with
    ``renew``, that notification is brought back as new (unread, this time, this text):
    one item per matter in the inbox however often it recurs (a demand dispatched to the
    same unit again after a return)."""
    at = at or timezone.now()
    created = []
    seen = set()
    for user in recipients:
        if user is None or user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        if dedupe_key and renew:
            renewed = Notification.objects.filter(recipient=user, dedupe_key=dedupe_key) \
                .update(kind=kind, title=title[:120], body=body, link=link, created_at=at,
                        read_at=None)
            if renewed:
                created.extend(Notification.objects.filter(recipient=user,
                                                           dedupe_key=dedupe_key))
                continue
        elif dedupe_key and Notification.objects.filter(recipient=user,
                                                        dedupe_key=dedupe_key).exists():
            continue
        try:
            with transaction.atomic():
                created.append(Notification.objects.create(
                    recipient=user, kind=kind, title=title[:120], body=body, link=link,
                    dedupe_key=dedupe_key, created_at=at))
        except IntegrityError:  # another worker wrote the same key first
            continue
    if created:
        senders = _senders()
        if senders:
            def deliver():
                for notification in created:
                    for sender in senders:
                        sender.send(notification)
            transaction.on_commit(deliver)
    return created


def mark_read(user, notification_ids=None, at=None) -> int:
    rows = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        rows = rows.filter(pk__in=notification_ids)
    return rows.update(read_at=at or timezone.now())
