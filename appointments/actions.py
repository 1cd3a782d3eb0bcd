"""Booking and cancelling. The slot row is locked while seats are counted, so two people
taking the last seat at the same moment cannot both get it."""

from __future__ import annotations

import re
import secrets

from django.db import IntegrityError, transaction
from django.utils import timezone

from lib.errors import ActionError
from lib.privacy import phone_suffix_matches

from .models import Booking, Slot

CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
PHONE_RE = re.compile(r"^1\d{10}$")


def seats_left(slot: Slot) -> int:
    return slot.capacity - slot.bookings.filter(cancelled_at__isnull=True).count()


@transaction.atomic
def book(slot: Slot, name: str, phone: str, purpose: str = "", at=None) -> Booking:
    at = at or timezone.now()
    name, phone = (name or "").strip(), (phone or "").strip()
    if not name:
        raise ActionError("invalid", "请填写姓名。", "name")
    if not PHONE_RE.match(phone):
        raise ActionError("invalid", "请填写 11 位手机号码。", "phone")
    slot = Slot.objects.select_for_update().get(pk=slot.pk)
    if slot.starts_at <= at:
        raise ActionError("wrong_state", "该时段已开始或已过去，请选择其他时段。")
    if not slot.window.is_active:
        raise ActionError("wrong_state", "该窗口暂停预约。")
    if seats_left(slot) <= 0:
        raise ActionError("conflict", "该时段已约满，请选择其他时段。")
    for _attempt in range(5):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        try:
            with transaction.atomic():
                return Booking.objects.create(slot=slot, name=name[:50], phone=phone,
                                              purpose=(purpose or "").strip()[:100],
                                              code=code, created_at=at)
        except IntegrityError:
            if Booking.objects.filter(slot=slot, phone=phone,
                                      cancelled_at__isnull=True).exists():
                raise ActionError("conflict", "您已预约过这个时段。") from None
    raise ActionError("conflict", "预约失败，请重试。")


@transaction.atomic
def cancel(code: str, phone_suffix: str, at=None) -> Booking:
    """Cancel with the code and the phone's last four digits; a wrong pair says only that."""
    at = at or timezone.now()
    booking = Booking.objects.select_for_update().filter(
        code=(code or "").strip().upper(), cancelled_at__isnull=True).first()
    if booking is None or not phone_suffix_matches(booking.phone, phone_suffix):
        raise ActionError("not_found", "没有找到匹配的有效预约，请核对取消码和手机号后四位。")
    booking.cancelled_at = at
    booking.save(update_fields=["cancelled_at"])
    return booking
