"""The console's paired enterprises (issue #12, item 5): who opens which page (every new
URL), what the enterprise page shows, the forms' refusals, and a fixed number of queries
for the list and the page."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from activities.models import Activity, ActivityKind
from campaigns.models import Campaign
from demands.models import Demand
from enterprises import actions
from enterprises.models import Enterprise, Pairing, PairingGoal, Secondment
from org.models import Role

from .conftest import make_staff
from .demand_helpers import at, handling

BACKEND = "django.contrib.auth.backends.ModelBackend"
TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 7, 20, 10, 0, tzinfo=TZ)
pytestmark = pytest.mark.usefixtures("_clock")


@pytest.fixture
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def support(enterprise, unit, by, day, summary, result, people=()):
    campaign = Campaign.objects.get_or_create(
        code="c2026", defaults={"name": "2026 创建活动", "starts_on": dt.date(2026, 1, 1),
                                "ends_on": dt.date(2026, 12, 31), "office_unit": unit})[0]
    now = timezone.now()
    action = Activity.objects.create(kind=ActivityKind.SUPPORT, campaign=campaign,
                                     occurred_on=day, unit=unit, summary=summary,
                                     enterprise=enterprise, result=result, created_by=by,
                                     created_at=now, updated_at=now)
    action.people.set(people or [by])
    return action


class World:
    pass


@pytest.fixture
def world(org, personas, categories):
    w = World()
    w.org, w.p = org, personas
    w.office = make_staff("office", "吴办公", org.bureau, (Role.OFFICE, None))
    w.head_b = make_staff("head_b", "陈处长", org.unit_b, (Role.UNIT_HEAD, org.unit_b))
    w.cadre = make_staff("cadre", "刘干部", org.intake, (Role.RECEIVER, None))
    w.kosi = Enterprise.objects.create(name="科思化工", industry="化工",
                                       contact_name="许经理", contact_phone="13912345678")
    w.tuowei = Enterprise.objects.create(name="江苏托维亮化科技有限公司", industry="照明")
    w.pairing = actions.save_pairing(w.kosi, org.unit_a, 2026, [w.cadre], "每季度走访一次，"
                                     "协调解决厂区周边道路问题。", w.office)
    w.other = actions.save_pairing(w.tuowei, org.unit_b, 2026, [personas.handler_b], "",
                                   w.office)
    w.goal = actions.add_goal(w.pairing, "协调厂区道路照明", "2026-09-30", w.office)
    w.done = actions.add_goal(w.pairing, "走访企业四次", None, w.office)
    actions.complete_goal(w.done, "2026-07-10", "已走访四次，座谈纪要存档。", w.office)
    w.sent = actions.save_secondment({"cadre": w.cadre.pk, "enterprise": w.kosi,
                                      "starts_on": "2026-03-01", "duty": "驻企联络"},
                                     w.office)
    w.demand = handling(personas, org, categories.litter, when="2026-06-01 09:00",
                        requester_kind="enterprise", enterprise=w.kosi,
                        requester_org="科思化工", title="厂区门口道路破损")
    w.foreign = handling(personas, org, categories.litter, when="2026-06-02 09:00",
                         requester_kind="enterprise", enterprise=w.tuowei,
                         requester_org="托维亮化", title="厂区路灯不亮")
    w.action = support(w.kosi, org.unit_a, personas.handler_a, dt.date(2026, 6, 15),
                       "协调供电部门接入厂区路灯", "路灯 12 盏已通电")
    return w


def get(client, user, name, *args, data=None):
    client.force_login(user, backend=BACKEND)
    return client.get(reverse(f"console:{name}", args=args), data or {})


# --- who opens what -----------------------------------------------------------------------
# (persona, the enterprise page of 科思化工, its forms: pairing edit/create and secondments,
#  its goals' forms)
MATRIX = [
    ("office", 200, 200, 200),      # pairing.manage: everything
    ("leader", 200, 200, 200),
    ("head_a", 200, 404, 200),      # the paired unit's head: sees, edits goals
    ("handler_a", 200, 404, 404),   # the paired unit: sees
    ("cadre", 200, 404, 404),       # the pairing's cadre (a receiver): sees
    ("supervisor", 200, 404, 404),  # bureau-wide view
    ("handler_b", 404, 404, 404),   # another unit, a cadre of another enterprise
    ("head_b", 404, 404, 404),
    ("dispatcher", 404, 404, 404),  # no pairing role, no pairing
]


def persona(world, name):
    return getattr(world, name, None) or getattr(world.p, name)


@pytest.mark.parametrize(("name", "page", "manage", "goals"), MATRIX)
def test_the_permission_matrix_of_every_page(client, world, name, page, manage, goals):
    user = persona(world, name)
    w = world
    assert get(client, user, "enterprise", w.kosi.pk).status_code == page
    for url, args in [("pairing_create", [w.kosi.pk]), ("pairing_edit", [w.pairing.pk]),
                      ("secondment_create", [w.kosi.pk]), ("secondment_edit", [w.sent.pk])]:
        assert get(client, user, url, *args).status_code == manage, url
    for url, args in [("goal_add", [w.pairing.pk]), ("goal_complete", [w.goal.pk])]:
        assert get(client, user, url, *args).status_code == goals, url
    reopen = client.post(reverse("console:goal_reopen", args=[w.done.pk]))
    assert reopen.status_code == (302 if goals == 200 else 404)
    listed = get(client, user, "enterprises")
    if name == "dispatcher":
        assert listed.status_code == 403
    else:
        names = {e.name for e in listed.context["rows"]}
        assert ("科思化工" in names) is (page == 200)


def test_the_list_shows_a_unit_its_pairings_and_a_cadre_theirs(client, world):
    rows = get(client, world.p.handler_b, "enterprises").context["rows"]
    assert [e.name for e in rows] == ["江苏托维亮化科技有限公司"]
    rows = get(client, world.office, "enterprises").context["rows"]
    assert [e.name for e in rows] == ["江苏托维亮化科技有限公司", "科思化工"]
    kosi = rows[1]
    assert (kosi.goal_done, kosi.goal_count, kosi.cadre_count) == (1, 2, 1)
    assert (kosi.demand_count, kosi.support_count) == (1, 1)
    # another year: the enterprises stay, the year's pairings and counts do not
    rows = get(client, world.office, "enterprises", data={"year": 2025}).context["rows"]
    assert [(e.goal_count, e.year_pairings, e.support_count) for e in rows] == [
        (0, [], 0), (0, [], 0)]


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for name, args in [("enterprises", []), ("enterprise", [world.kosi.pk])]:
        response = client.get(reverse(f"console:{name}", args=args))
        assert response.status_code == 302 and "login" in response["Location"]


# --- the enterprise page --------------------------------------------------------------------
def test_the_enterprise_page_shows_pairing_goals_demands_and_support(client, world):
    response = get(client, world.head_a if hasattr(world, "head_a") else world.p.head_a,
                   "enterprise", world.kosi.pk)
    html = response.content.decode()
    for text in ("环境卫生管理处", "刘干部", "每季度走访一次", "协调厂区道路照明", "未完成",
                 "走访企业四次", "已完成", "已走访四次，座谈纪要存档。", "驻企联络",
                 world.demand.number, "厂区门口道路破损", "办理中",
                 "协调供电部门接入厂区路灯", "路灯 12 盏已通电", "张承办", "13912345678"):
        assert text in html, text
    assert world.foreign.number not in html
    assert response.context["goal_done"] == 1 and response.context["goal_total"] == 2


def test_the_page_lists_only_the_demands_the_viewer_may_see(client, world, categories):
    hidden = handling(world.p, world.org, categories.litter, when="2026-06-05 09:00",
                      requester_kind="enterprise", enterprise=world.kosi,
                      requester_org="科思化工", title="排污管道堵塞")
    Demand.objects.filter(pk=hidden.pk).update(current_unit=world.org.unit_b)
    # the paired unit's handler sees their unit's demand, not unit B's
    numbers = [d.number for d in get(client, world.p.handler_a, "enterprise",
                                     world.kosi.pk).context["demands"]]
    assert numbers == [world.demand.number]
    # the cadre sees every demand of their enterprise, newest first
    numbers = [d.number for d in get(client, world.cadre, "enterprise",
                                     world.kosi.pk).context["demands"]]
    assert numbers == [hidden.number, world.demand.number]


def test_the_contact_phone_is_for_managers_the_paired_head_and_cadres(client, world):
    for user, shown in [(world.office, True), (world.p.head_a, True), (world.cadre, True),
                        (world.p.handler_a, False), (world.p.supervisor, False)]:
        html = get(client, user, "enterprise", world.kosi.pk).content.decode()
        assert ("13912345678" in html) is shown, user.username


def test_the_satisfaction_series_on_the_page(client, world):
    Demand.objects.filter(pk=world.demand.pk).update(
        first_evaluated_at=at("2026-06-20 10:00"), first_evaluation_level=2)
    Demand.objects.filter(pk=world.foreign.pk).update(
        first_evaluated_at=at("2026-06-20 10:00"), first_evaluation_level=5)
    response = get(client, world.office, "enterprise", world.kosi.pk)
    chart = response.context["chart"]
    assert chart["months"][0] == "2025-08" and chart["months"][-1] == "2026-07"
    assert chart["rates"][-2] == 0.0  # June: 0 of 1 satisfied
    assert chart["rates"].count(None) == 11
    html = response.content.decode()
    assert 'id="enterprise-data"' in html and "0/1" in html


# --- the forms ----------------------------------------------------------------------------
def test_a_pairing_is_made_from_the_page_and_a_duplicate_refused(client, world):
    client.force_login(world.office, backend=BACKEND)
    url = reverse("console:pairing_create", args=[world.kosi.pk])
    data = {"unit": world.org.unit_b.code, "year": 2026, "cadres": [world.p.handler_b.pk],
            "plan": "协助办理排污许可。"}
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"].endswith(f"/enterprises/{world.kosi.pk}/?year=2026")
    assert Pairing.objects.filter(enterprise=world.kosi).count() == 2
    response = client.post(url, data)
    assert response.status_code == 400
    assert "市政设施管理处 2026 年已挂钩“科思化工”" in response.content.decode()
    assert Pairing.objects.filter(enterprise=world.kosi).count() == 2


def test_a_goal_completed_without_evidence_stays_open(client, world):
    client.force_login(world.p.head_a, backend=BACKEND)
    url = reverse("console:goal_complete", args=[world.goal.pk])
    response = client.post(url, {"done_on": "2026-07-19", "evidence": " "})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["evidence"]
    assert PairingGoal.objects.get(pk=world.goal.pk).done_on is None
    response = client.post(url, {"done_on": "2026-07-19", "evidence": "路灯已亮。"})
    assert response.status_code == 302
    assert PairingGoal.objects.get(pk=world.goal.pk).done_on == dt.date(2026, 7, 19)


def test_a_secondment_ending_before_it_starts_is_refused(client, world):
    client.force_login(world.office, backend=BACKEND)
    response = client.post(reverse("console:secondment_create", args=[world.kosi.pk]), {
        "cadre": world.p.handler_a.pk, "starts_on": "2026-05-01", "ends_on": "2026-04-01"})
    assert response.status_code == 400
    assert "结束日期不能早于开始日期。" in response.content.decode()
    assert Secondment.objects.count() == 1


def test_the_menu_offers_the_page_to_cadres_and_pairing_roles(client, world):
    for user, shown in [(world.cadre, True), (world.p.handler_a, True),
                        (world.p.dispatcher, False)]:
        html = get(client, user, "home").content.decode()
        assert (reverse("console:enterprises") in html) is shown, user.username


# --- queries --------------------------------------------------------------------------------
def more(world, n):
    for i in range(n):
        firm = Enterprise.objects.create(name=f"企业{i:02d}")
        pairing = actions.save_pairing(firm, world.org.unit_a, 2026,
                                       [world.cadre, world.p.handler_a], "计划", world.office)
        actions.add_goal(pairing, "目标", None, world.office)
        support(firm, world.org.unit_a, world.p.handler_a, dt.date(2026, 6, 1), "办实事", "好")


@pytest.mark.parametrize("name", ["office", "head_a", "cadre"])
def test_the_list_costs_a_fixed_number_of_queries(client, world, name,
                                                  django_assert_num_queries):
    user = persona(world, name)
    client.force_login(user, backend=BACKEND)
    client.get(reverse("console:enterprises"))  # the session's first request
    counts = []
    for extra in (0, 10):
        more(world, extra)
        with django_assert_num_queries(EXPECTED_LIST[name]) as captured:
            response = client.get(reverse("console:enterprises"))
        counts.append(len(captured))
    assert len(response.context["rows"]) >= 11
    assert counts[0] == counts[1]


@pytest.mark.parametrize("name", ["office", "head_a", "cadre"])
def test_the_page_costs_a_fixed_number_of_queries(client, world, categories, name,
                                                  django_assert_num_queries):
    user = persona(world, name)
    client.force_login(user, backend=BACKEND)
    client.get(reverse("console:enterprise", args=[world.kosi.pk]))
    for extra in range(2):  # more goals, demands, support actions and cadres cost no query
        for i in range(5 * extra):
            actions.add_goal(world.pairing, f"目标{i}", None, world.office)
            handling(world.p, world.org, categories.litter, when=f"2026-06-1{i} 09:00",
                     requester_kind="enterprise", enterprise=world.kosi,
                     requester_org="科思化工")
            support(world.kosi, world.org.unit_a, world.p.handler_a, dt.date(2026, 6, 1),
                    "办实事", "好", people=[world.p.handler_a, world.p.head_a])
        with django_assert_num_queries(EXPECTED_PAGE[name]):
            client.get(reverse("console:enterprise", args=[world.kosi.pk]))


# session, user, grants, the pairings the user is a cadre of; the enterprises with their
# counts, the year's pairings, cadres and their profiles; demands and support actions
# counted by enterprise; the top bar (unread, identity: profile, roles) …
EXPECTED_LIST = {"office": 16, "head_a": 16, "cadre": 16}
# … the enterprise; its pairings, cadres, profiles, goals; secondments; the demands shown
# and counted; support actions, their people and profiles, which the viewer may open, and
# their count; the satisfaction series (one query)
EXPECTED_PAGE = {"office": 24, "head_a": 24, "cadre": 24}
