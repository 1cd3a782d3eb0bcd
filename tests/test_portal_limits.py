"""Rate limits on the portal (issue #9 items 6 and 8): failed guesses counted per tracking
number, evaluation link and booking code — whoever guesses, from however many addresses —
and submissions limited per phone and per device before the (much higher) per-IP limit."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from appointments.models import Booking, Slot, Window
from demands.models import Demand
from portal import limits

from .demand_helpers import handling
from .test_portal import form

pytestmark = pytest.mark.django_db
GUESSES = limits.FAILED_GUESSES_PER_DAY


@pytest.fixture(autouse=True)
def _one_moment(time_machine):
    # the windows are fixed days and hours: keep every request in the same one
    time_machine.move_to("2026-11-24 10:00 +0800", tick=False)


def from_ip(number: int) -> Client:
    """A browser at its own address: a distributed guesser has many."""
    return Client(REMOTE_ADDR=f"10.0.{number // 250}.{number % 250 + 1}")


def body(response) -> str:
    return re.sub(r"[A-Za-z0-9]{64}", "CSRF", response.content.decode())


@pytest.fixture
def demand(org, personas, categories):
    return handling(personas, org, categories.litter, requester_phone="13905271234")


def track(client, number, suffix):
    return client.post(reverse("portal:track"), {"number": number, "phone_suffix": suffix})


def test_wrong_suffixes_lock_a_tracking_number_from_any_address(demand):
    for guess in range(GUESSES):
        response = track(from_ip(guess), demand.number, f"{guess:04d}")
        assert response.status_code == 200 and "没有找到匹配的诉求" in body(response)
    locked = track(from_ip(99), demand.number, "1234")  # even the right suffix, now
    assert locked.status_code == 429
    assert "该诉求编号今日查询失败次数过多" in body(locked)
    # an unknown number reads the same after the same count: the lock tells nothing
    for guess in range(GUESSES):
        track(from_ip(guess), "991231-ZZZZZZ", f"{guess:04d}")
    unknown = track(from_ip(99), "991231-zzzzzz", "1234")
    assert unknown.status_code == 429 and body(unknown) == body(locked)
    # other numbers are not affected
    other = track(from_ip(99), "991231-YYYYYY", "1234")
    assert other.status_code == 200


def test_the_lock_lasts_the_day(demand, time_machine):
    for guess in range(GUESSES):
        track(from_ip(guess), demand.number, "0000")
    assert track(from_ip(99), demand.number, "1234").status_code == 429
    time_machine.shift(dt.timedelta(days=1))
    page = track(from_ip(99), demand.number, "1234")
    assert page.status_code == 200 and 'data-testid="public-timeline"' in body(page)


def test_wrong_phones_lock_evaluation_by_phone(demand, org, personas):
    from demands.actions import replies

    replies.reply(personas.handler_a, demand, "已清运。")
    url = reverse("portal:evaluate_by_phone")
    for guess in range(GUESSES):
        wrong = from_ip(guess).post(url, {"number": demand.number,
                                          "phone": f"1390527{guess:04d}", "level": "5"})
        assert "没有找到匹配的诉求" in body(wrong)
    right = from_ip(99).post(url, {"number": demand.number, "phone": "13905271234",
                                   "level": "5"})
    assert right.status_code == 429 and "该诉求编号今日查询失败次数过多" in body(right)
    assert Demand.objects.get(pk=demand.pk).evaluation_level is None


def test_unknown_evaluation_links_are_limited_per_link_and_per_address(db):
    for guess in range(GUESSES):
        assert from_ip(guess).get("/e/guessed-token/").status_code == 404
    assert from_ip(99).get("/e/guessed-token/").status_code == 429
    client = from_ip(100)
    for guess in range(limits.LINK_FAILURES_PER_IP_HOUR):
        assert client.get(f"/e/token-{guess}/").status_code == 404
    refused = client.get("/e/token-new/")
    assert refused.status_code == 429 and "该评价链接今日尝试次数过多" in body(refused)
    assert from_ip(101).get("/e/token-new/").status_code == 404  # another address


def test_wrong_suffixes_lock_a_booking_code(org):
    window = Window.objects.create(code="w1", name="城管窗口", unit=org.unit_a)
    start = timezone.now() + dt.timedelta(days=1)
    slot = Slot.objects.create(window=window, starts_at=start,
                               ends_at=start + dt.timedelta(minutes=30), capacity=2)
    booking = Booking.objects.create(slot=slot, name="刘先生", phone="13812345678",
                                     code="ABC234", created_at=timezone.now())
    url = reverse("portal:cancel_booking")
    for guess in range(GUESSES):
        wrong = from_ip(guess).post(url, {"code": "abc234", "phone_suffix": f"{guess:04d}"})
        assert "没有找到匹配的有效预约" in body(wrong)
    locked = from_ip(99).post(url, {"code": "ABC234", "phone_suffix": "5678"})
    assert locked.status_code == 429 and "该取消码今日尝试次数过多" in body(locked)
    booking.refresh_from_db()
    assert booking.cancelled_at is None


def submit(client, phone):
    return client.post(reverse("portal:submit"), form(requester_phone=phone))


def test_many_residents_behind_one_address_may_all_submit(org, categories):
    # a community service desk or a carrier NAT: one address, many people and devices
    for person in range(25):
        assert submit(Client(), f"1390000{person:04d}").status_code == 302
    assert Demand.objects.count() == 25


def test_one_device_is_limited_per_day(org, categories):
    client = Client()
    assert client.get(reverse("portal:submit")).cookies[limits.DEVICE_COOKIE]["httponly"]
    for person in range(limits.SUBMIT_PER_DEVICE_DAY):
        assert submit(client, f"1390000{person:04d}").status_code == 302
    refused = submit(client, "13911112222")
    assert refused.status_code == 429 and "提交过于频繁" in body(refused)
    # a forged cookie is a new device, not a way round the limit of another
    forged = Client()
    forged.cookies[limits.DEVICE_COOKIE] = "forged"
    assert submit(forged, "13911112222").status_code == 302
    assert Demand.objects.count() == limits.SUBMIT_PER_DEVICE_DAY + 1


def test_one_phone_is_limited_across_devices_and_spellings(org, categories):
    spellings = ["13905271234", "139-0527-1234", "+86 139 0527 1234"]
    for attempt in range(limits.SUBMIT_PER_PHONE_DAY):
        assert submit(Client(), spellings[attempt % 3]).status_code == 302
    assert submit(Client(), "139 0527 1234").status_code == 429


def test_the_address_limit_is_the_outer_one(org, categories, monkeypatch):
    monkeypatch.setattr(limits, "SUBMIT_PER_IP_HOUR", 3)
    for person in range(3):
        assert submit(Client(), f"1390000{person:04d}").status_code == 302
    assert submit(Client(), "13911112222").status_code == 429
    assert submit(from_ip(7), "13911112222").status_code == 302
