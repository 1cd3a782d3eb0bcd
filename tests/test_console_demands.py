"""The console's demand pages, and the permission matrix: each persona × each queue,
detail page, action, export, dashboard and API read."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from demands.actions import handover
from demands.models import Demand, State
from demands.queues import QUEUES
from org.models import Role

from .conftest import make_staff
from .demand_helpers import at, handling, registered

pytestmark = pytest.mark.django_db
BACKEND = "django.contrib.auth.backends.ModelBackend"
PERSONAS = ["handler_a", "handler_b", "head_a", "supervisor", "leader", "receiver",
            "dispatcher", "office", "party", "admin"]
SEES_ALL = {"supervisor", "leader", "receiver", "dispatcher", "office", "party", "admin"}
EXPORTERS = {"head_a", "supervisor", "leader", "dispatcher", "office", "party", "admin"}
KPI_VIEWERS = {"head_a", "supervisor", "leader", "dispatcher", "office", "party", "admin",
               "handler_a", "handler_b"}  # a handler: their own unit's figures


@pytest.fixture(autouse=True)
def _more_personas(personas, org):
    """The bureau-wide offices complete the matrix: 办公室, 机关党委, 系统管理员."""
    personas.office = make_staff("office", "吴办公", org.bureau, (Role.OFFICE, None))
    personas.party = make_staff("party", "郑党委", org.bureau, (Role.PARTY, None))
    personas.admin = make_staff("admin", "冯管理", org.intake, (Role.ADMIN, None))


@pytest.fixture
def two(personas, org, categories):
    """Demand A handled by unit A, demand B dispatched to unit B (with a 11/23 deadline)."""
    a = handling(personas, org, categories.litter, "2026-11-23 09:00", title="A单位的诉求")
    b = registered(personas, categories.stall, "2026-11-23 09:00", title="B单位的诉求")
    b = handover.dispatch(personas.dispatcher, b, org.unit_b, at=at("2026-11-23 09:10"))
    return a, b


def login(client, personas, name):
    client.force_login(getattr(personas, name), backend=BACKEND)


@pytest.mark.parametrize("name", PERSONAS)
def test_every_queue_shows_only_what_the_persona_may_see(client, personas, two, name):
    a, b = two
    login(client, personas, name)
    allowed = {a.number, b.number} if name in SEES_ALL else \
        {a.number} if name in ("handler_a", "head_a") else {b.number}
    for key in QUEUES:
        response = client.get(reverse("console:demand_list"), {"queue": key})
        assert response.status_code == 200, key
        shown = {d.number for d, _ in response.context["rows"]}
        assert shown <= allowed, (name, key, shown)
    everything = {d.number for d, _ in client.get(reverse("console:demand_list"),
                                                  {"queue": "all"}).context["rows"]}
    assert everything == allowed


@pytest.mark.parametrize("name", PERSONAS)
def test_detail_pages_and_api_reads_follow_the_same_rule(client, personas, two, name):
    a, b = two
    login(client, personas, name)
    for demand in (a, b):
        visible = name in SEES_ALL or (demand == a and name in ("handler_a", "head_a")) or \
            (demand == b and name == "handler_b")
        page = client.get(reverse("console:demand_detail", args=[demand.number]))
        api = client.get(f"/api/v1/demands/{demand.number}")
        assert page.status_code == (200 if visible else 404), (name, demand.title)
        assert api.status_code == (200 if visible else 404), (name, demand.title)


@pytest.mark.parametrize("name", PERSONAS)
def test_export_and_dashboard_need_their_roles(client, personas, two, name):
    login(client, personas, name)
    export = client.get(reverse("console:demand_export"), {"queue": "all"})
    assert export.status_code == (200 if name in EXPORTERS else 403)
    dashboard = client.get(reverse("console:dashboard"))
    assert dashboard.status_code == (200 if name in KPI_VIEWERS else 403)


@pytest.mark.parametrize(("name", "expected"), [
    ("handler_a", {"reply", "return", "request_extension"}),
    ("head_a", {"reply", "return", "transfer", "request_extension"}),
    ("handler_b", None),  # cannot even see it
    ("supervisor", {"urge", "supervise"}),
    ("leader", {"urge", "supervise"}),
    ("receiver", {"urge"}),  # the first receiver may urge
    ("dispatcher", {"transfer", "urge"}),
    ("office", {"urge"}),
    ("party", set()),
    ("admin", set()),
])
def test_the_actions_offered_on_a_demand_in_hand(client, personas, two, name, expected):
    a, _ = two
    login(client, personas, name)
    response = client.get(reverse("console:demand_detail", args=[a.number]))
    if expected is None:
        assert response.status_code == 404
        return
    offered = {panel["name"] for panel in response.context["panels"]}
    assert offered == expected


@pytest.mark.parametrize("name", PERSONAS)
def test_posting_an_action_one_may_not_take_changes_nothing(client, personas, two, name):
    _, b = two  # dispatched to unit B: only unit B's handler may accept
    login(client, personas, name)
    response = client.post(reverse("console:demand_act", args=[b.number, "accept"]),
                           HTTP_HX_REQUEST="true")
    fresh = Demand.objects.get(pk=b.pk)
    if name == "handler_b":
        assert response.status_code == 200 and fresh.state == State.HANDLING
    elif name in SEES_ALL:
        assert "您没有权限" in response.content.decode()
        assert fresh.state == State.DISPATCHED
    else:
        assert response.status_code == 404
        assert fresh.state == State.DISPATCHED


def test_the_export_holds_the_rows_of_the_scope(client, personas, two):
    login(client, personas, "head_a")
    response = client.get(reverse("console:demand_export"), {"queue": "all"})
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][:4] == ("诉求编号", "来源渠道", "外部编号", "提交时间")
    title = rows[0].index("标题")
    assert [row[title] for row in rows[1:]] == ["A单位的诉求"]


def test_exported_text_cannot_become_a_formula(client, personas, org, categories):
    registered(personas, categories.litter, title="=HYPERLINK(\"http://x\")")
    login(client, personas, "dispatcher")
    response = client.get(reverse("console:demand_export"), {"queue": "all"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    header, first = list(book.active.iter_rows(values_only=True))[:2]
    assert first[header.index("标题")].startswith("'=")


def test_register_a_phone_in_demand(client, personas, org, categories):
    login(client, personas, "receiver")
    response = client.post(reverse("console:demand_register"), {
        "requester_kind": "citizen", "requester_name": "刘先生", "requester_phone": "13812345678",
        "channel": "12319", "category": "baolu-laji", "title": "路边垃圾",
        "content": "黄河路公交站旁有垃圾堆。", "address": "黄河路公交站",
    })
    demand = Demand.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("console:demand_detail", args=[demand.number])
    assert demand.first_receiver == personas.receiver and demand.state == State.RECEIVED


def test_registration_errors_are_shown_in_chinese_and_nothing_is_saved(client, personas, org,
                                                                       categories):
    login(client, personas, "receiver")
    response = client.post(reverse("console:demand_register"), {
        "requester_kind": "enterprise", "channel": "12319", "category": "baolu-laji",
        "title": "", "content": "内容", "longitude": "118.2", "latitude": "33.9",
    })
    assert response.status_code == 400
    assert "请填写标题。" in response.content.decode()  # the project's wording, naming the field
    response = client.post(reverse("console:demand_register"), {
        "requester_kind": "enterprise", "channel": "12319", "category": "baolu-laji",
        "title": "标题", "content": "内容",
    })
    assert response.status_code == 400
    assert "企业诉求请填写企业名称" in response.content.decode()
    assert Demand.objects.count() == 0


def test_an_htmx_action_returns_the_updated_panel(client, personas, two):
    a, _ = two
    login(client, personas, "handler_a")
    url = reverse("console:demand_act", args=[a.number, "reply"])
    empty = client.post(url, {"content": "   "}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="field-error"' in empty and "办理中" in empty
    assert Demand.objects.get(pk=a.pk).state == State.HANDLING
    response = client.post(url, {"content": "已清运完毕。"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="demand-panel"' in body and "待回访" in body and "<html" not in body
    again = client.post(url, {"content": "再答复一次"}, HTTP_HX_REQUEST="true").content.decode()
    assert "不能答复" in again  # no longer offered: the refusal is shown, nothing changes


def test_the_queue_page_does_not_grow_queries_with_rows(client, personas, org, categories,
                                                        django_assert_max_num_queries):
    for _ in range(30):
        registered(personas, categories.litter)
    login(client, personas, "dispatcher")
    # the tabs' counts are one query; the pairings the user is a cadre of one more
    with django_assert_max_num_queries(14):
        response = client.get(reverse("console:demand_list"), {"queue": "all"})
    assert len(response.context["rows"]) == 30


def test_the_dashboard_shows_the_rates_with_their_definitions(client, personas, two):
    login(client, personas, "leader")
    page = client.get(reverse("console:dashboard"), {"month": "2026-11"}).content.decode()
    assert "群众满意率" in page and "基层满意率" in page and "企业满意率" in page
    assert "（非常满意 + 满意 + 基本满意）÷ 参评诉求数" in page  # shown on hover (title)
    assert client.get(reverse("console:dashboard"), {"month": "2026-13"}).status_code == 200


def test_the_dashboard_shows_each_scope_its_units_and_drills_down(client, personas, two,
                                                                   org):
    """Both demands are due in November (4-hour and 1-day limits from 23 November), neither
    replied: each is overdue in its unit. A handler sees their unit; the leader sees both;
    the overdue number opens the list of exactly those demands."""
    import time_machine

    with time_machine.travel(at("2026-12-02 09:00"), tick=False):
        login(client, personas, "handler_b")
        page = client.get(reverse("console:dashboard"), {"month": "2026-11"})
        assert [label for _, label, _, _ in page.context["groups"]] == ["市政设施管理处"]
        assert page.context["figures"]["overdue"] == 1
        login(client, personas, "leader")
        page = client.get(reverse("console:dashboard"), {"month": "2026-11"})
        assert page.context["figures"]["overdue"] == 2
        html = page.content.decode()
        link = html.split('data-testid="drill-overdue"')[0].rsplit('href="', 1)[1] \
            .split('"')[0].replace("&amp;", "&")
        listed = client.get(link)
        assert {d.title for d, _ in listed.context["rows"]} == {"A单位的诉求", "B单位的诉求"}
        assert "超期数：2026-11-01 至 2026-11-30" in listed.content.decode()


def test_the_inbox_lists_and_clears_notifications(client, personas, two):
    login(client, personas, "handler_b")
    page = client.get(reverse("console:inbox")).content.decode()
    assert "新派遣诉求" in page
    client.post(reverse("console:inbox"))
    assert 'data-testid="unread"' not in client.get(reverse("console:inbox")).content.decode()
