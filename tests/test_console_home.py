"""The console home per role (issue #9, item 7): the to-do counts each person's roles call
for, in their scope, each linking to its queue; 我的督办; the campaign only while it runs;
the queue tabs' counts; a bounded number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from campaigns.models import Campaign
from console.templatetags.queue_counts import count_label
from demands import queues
from demands.actions import handover, oversight, replies
from demands.actions.intake import submit
from supervision import actions as orders

from .demand_helpers import at, intake, registered

pytestmark = pytest.mark.django_db
NOW = "2026-11-23 14:00"  # a Monday: 4-hour demands registered at 09:00 warn from 13:30


@pytest.fixture
def city(personas, org, categories):
    """At NOW: one demand 待受理, one 待派遣, one 待分类,
    one 待签收 at unit A (warning), one handled by
    unit B (warning), and one of last Friday handled by unit B (overdue, supervised)."""
    litter = categories.litter
    submit(None, intake(litter, title="待受理的"), at=at("2026-11-23 09:00"))
    registered(personas, litter, "2026-11-23 09:00", title="待派遣的")
    registered(personas, None, "2026-11-23 09:00", title="待分类的")  # not 待派遣 yet
    sent = registered(personas, litter, "2026-11-23 09:00", title="待签收的")
    handover.dispatch(personas.dispatcher, sent, org.unit_a, at=at("2026-11-23 09:00"))
    for when, title in (("2026-11-23 09:00", "B办理中"), ("2026-11-20 09:00", "B已超期")):
        demand = registered(personas, litter, when, title=title)
        demand = handover.dispatch(personas.dispatcher, demand, org.unit_b, at=at(when))
        demand = handover.accept(personas.handler_b, demand, at=at(when))
    oversight.supervise(personas.supervisor, demand, "请今日内办结并反馈。",
                      at=at("2026-11-23 10:00"))
    with time_machine.travel(at(NOW), tick=False):
        yield


def todo_of(client, user) -> dict[str, str]:
    client.force_login(user)
    response = client.get(reverse("console:home"))
    assert response.status_code == 200
    return {item["key"]: item["count"] for item in response.context["todo"]}


@pytest.mark.parametrize(("name", "expected"), [
    ("receiver", {"unclassified": "1", "submitted": "1", "warning": "3", "overdue": "1"}),
    ("dispatcher", {"unclassified": "1", "submitted": "1", "received": "1", "warning": "3",
                    "overdue": "1"}),
    # 逾期里程碑 / 逾期承诺 (issue #11) for those who carry projects and commitments forward
    # 督查督办单 (issue #13): to answer for a unit, to decide, overdue for who issues them
    ("handler_a", {"dispatched": "1", "warning": "1", "overdue": "0", "milestones_overdue": "0",
                   "supervised": "0", "orders_awaiting": "0"}),
    ("head_a", {"dispatched": "1", "warning": "1", "overdue": "0", "milestones_overdue": "0",
                "commitments_overdue": "0", "supervised": "0", "orders_awaiting": "0"}),
    ("handler_b", {"dispatched": "0", "warning": "1", "overdue": "1", "milestones_overdue": "0",
                   "supervised": "1", "orders_awaiting": "0"}),
    ("supervisor", {"warning": "3", "overdue": "1", "milestones_overdue": "0",
                    "commitments_overdue": "0", "supervised": "1", "orders_answered": "0",
                    "orders_overdue": "0"}),
    ("leader", {"warning": "3", "overdue": "1", "milestones_overdue": "0",
                "commitments_overdue": "0", "supervised": "0", "orders_overdue": "0"}),
])
def test_each_role_sees_its_own_counts_in_its_scope(client, personas, city, name, expected):
    assert todo_of(client, getattr(personas, name)) == expected


def test_each_count_links_to_its_queue_and_the_queue_holds_as_many(client, personas, city):
    client.force_login(personas.dispatcher)
    page = client.get(reverse("console:home"))
    for item in page.context["todo"]:
        assert item["url"] == f"{reverse('console:demand_list')}?queue={item['key']}"
        rows = client.get(item["url"]).context["rows"]
        assert str(len(rows)) == item["count"]
    assert f'href="{reverse("console:demand_list")}?queue=received"' in page.content.decode()


def test_my_supervision_lists_the_demands_awaiting_an_answer(client, personas, city):
    for user in (personas.supervisor, personas.handler_b):
        client.force_login(user)
        page = client.get(reverse("console:home"))
        assert [demand.title for demand in page.context["supervised"]] == ["B已超期"]
        assert 'data-testid="supervised-rows"' in page.content.decode()
    client.force_login(personas.receiver)  # neither supervises nor handles: no such block
    assert client.get(reverse("console:home")).context["supervised"] is None


def test_an_answered_supervision_leaves_the_unit_but_stays_with_its_issuer_until_closed(
        client, personas, city):
    demand = queues.queue_queryset(personas.supervisor, "overdue").get()
    replies.reply(personas.handler_b, demand, "已清运完毕，感谢您的反映。")
    assert todo_of(client, personas.handler_b)["supervised"] == "0"
    assert todo_of(client, personas.supervisor)["supervised"] == "1"


def test_the_campaign_shows_only_while_it_runs(client, personas, org, city):
    client.force_login(personas.leader)
    Campaign.objects.create(code="past", name="往年活动", starts_on=dt.date(2025, 3, 1),
                            ends_on=dt.date(2025, 12, 31), office_unit=org.bureau)
    page = client.get(reverse("console:home")).content.decode()
    assert 'data-testid="campaign"' not in page and "往年活动" not in page
    Campaign.objects.create(code="now", name="三满意创建活动", starts_on=dt.date(2026, 3, 1),
                            ends_on=dt.date(2026, 12, 31), office_unit=org.bureau)
    page = client.get(reverse("console:home")).content.decode()
    assert 'data-testid="campaign"' in page and "三满意创建活动" in page


def test_the_queue_tabs_show_their_counts(client, personas, city):
    client.force_login(personas.dispatcher)
    page = client.get(reverse("console:demand_list")).content.decode()
    for key, count in (("unclassified", 1), ("submitted", 1), ("received", 1),
                       ("dispatched", 1), ("overdue", 1), ("warning", 3), ("all", 6)):
        assert f'data-testid="tab-count-{key}">{count}</span>' in page


def test_counting_stops_past_the_limit(personas, city):
    counts = queues.queue_counts(personas.leader, ["all", "warning", "overdue"],
                                 exact_limit=2)
    assert counts == {"all": 3, "warning": 3, "overdue": 1}  # 6 and 3 demands: cut at 2 + 1
    assert [count_label(n, 2) for n in counts.values()] == ["2+", "2+", "1"]
    assert queues.queue_counts(personas.leader, []) == {}


# session, user, grants, the queues' counts (one), campaign, staff chart, unread messages,
# identity (profile, roles), session save (3); 我的督办 adds its count and, when it has
# rows, their list; who files for a unit, the campaigns' participants (待报送材料); one
# more for the pairings the person is a cadre of (the reach of demand.view for
# unit-scoped people, the 挂钩企业 menu for those without a pairing role; docs/campaign.md);
# 督查督办单 (issue #13): the unit's awaiting orders (count, and rows when there are), the
# answers to decide and the overdue orders (count, and rows when there are)
@pytest.mark.parametrize(("name", "most"), [
    ("receiver", 13), ("dispatcher", 13), ("handler_a", 19), ("head_a", 20),
    ("supervisor", 19), ("leader", 17),
])
def test_the_home_page_costs_a_fixed_number_of_queries(client, personas, org, categories, city,
                                                       name, most,
                                                       django_assert_max_num_queries):
    for n in range(3):  # more demands, sent and supervised, cost no query more
        demand = registered(personas, categories.litter, "2026-11-23 09:00")
        demand = handover.dispatch(personas.dispatcher, demand, org.unit_a)
        oversight.supervise(personas.supervisor, demand, "请尽快办理。")
        # and more supervision orders, past their deadline or not, listed on the page
        orders.issue(personas.supervisor, subject_kind="demand", demands=[demand],
                     title="督办", requirement="说明。", at=at("2026-11-23 09:00"),
                     deadline=at("2026-11-23 10:00") if n else at("2099-01-01 09:00"))
    client.force_login(getattr(personas, name))
    with django_assert_max_num_queries(most):
        client.get(reverse("console:home"))
