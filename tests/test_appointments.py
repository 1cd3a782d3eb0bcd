"""Appointments: book, cancel, no double booking — also under concurrent requests."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections
from django.urls import reverse
from django.utils import timezone

from appointments import actions
from appointments.models import Booking, Slot, Window
from lib.errors import ActionError

BACKEND = "django.contrib.auth.backends.ModelBackend"


@pytest.fixture
def slot(org):
    window = Window.objects.create(code="w1", name="政务服务中心城管窗口", unit=org.unit_a,
                                   location="3号楼2楼")
    start = timezone.now() + dt.timedelta(days=1)
    return Slot.objects.create(window=window, starts_at=start,
                               ends_at=start + dt.timedelta(minutes=30), capacity=2)


@pytest.mark.django_db
def test_book_and_cancel_through_the_portal(client, slot):
    page = client.get(reverse("portal:appointments")).content.decode()
    assert "政务服务中心城管窗口" in page and "余2" in page
    response = client.post(reverse("portal:book", args=[slot.pk]),
                           {"name": "刘先生", "phone": "13812345678", "purpose": "广告审批"})
    booking = Booking.objects.get()
    assert booking.code in response.content.decode()
    assert "余1" in client.get(reverse("portal:appointments")).content.decode()
    wrong = client.post(reverse("portal:cancel_booking"), {"code": booking.code,
                                                           "phone_suffix": "0000"})
    assert "没有找到匹配的有效预约" in wrong.content.decode()
    done = client.post(reverse("portal:cancel_booking"), {"code": booking.code.lower(),
                                                          "phone_suffix": "5678"})
    assert 'data-testid="cancelled"' in done.content.decode()
    booking.refresh_from_db()
    assert booking.cancelled_at is not None


@pytest.mark.django_db
def test_a_full_slot_and_a_second_booking_by_the_same_phone_are_refused(slot):
    actions.book(slot, "甲", "13800000001")
    with pytest.raises(ActionError, match="您已预约过这个时段"):
        actions.book(slot, "甲", "13800000001")
    actions.book(slot, "乙", "13800000002")
    with pytest.raises(ActionError, match="已约满"):
        actions.book(slot, "丙", "13800000003")
    with pytest.raises(ActionError, match="11 位手机号码"):
        actions.book(slot, "丁", "12345")


@pytest.mark.django_db
def test_past_slots_cannot_be_booked(slot):
    with pytest.raises(ActionError, match="已开始或已过去"):
        actions.book(slot, "甲", "13800000001", at=slot.starts_at + dt.timedelta(minutes=1))


@pytest.mark.django_db
def test_staff_see_the_days_bookings_of_their_units(client, slot, personas):
    actions.book(slot, "刘先生", "13812345678")
    day = timezone.localtime(slot.starts_at).date().isoformat()
    client.force_login(personas.handler_a, backend=BACKEND)
    page = client.get(reverse("console:bookings"), {"date": day}).content.decode()
    assert "刘先生" in page and "13812345678" in page
    client.force_login(personas.handler_b, backend=BACKEND)
    page = client.get(reverse("console:bookings"), {"date": day}).content.decode()
    assert "刘先生" not in page


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="needs real concurrent connections (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_ten_people_racing_for_two_seats_get_two_bookings(slot):
    barrier = threading.Barrier(10)
    outcomes = []

    def run(i):
        barrier.wait()
        try:
            actions.book(Slot.objects.get(pk=slot.pk), f"用户{i}", f"1380000{i:04d}")
            outcomes.append("ok")
        except ActionError as error:
            outcomes.append(error.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict"] * 8 + ["ok"] * 2
    assert Booking.objects.filter(slot=slot, cancelled_at__isnull=True).count() == 2
