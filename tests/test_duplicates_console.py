"""The console's 疑似重复: the panel on a demand's page and the dispatchers' queue."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from demands.models import Demand, State
from insights.models import DuplicateFlag, FlagState

from .demand_helpers import registered

pytestmark = pytest.mark.django_db
BACKEND = "django.contrib.auth.backends.ModelBackend"
NEIGHBOUR = {"requester_phone": "13700001111", "requester_name": "李先生",
             "latitude": "33.964080"}  # about 120 m north
AGAIN = {"title": "小区门口垃圾还是没人清运",
         "content": "幸福路12号小区门口的垃圾已经三天没人清运了，气味很大，上次反映过。",
         "longitude": "", "latitude": ""}


@pytest.fixture
def pair(personas, categories):
    original = registered(personas, categories.litter, "2026-11-23 09:00")
    copy = registered(personas, categories.litter, "2026-11-23 10:00", **NEIGHBOUR)
    repeat = registered(personas, categories.stall, "2026-11-23 11:00",
                        **{**AGAIN, "requester_phone": "13905271234"})
    return original, copy, repeat


def test_the_detail_page_lists_the_open_flags_with_their_evidence(client, personas, pair):
    original, copy, repeat = pair
    client.force_login(personas.dispatcher, BACKEND)
    page = client.get(reverse("console:demand_detail", args=[copy.number])).content.decode()
    assert 'data-testid="duplicates"' in page
    assert reverse("console:demand_detail", args=[original.number]) in page
    assert "相似度 100%" in page and "相距约 120 米" in page
    assert "数字化城市管理指挥中心" in page  # the original's unit
    assert reverse("console:duplicate_decide", args=[copy.duplicate_flags.get().pk, "merge"]) \
        in page
    page = client.get(reverse("console:demand_detail", args=[repeat.number])).content.decode()
    assert "同一来电号码" in page and "相距约" not in page
    untouched = client.get(reverse("console:demand_detail", args=[original.number]))
    assert 'data-testid="duplicates"' not in untouched.content.decode()


def test_handlers_see_the_flags_of_their_demands_without_buttons(client, personas, pair, org):
    from demands.actions import handover

    _, copy, _ = pair
    handover.dispatch(personas.dispatcher, copy, org.unit_a)
    client.force_login(personas.handler_a, BACKEND)
    page = client.get(reverse("console:demand_detail", args=[copy.number])).content.decode()
    assert 'data-testid="duplicates"' in page and "duplicate-merge" not in page
    flag = copy.duplicate_flags.get()
    response = client.post(reverse("console:duplicate_decide", args=[flag.pk, "dismiss"]),
                           {"back": "detail"}, HTTP_HX_REQUEST="true", follow=True)
    assert response.redirect_chain == [(reverse("console:demand_detail", args=[copy.number]),
                                        302)]
    assert "您没有权限" in response.content.decode()
    assert DuplicateFlag.objects.get(pk=flag.pk).state == FlagState.OPEN


def test_merging_from_the_detail_page_with_htmx(client, personas, pair):
    original, copy, _ = pair
    client.force_login(personas.dispatcher, BACKEND)
    flag = copy.duplicate_flags.get()
    response = client.post(reverse("console:duplicate_decide", args=[flag.pk, "merge"]),
                           {"back": "detail"}, HTTP_HX_REQUEST="true", follow=True)
    # the demand's page answers; the form's hx-select swaps its panel in
    assert response.redirect_chain == [(reverse("console:demand_detail", args=[copy.number]),
                                        302)]
    page = response.content.decode()
    assert response.status_code == 200 and 'id="demand-panel"' in page
    assert "已并单" in page and 'data-testid="duplicates"' not in page
    copy.refresh_from_db()
    assert (copy.state, copy.duplicate_of) == (State.MERGED, original)


def test_the_queue_lists_open_flags_newest_first_for_dispatchers(client, personas, pair):
    _, copy, repeat = pair
    client.force_login(personas.dispatcher, BACKEND)
    response = client.get(reverse("console:duplicates"))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.index(repeat.number) < page.index(copy.number)  # newest first
    assert "待确认 2 条" in page  # the copy by place, the repeat by phone (it has no point)
    assert 'href="/console/duplicates/"' in page  # in the navigation
    flag = copy.duplicate_flags.get()
    response = client.post(reverse("console:duplicate_decide", args=[flag.pk, "dismiss"]),
                           HTTP_HX_REQUEST="true")
    row = response.content.decode()
    assert f'id="flag-{flag.pk}"' in row and "非重复" in row and "duplicate-merge" not in row
    assert not Demand.objects.get(pk=copy.pk).is_repeat
    assert f'id="flag-{flag.pk}"' not in client.get(reverse("console:duplicates")).content \
        .decode()


def test_the_queue_leaves_out_demands_triaged_elsewhere(client, personas, pair, org):
    """Merged or dispatched from the demand's own forms, a flagged demand no longer waits
    for a decision here (its flags could not be acted on)."""
    from demands.actions import handover, triage

    original, copy, repeat = pair
    triage.merge(personas.dispatcher, copy, original)
    handover.dispatch(personas.dispatcher, repeat, org.unit_a)
    client.force_login(personas.dispatcher, BACKEND)
    page = client.get(reverse("console:duplicates")).content.decode()
    assert copy.number not in page and repeat.number not in page


def test_the_queue_is_refused_to_handlers_and_not_in_their_navigation(client, personas, pair):
    for name in ("handler_a", "head_a", "receiver"):
        client.force_login(getattr(personas, name), BACKEND)
        assert client.get(reverse("console:duplicates")).status_code == 403
        assert 'href="/console/duplicates/"' not in client.get(reverse("console:home")) \
            .content.decode()


def test_the_queue_costs_the_same_queries_for_more_flags(client, personas, categories, pair):
    client.force_login(personas.dispatcher, BACKEND)
    client.get(reverse("console:duplicates"))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("console:duplicates")).status_code == 200
        return len(queries)

    before = count()
    for hour in range(12, 16):
        registered(personas, categories.litter, f"2026-11-23 {hour}:00",
                   requester_phone=f"1360000{hour:04d}")
    assert DuplicateFlag.objects.count() > 3
    assert count() == before
