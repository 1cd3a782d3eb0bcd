"""三亮 board and away-from-post notices."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from lib.errors import ActionError
from org import actions
from org.models import StaffProfile

pytestmark = pytest.mark.django_db
BACKEND = "django.contrib.auth.backends.ModelBackend"


def profile(user):
    return StaffProfile.objects.get(user=user)


def test_staff_post_their_own_notice_and_heads_post_for_their_staff(personas):
    soon = timezone.now() + dt.timedelta(hours=2)
    notice = actions.post_away(personas.handler_a, profile(personas.handler_a), "现场处置",
                               soon, covered_by=profile(personas.head_a))
    assert notice.covered_by == profile(personas.head_a)
    actions.post_away(personas.head_a, profile(personas.handler_a), "参加培训", soon)
    notice.refresh_from_db()
    assert notice.ended_at is not None  # the newer notice replaces it
    with pytest.raises(ActionError) as error:
        actions.post_away(personas.handler_b, profile(personas.handler_a), "代发", soon)
    assert error.value.code == "forbidden"


@pytest.mark.parametrize(("destination", "hours", "message"), [
    ("", 2, "请填写去向"), ("现场", -1, "必须晚于现在"), ("出差", 24 * 15, "最长 14 天"),
])
def test_bad_notices_are_refused(personas, destination, hours, message):
    with pytest.raises(ActionError, match=message):
        actions.post_away(personas.handler_a, profile(personas.handler_a), destination,
                          timezone.now() + dt.timedelta(hours=hours))


def test_the_public_board_shows_cards_and_live_notices_without_private_data(client, org,
                                                                            personas):
    org.unit_a.commitments = "按时办结答复"
    org.unit_a.save()
    url = reverse("portal:board_unit", args=[org.unit_a.code])
    page = client.get(url).content.decode()
    assert "张承办" in page and "王处长" in page and "当前全员在岗" in page
    assert "按时办结答复" in page
    assert "13800000000" not in page  # staff mobiles are private
    notice = actions.post_away(personas.handler_a, profile(personas.handler_a), "现场处置",
                               timezone.now() + dt.timedelta(hours=2),
                               covered_by=profile(personas.head_a))
    page = client.get(url).content.decode()
    assert "因现场处置离岗" in page and "由 王处长 代岗" in page
    actions.end_away(personas.handler_a, notice)
    assert "当前全员在岗" in client.get(url).content.decode()


def test_an_expired_notice_disappears_by_itself(client, org, personas, time_machine):
    time_machine.move_to(timezone.now())
    actions.post_away(personas.handler_a, profile(personas.handler_a), "开会",
                      timezone.now() + dt.timedelta(minutes=30))
    time_machine.shift(dt.timedelta(minutes=31))
    page = client.get(reverse("portal:board_unit", args=[org.unit_a.code])).content.decode()
    assert "因开会离岗" not in page


def test_the_console_page_posts_and_ends_a_notice(client, org, personas):
    client.force_login(personas.handler_a, backend=BACKEND)
    until = (timezone.localtime() + dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(reverse("console:away"), {
        "staff": profile(personas.handler_a).pk, "destination": "现场核查", "until": until})
    assert response.status_code == 302
    page = client.get(reverse("console:away")).content.decode()
    assert "现场核查" in page
    other = client.post(reverse("console:away"), {
        "staff": profile(personas.handler_b).pk, "destination": "x", "until": until})
    assert other.status_code == 400  # not a choice for this user
