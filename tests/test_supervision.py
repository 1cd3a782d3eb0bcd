"""Supervision orders (督查督办单, issue #13, docs/supervision.md section 1): issuing about
each kind of subject, the state machine and its refusals, who may do what, the sweep's
escalation (once per order), a finding made a rectification commitment, the assessment's
"answered on time" counted by hand, and the console's pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from inbox.models import Notification
from lib.errors import ActionError
from org import access
from org.models import Role
from projects.models import Commitment, CommitmentKind, CommitmentSource, CommitmentState
from supervision import actions, catalogue, queries, sweep
from supervision.models import (
    OrderAnswer,
    OrderEvent,
    OrderFile,
    OrderPhoto,
    OrderState,
    SubjectKind,
    SupervisionOrder,
)

from .conftest import make_staff
from .demand_helpers import at, handling
from .test_photos import jpeg_with_gps

S = OrderState
K = SubjectKind
MONDAY = at("2026-11-23 09:00")
DEADLINE = at("2026-11-25 17:30")  # Wednesday
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # photos and files written by the tests


@pytest.fixture
def people(org, personas):
    """The personas, plus the Party committee, the office and a head of unit B."""
    personas.party = make_staff("party", "陈书记", org.bureau, (Role.PARTY, None))
    personas.office = make_staff("office", "孙主任", org.bureau, (Role.OFFICE, None))
    personas.head_b = make_staff("head_b", "高处长", org.unit_b, (Role.UNIT_HEAD, org.unit_b))
    return personas


def photo(name="现场.jpg"):
    return SimpleUploadedFile(name, jpeg_with_gps(640, 480), content_type="image/jpeg")


def pdf(name="整改报告.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def finding(people, unit, when=MONDAY, deadline=DEADLINE, title="幸福路垃圾桶满溢",
            **extra) -> SupervisionOrder:
    return actions.issue(people.supervisor, subject_kind=K.FINDING, unit=unit, title=title,
                         requirement="三日内清运并说明长效措施。", deadline=deadline,
                         finding="幸福路与人民大道路口垃圾桶满溢，周边有散落垃圾。",
                         finding_place="幸福路与人民大道路口", at=when, **extra)


def in_state(people, org, state, when=MONDAY) -> SupervisionOrder:
    """A finding order of unit A brought to ``state`` through the actions."""
    order = finding(people, org.unit_a, when)
    later = when + dt.timedelta(hours=1)
    if state == S.ISSUED:
        return order
    if state == S.CANCELLED:
        return actions.cancel(people.supervisor, order, "重复下达。", at=later)
    order = actions.answer(people.head_a, order, "已清运完毕。", at=later)
    if state == S.ANSWERED:
        return order
    if state == S.ACCEPTED:
        return actions.accept(people.supervisor, order, "同意办结。", at=later)
    return actions.send_back(people.supervisor, order, "未说明长效措施。", at=later)


# --- issuing ---------------------------------------------------------------------------------
def test_an_order_about_a_demand_goes_to_its_unit_and_tells_the_units_people(people, org,
                                                                             categories):
    demand = handling(people, org, categories.litter)
    order = actions.issue(people.supervisor, subject_kind=K.DEMAND, demands=[demand.number],
                          title="关于诉求办理的督办", requirement="说明超期原因。",
                          deadline=DEADLINE, at=MONDAY)
    assert order.number == "DB2026000001"
    assert order.unit == org.unit_a and order.state == S.ISSUED
    assert list(order.demands.all()) == [demand]
    assert [e.kind for e in order.events.all()] == ["issue"]
    told = set(Notification.objects.filter(kind="order.issued")
               .values_list("recipient__username", flat=True))
    assert told == {"head_a", "handler_a"}  # not unit B's handler, not the supervisor
    second = finding(people, org.unit_b)
    assert second.number == "DB2026000002"
    next_year = finding(people, org.unit_b, at("2027-01-04 09:00"), at("2027-01-06 17:30"))
    assert next_year.number == "DB2027000001"


def test_the_default_deadline_is_three_working_days_later(people, org):
    friday = at("2026-11-27 10:00")
    order = actions.issue(people.supervisor, subject_kind=K.FINDING, unit=org.unit_a,
                          title="检查发现", requirement="请整改。", finding="路面破损。",
                          at=friday)
    assert order.deadline == at("2026-12-02 10:00")  # Mon, Tue, Wed
    by_day = actions.issue(people.supervisor, subject_kind=K.FINDING, unit=org.unit_a,
                           title="检查发现", requirement="请整改。", finding="路面破损。",
                           deadline="2026-12-04", at=friday)
    assert by_day.deadline == at("2026-12-04 17:30")  # the end of that working day


def test_a_set_of_overdue_demands_of_a_category(people, org, categories):
    old = [handling(people, org, categories.litter, "2026-11-20 09:00",
                    requester_phone=f"1390527{n:04d}") for n in range(3)]
    order = actions.issue(people.supervisor, subject_kind=K.DEMANDS, demands=old,
                          criteria="暴露垃圾类超期（3 件）", title="暴露垃圾超期督办",
                          requirement="逐件说明原因。", deadline=DEADLINE, at=MONDAY)
    assert order.unit == org.unit_a and order.demands.count() == 3
    assert order.criteria == "暴露垃圾类超期（3 件）"


@pytest.mark.parametrize(("changes", "message"), [
    ({"title": " "}, "请填写标题。"),
    ({"requirement": ""}, "请填写督办要求。"),
    ({"deadline": at("2026-11-23 08:00")}, "反馈期限必须晚于下达时间。"),
    ({"deadline": "下周"}, "反馈期限格式应为 2026-12-10 17:30。"),
    ({"unit": "nowhere"}, "请选择有效的被督办单位。"),
    ({"unit": None}, "请选择被督办单位。"),
    ({"finding": ""}, "请填写检查发现的问题。"),
    ({"subject_kind": "rumour"}, "请选择督办事项类型。"),
])
def test_a_bad_order_is_refused_in_chinese_and_nothing_is_written(people, org, changes,
                                                                   message):
    values = {"subject_kind": K.FINDING, "unit": org.unit_a, "title": "检查发现",
              "requirement": "请整改。", "finding": "路面破损。", "deadline": DEADLINE,
              "at": MONDAY, **changes}
    with pytest.raises(ActionError) as refused:
        actions.issue(people.supervisor, **values)
    assert refused.value.message == message
    assert not SupervisionOrder.objects.exists() and not OrderEvent.objects.exists()


def test_demands_must_be_the_units_and_visible(people, org, categories):
    demand = handling(people, org, categories.litter)
    with pytest.raises(ActionError, match="目前由环境卫生管理处办理，不在市政设施管理处"):
        actions.issue(people.supervisor, subject_kind=K.DEMAND, demands=[demand.number],
                      unit=org.unit_b, title="督办", requirement="说明。", at=MONDAY)
    with pytest.raises(ActionError, match="找不到诉求 260101-XXXXXX"):
        actions.issue(people.supervisor, subject_kind=K.DEMAND, demands=["260101-xxxxxx"],
                      title="督办", requirement="说明。", at=MONDAY)
    with pytest.raises(ActionError, match="请写明这批诉求的筛选条件"):
        actions.issue(people.supervisor, subject_kind=K.DEMANDS, demands=[demand],
                      title="督办", requirement="说明。", at=MONDAY)
    assert not SupervisionOrder.objects.exists()


def test_a_bad_photo_leaves_no_order_and_no_number_used(people, org):
    bad = SimpleUploadedFile("现场.jpg", b"not a picture", content_type="image/jpeg")
    with pytest.raises(ActionError):
        finding(people, org.unit_a, photo_files=[photo(), bad])
    assert not SupervisionOrder.objects.exists() and not OrderPhoto.objects.exists()
    assert finding(people, org.unit_a).number == "DB2026000001"


# --- the state machine ----------------------------------------------------------------------
def test_issue_answer_send_back_answer_again_accept(people, org):
    order = finding(people, org.unit_a, photo_files=[photo(), photo("近景.jpg")])
    assert order.photos.filter(answer=None).count() == 2
    first = at("2026-11-24 10:00")
    order = actions.answer(people.head_a, order, "已清运完毕。", photos=[photo()],
                           files=[pdf()], at=first)
    assert order.state == S.ANSWERED and order.first_answered_at == first
    reply = OrderAnswer.objects.get(order=order, round=1)
    assert reply.photos.count() == 1 and reply.files.get().name == "整改报告.pdf"
    order = actions.send_back(people.supervisor, order, "未说明长效措施。",
                              at=at("2026-11-24 15:00"))
    assert order.state == S.RETURNED
    assert Notification.objects.filter(kind="order.returned",
                                       recipient=people.handler_a).exists()
    again = at("2026-11-26 09:00")  # after the deadline: the first answer was on time
    order = actions.answer(people.handler_a, order, "已增加清运频次至每日两次。", at=again)
    assert order.first_answered_at == first and order.answered_at == again
    assert list(order.answers.values_list("round", "answered_by__username")) == [
        (1, "head_a"), (2, "handler_a")]
    order = actions.accept(people.supervisor, order, "同意办结。", at=at("2026-11-26 10:00"))
    assert order.state == S.ACCEPTED and order.closed_at == at("2026-11-26 10:00")
    assert [(e.kind, e.from_state, e.to_state) for e in order.events.all()] == [
        ("issue", "", "issued"), ("answer", "issued", "answered"),
        ("send_back", "answered", "returned"), ("answer", "returned", "answered"),
        ("accept", "answered", "accepted")]
    assert order.events.get(kind="answer", data__round=2).data["late"] is True
    with pytest.raises(ValueError):
        order.events.first().delete()


# actor per transition (one who may take it)
ACTORS = {"answer": "head_a", "accept": "supervisor", "send_back": "supervisor",
          "cancel": "supervisor", "to_commitment": "supervisor"}
INPUTS = {"answer": {"text": "补充说明。"}, "accept": {"note": ""},
          "send_back": {"reason": "不够具体。"}, "cancel": {"reason": "撤回。"},
          "to_commitment": {"deadline": dt.date(2099, 12, 31), "content": ""}}
REFUSED = [(state, transition.name) for state in S.values for transition in catalogue.CATALOGUE
           if state not in transition.states]


def test_the_refusals_table_is_what_the_design_says():
    assert sorted(REFUSED) == sorted([
        ("issued", "accept"), ("issued", "send_back"),
        ("answered", "answer"), ("answered", "cancel"),
        ("accepted", "answer"), ("accepted", "accept"), ("accepted", "send_back"),
        ("accepted", "cancel"),
        ("returned", "accept"), ("returned", "send_back"),
        ("cancelled", "answer"), ("cancelled", "accept"), ("cancelled", "send_back"),
        ("cancelled", "cancel"), ("cancelled", "to_commitment")])


@pytest.mark.parametrize(("state", "name"), REFUSED)
def test_a_transition_is_refused_outside_its_states_and_changes_nothing(people, org, state,
                                                                        name):
    order = in_state(people, org, state)
    actor = getattr(people, ACTORS[name])
    assert name not in catalogue.available(actor, order)
    events = order.events.count()
    with pytest.raises(ActionError) as refused:
        catalogue.CATALOGUE.run(name, actor, order, INPUTS[name])
    assert refused.value.code == "wrong_state"
    assert refused.value.message.startswith(f"该督办单当前为“{order.get_state_display()}”")
    order.refresh_from_db()
    assert order.state == state and order.events.count() == events
    assert order.rectification_id is None


def test_a_refusal_names_who_moved_the_order_on(people, org):
    order = in_state(people, org, S.ACCEPTED)
    with pytest.raises(ActionError) as refused:
        actions.send_back(people.supervisor, order, "再看看。")
    assert refused.value.message == \
        "该督办单当前为“已办结”，不能退回（赵督查 已于 11-23 10:00 办结）。"


def test_offered_in_every_state_it_is_declared_for(people, org):
    for transition in catalogue.CATALOGUE:
        for state in transition.states:
            order = in_state(people, org, state)
            assert transition.name in catalogue.available(getattr(people, ACTORS[
                transition.name]), order), (transition.name, state)


# --- who may ---------------------------------------------------------------------------------
def test_who_may_issue_answer_and_decide(people, org):
    for name in ("office", "head_a", "handler_a", "receiver"):
        with pytest.raises(ActionError, match="您没有向该单位下达督办单的权限。"):
            actions.issue(getattr(people, name), subject_kind=K.FINDING, unit=org.unit_a,
                          title="查", requirement="改。", finding="破损。", at=MONDAY)
    for name in ("leader", "party", "supervisor"):
        actions.issue(getattr(people, name), subject_kind=K.FINDING, unit=org.unit_a,
                      title="查", requirement="改。", finding="破损。", at=MONDAY)
    order = finding(people, org.unit_a)
    for name in ("handler_b", "head_b", "supervisor", "leader"):
        with pytest.raises(ActionError, match="您没有权限反馈该督办单。"):
            actions.answer(getattr(people, name), order, "已办。", at=MONDAY)
    order = actions.answer(people.handler_a, order, "已办。", at=MONDAY)
    for name in ("head_a", "leader", "office"):
        with pytest.raises(ActionError, match="您没有权限办结该督办单。"):
            actions.accept(getattr(people, name), order, at=MONDAY)
    assert catalogue.available(people.leader, order) == []
    assert catalogue.available(people.party, order) == ["accept", "send_back"]
    actions.accept(people.party, order, at=MONDAY)


def test_a_unit_sees_its_subtrees_orders_and_the_bureau_roles_see_all(people, org):
    orders = {unit: finding(people, getattr(org, unit))
              for unit in ("unit_a", "team_a", "unit_b")}
    expected = {"head_a": {"unit_a", "team_a"}, "handler_a": {"unit_a", "team_a"},
                "handler_b": {"unit_b"}, "head_b": {"unit_b"},
                "supervisor": set(orders), "leader": set(orders), "party": set(orders),
                "office": set(orders), "receiver": set(), "dispatcher": set()}
    for name, units in expected.items():
        user = getattr(people, name)
        listed = set(access.filter_for(user, "order.view", SupervisionOrder.objects.all()))
        assert listed == {orders[unit] for unit in units}, name
        for unit, order in orders.items():
            assert access.can(user, "order.view", order) == (unit in units), (name, unit)


# --- the sweep -------------------------------------------------------------------------------
def test_an_overdue_order_is_escalated_once_to_the_head_and_the_leaders(people, org):
    order = finding(people, org.unit_a)
    answered = actions.answer(people.head_b, finding(people, org.unit_b), "已办。", at=MONDAY)
    assert sweep.sweep(at("2026-11-25 17:00")) == {"overdue": 0, "escalated": 0}
    assert sweep.sweep(at("2026-11-25 18:00")) == {"overdue": 1, "escalated": 1}
    order.refresh_from_db()
    assert order.overdue and order.escalated_at == at("2026-11-25 18:00")
    told = list(Notification.objects.filter(kind="order.escalated")
                .values_list("recipient__username", flat=True).order_by("recipient__username"))
    assert told == ["head_a", "leader"]  # no handler, and unit B's answered order is not late
    assert sweep.sweep(at("2026-11-26 09:00")) == {"overdue": 0, "escalated": 0}
    assert Notification.objects.filter(kind="order.escalated").count() == 2
    # answered late, sent back: overdue again, but escalated only once per order
    order = actions.answer(people.head_a, order, "已办。", at=at("2026-11-26 10:00"))
    actions.send_back(people.supervisor, order, "不够。", at=at("2026-11-26 11:00"))
    assert sweep.sweep(at("2026-11-27 09:00")) == {"overdue": 0, "escalated": 0}
    assert [e.kind for e in order.events.all()] == [
        "issue", "overdue", "escalate", "answer", "send_back"]
    answered.refresh_from_db()
    assert not answered.overdue and answered.escalated_at is None


def test_a_returned_order_past_its_deadline_is_escalated(people, org):
    order = actions.answer(people.head_a, finding(people, org.unit_a), "已办。", at=MONDAY)
    actions.send_back(people.supervisor, order, "不够。", at=at("2026-11-26 09:00"))
    assert sweep.sweep(at("2026-11-26 09:10")) == {"overdue": 1, "escalated": 1}


# --- a finding becomes a rectification commitment -------------------------------------------
def test_a_finding_becomes_a_rectification_commitment(people, org):
    order = finding(people, org.unit_a)
    order = actions.answer(people.head_a, order, "已清运，每日巡查两次。", at=MONDAY)
    assert "to_commitment" in catalogue.available(people.supervisor, order)
    assert "to_commitment" not in catalogue.available(people.party, order)  # no commitments
    order = catalogue.CATALOGUE.run("to_commitment", people.supervisor, order,
                                    {"deadline": dt.date(2099, 12, 31)})
    made = order.rectification
    assert (made.kind, made.source, made.unit, made.state) == (
        CommitmentKind.RECTIFICATION, CommitmentSource.SUPERVISION, org.unit_a,
        CommitmentState.DRAFT)
    assert made.title == "幸福路垃圾桶满溢整改" and made.content == "已清运，每日巡查两次。"
    assert made.deadline == dt.date(2099, 12, 31)
    assert made.source_note.startswith(f"督查督办单 {order.number}：幸福路与人民大道路口")
    assert order.events.last().kind == "to_commitment"
    assert "to_commitment" not in catalogue.available(people.supervisor, order)
    with pytest.raises(ActionError, match="已转为整改承诺“幸福路垃圾桶满溢整改”"):
        actions.to_commitment(people.supervisor, order, dt.date(2099, 12, 31))
    assert Commitment.objects.count() == 1


def test_a_refused_commitment_leaves_the_order_as_it_was(people, org):
    order = finding(people, org.unit_a)
    with pytest.raises(ActionError, match="整改时限不能早于今天。"):
        actions.to_commitment(people.supervisor, order, dt.date(2000, 1, 1))
    with pytest.raises(ActionError, match="您没有为该单位登记承诺的权限。"):
        actions.to_commitment(people.party, order, dt.date(2099, 12, 31))
    order.refresh_from_db()
    assert order.rectification_id is None and not Commitment.objects.exists()
    assert [e.kind for e in order.events.all()] == ["issue"]
    other = actions.issue(people.supervisor, subject_kind=K.COMMITMENT, title="承诺兑现",
                          requirement="说明。", at=MONDAY, commitment=_commitment(people, org))
    with pytest.raises(ActionError, match="只有检查发现的问题可以转为整改承诺。"):
        actions.to_commitment(people.supervisor, other, dt.date(2099, 12, 31))


def _commitment(people, org):
    from projects import commitments

    return commitments.create(people.office, kind=CommitmentKind.SERVICE, unit=org.unit_b,
                              title="两小时响应", content="接报后两小时内到场。")


def test_an_answer_with_a_bad_file_writes_nothing(people, org):
    order = finding(people, org.unit_a)
    bad = SimpleUploadedFile("报告.pdf", b"MZ\x90\x00 not a pdf")
    with pytest.raises(ActionError, match="附件“报告\\.pdf”的内容不是 PDF"):
        actions.answer(people.head_a, order, "已办。", photos=[photo()], files=[bad],
                       at=MONDAY)
    order.refresh_from_db()
    assert order.state == S.ISSUED and order.first_answered_at is None
    assert not OrderAnswer.objects.exists() and not OrderPhoto.objects.exists()
    assert not OrderFile.objects.exists()


# --- read functions ---------------------------------------------------------------------------
def test_answered_on_time_counted_by_hand(people, org):
    """Period [1 Nov, 1 Dec), judged on 25 Nov at noon."""
    def order(unit, deadline, answered=(), cancel=False):
        made = finding(people, getattr(org, unit), at("2026-10-20 09:00"), at(deadline))
        answerer = people.head_b if unit == "unit_b" else people.head_a
        for n, when in enumerate(answered):
            if n:
                actions.send_back(people.supervisor, made, "补充。", at=at(when))
            made = actions.answer(answerer, made, "已办。", at=at(when))
        if cancel:
            actions.cancel(people.supervisor, made, "撤回。", at=at("2026-10-21 09:00"))
        return made

    order("unit_a", "2026-11-10 17:30", ["2026-11-09 10:00"])  # on time
    order("team_a", "2026-11-13 17:30", ["2026-11-16 10:00"])  # late
    order("team_a", "2026-11-20 17:30")  # never answered, past: late
    order("unit_a", "2026-11-27 17:30")  # still running on 25 Nov: not judged
    order("unit_a", "2026-11-26 17:30", ["2026-11-24 10:00"])  # answered early: on time
    order("unit_b", "2026-11-18 17:30", ["2026-11-17 10:00", "2026-11-19 10:00"])  # first on time
    order("unit_b", "2026-10-30 17:30", ["2026-10-29 10:00"])  # before the period
    order("unit_b", "2026-12-01 00:00", ["2026-11-20 10:00"])  # the end is excluded
    order("unit_a", "2026-11-12 17:30", cancel=True)  # withdrawn: not counted
    units = [org.bureau, org.unit_a, org.team_a, org.unit_b, org.intake]
    figures = queries.answered_on_time(units, dt.date(2026, 11, 1), dt.date(2026, 12, 1),
                                       now=at("2026-11-25 12:00"))
    assert figures == {org.bureau.pk: (3, 5), org.unit_a.pk: (2, 4), org.team_a.pk: (0, 2),
                       org.unit_b.pk: (1, 1), org.intake.pk: (0, 0)}
    counts = queries.open_counts(now=at("2026-11-25 12:00"))
    # open: team_a's unanswered, unit_a's running one (issued); answered: the rest but
    # the cancelled; overdue: team_a's unanswered
    assert counts == queries.OpenCounts(open=8, awaiting=2, answered=6, overdue=1)
    rows = queries.open_by_unit(now=at("2026-11-25 12:00"))
    found = [(r["unit__name"], r["open"], r["overdue"]) for r in rows]
    assert found[0] == ("环卫一中队", 2, 1)  # the most overdue first
    assert set(found[1:]) == {("市政设施管理处", 3, 0), ("环境卫生管理处", 3, 0)}
    assert queries.overdue_orders(now=at("2026-11-25 12:00")).count() == 1
    assert queries.open_orders().count() == 8


def test_many_orders_cost_no_more_queries_to_count(people, org, django_assert_num_queries):
    for _ in range(5):
        finding(people, org.unit_a)
    with django_assert_num_queries(1):
        queries.answered_on_time([org.bureau, org.unit_a, org.unit_b], dt.date(2026, 11, 1),
                                 dt.date(2026, 12, 1))
    with django_assert_num_queries(1):
        queries.open_counts()


# --- the console --------------------------------------------------------------------------------
def test_the_list_is_scoped_filtered_and_pinned(client, people, org,
                                                django_assert_num_queries):
    for n in range(30):
        unit = org.unit_a if n % 2 else org.unit_b
        made = finding(people, unit, title=f"检查发现 {n}")
        if n % 3 == 0:
            actions.answer(people.head_a if n % 2 else people.head_b, made, "已办。",
                           at=MONDAY)
    client.force_login(people.supervisor)
    url = reverse("console:orders")
    # session, user, grants, the unit choices, the state counts, the page's count and
    # rows, the overdue count, unread messages, identity (profile, roles), session save (3)
    with django_assert_num_queries(14):
        page = client.get(url)
    assert len(page.context["page"].object_list) == 30
    assert page.context["counts"]["answered"] == 10
    page = client.get(url, {"state": "answered", "unit": "huanwei"})
    assert {o.title for o in page.context["page"]} == {
        f"检查发现 {n}" for n in range(30) if n % 2 and n % 3 == 0}
    assert page.context["page"].paginator.count == 5
    overdue = client.get(url, {"overdue": "on"})  # every unanswered order is past 25 Nov
    assert overdue.context["page"].paginator.count == 20
    client.force_login(people.head_a)
    mine = client.get(url)
    assert mine.context["page"].paginator.count == 15
    client.force_login(people.receiver)
    assert client.get(url).status_code == 403


def test_pages_refuse_or_hide_what_a_person_may_not_see(client, people, org):
    order = finding(people, org.unit_a)
    detail = reverse("console:order", args=[order.number])
    client.force_login(people.handler_b)
    assert client.get(detail).status_code == 404
    assert client.get(reverse("console:order_issue")).status_code == 403
    response = client.post(reverse("console:order_act", args=[order.number, "answer"]),
                           {"text": "已办。"})
    assert response.status_code == 404
    client.force_login(people.head_a)
    page = client.get(detail).content.decode()
    assert 'data-action="answer"' in page and 'data-action="accept"' not in page
    assert 'enctype="multipart/form-data"' in page
    assert client.get(reverse("console:order_issue")).status_code == 403


def test_the_unit_answers_and_the_office_accepts_in_the_console(client, people, org):
    order = finding(people, org.unit_a)
    client.force_login(people.head_a)
    act = reverse("console:order_act", args=[order.number, "answer"])
    empty = client.post(act, {"text": ""})
    assert empty.status_code == 400 and "请填写反馈内容。" in empty.content.decode()
    response = client.post(act, {"text": "已清运完毕。", "photos": [photo()], "files": [pdf()]},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<html" not in response.content.decode()
    order.refresh_from_db()
    assert order.state == S.ANSWERED and order.photos.exclude(answer=None).count() == 1
    client.force_login(people.supervisor)
    page = client.get(reverse("console:order", args=[order.number])).content.decode()
    assert "已清运完毕。" in page and "整改报告.pdf" in page
    download = client.get(reverse("console:order_file",
                                  args=[order.number, order.files.get().pk]))
    assert download.status_code == 200 and b"".join(download.streaming_content) == PDF
    client.post(reverse("console:order_act", args=[order.number, "accept"]), {"note": "好。"})
    order.refresh_from_db()
    assert order.state == S.ACCEPTED
    again = client.post(reverse("console:order_act", args=[order.number, "accept"]),
                        {"note": ""})
    assert again.status_code == 400 and "不能办结" in again.content.decode()
    client.force_login(people.handler_b)
    assert client.get(reverse("console:order_file",
                              args=[order.number, order.files.get().pk])).status_code == 404


def test_the_issue_form_for_each_subject(client, people, org, categories):
    from activities import actions as activities
    from campaigns import actions as campaigns
    from projects import actions as projects

    client.force_login(people.supervisor)
    url = reverse("console:order_issue")
    common = {"title": "督办", "requirement": "请说明。", "deadline": "2099-12-10T17:30"}
    demand = handling(people, org, categories.litter)
    # from the demand's page: the form comes filled
    page = client.get(url, {"demand": demand.number})
    assert page.context["form"].initial["demand"] == demand.number
    assert page.context["form"].initial["unit"] == "huanwei"
    response = client.post(url, {**common, "subject_kind": "demand", "demand": demand.number})
    order = SupervisionOrder.objects.get()
    assert response.status_code == 302 and response["Location"] == order.get_absolute_url()
    assert order.unit == org.unit_a and list(order.demands.all()) == [demand]
    # the overdue demands of a category at a unit make a set
    late = handling(people, org, categories.litter, "2026-11-20 09:00",
                    requester_phone="13905270001")
    response = client.post(url, {**common, "subject_kind": "demands", "unit": "huanwei",
                                 "category": categories.litter.code})
    made = SupervisionOrder.objects.get(subject_kind="demands")
    assert set(made.demands.all()) == {demand, late}  # both past their 4 working hours
    assert made.criteria.startswith("暴露垃圾类超期诉求 2 件")
    none = client.post(url, {**common, "subject_kind": "demands", "unit": "shizheng",
                             "category": categories.litter.code})
    assert none.status_code == 400 and "没有符合条件的诉求" in none.content.decode()
    # a project, a commitment, a target behind pace, a finding with photos
    project = projects.create(people.office, title="公厕提档升级", responsible_unit=org.unit_b,
                              deadline="2099-12-31")
    client.post(url, {**common, "subject_kind": "project", "project": project.pk})
    assert SupervisionOrder.objects.get(subject_kind="project").unit == org.unit_b
    promise = _commitment(people, org)
    client.post(url, {**common, "subject_kind": "commitment", "commitment": promise.pk})
    assert SupervisionOrder.objects.get(subject_kind="commitment").unit == org.unit_b
    today = timezone.localdate()
    campaign = campaigns.create_campaign(
        {"code": "smy", "name": "三满意", "motto": "满意", "starts_on": today - dt.timedelta(90),
         "ends_on": today + dt.timedelta(90), "office_unit": org.supervision},
        by=people.office, participants=[org.unit_a])
    target = activities.save_target(campaign, {"label": "每月走访", "kind": "visit",
                                               "count": 12, "subject": "person",
                                               "user": people.head_a}, by=people.office)
    form = client.get(url, {"subject_kind": "target"}).context["form"]
    choice = f"{target.pk}:u{people.head_a.pk}"
    assert choice in dict(form.fields["target_row"].choices)
    client.post(url, {**common, "subject_kind": "target", "target_row": choice})
    made = SupervisionOrder.objects.get(subject_kind="target")
    assert made.unit == org.unit_a and made.target == target
    assert made.criteria.startswith("王处长：已完成 0 次")
    response = client.post(url, {**common, "subject_kind": "finding", "unit": "shizheng",
                                 "finding": "井盖缺失。", "finding_place": "西湖路",
                                 "photo_files": [photo(), photo("2.jpg")]})
    made = SupervisionOrder.objects.get(subject_kind="finding")
    assert made.photos.count() == 2 and made.unit == org.unit_b
    missing = client.post(url, {**common, "subject_kind": "finding", "finding": "井盖缺失。"})
    assert missing.status_code == 400 and "请选择被督办单位。" in missing.content.decode()


def test_the_home_page_shows_the_units_open_orders_and_the_offices_overdue(client, people,
                                                                          org):
    late = finding(people, org.unit_a, title="早已逾期", deadline=at("2026-11-24 09:00"))
    finding(people, org.unit_a, title="尚未到期", deadline=at("2099-01-01 09:00"))
    answered = finding(people, org.unit_b, title="已反馈待审", deadline=at("2099-01-01 09:00"))
    actions.answer(people.head_b, answered, "已办。", at=MONDAY)
    client.force_login(people.head_a)
    page = client.get(reverse("console:home"))
    rows = page.context["orders"]["rows"]
    assert [o.title for o in rows] == ["早已逾期", "尚未到期"]  # by deadline
    body = page.content.decode()
    assert 'data-testid="todo-orders_awaiting"' in body
    client.force_login(people.supervisor)
    page = client.get(reverse("console:home"))
    items = {item["key"]: item["count"] for item in page.context["todo"]}
    assert items["orders_overdue"] == "1" and items["orders_answered"] == "1"
    assert [o.title for o in page.context["orders"]["rows"]] == [late.title]


def test_a_demands_page_lists_its_orders_and_offers_to_issue_one(client, people, org,
                                                                  categories):
    demand = handling(people, org, categories.litter)
    page = reverse("console:demand_detail", args=[demand.number])
    link = f'{reverse("console:order_issue")}?demand={demand.number}'
    client.force_login(people.supervisor)
    assert link in client.get(page).content.decode()
    order = actions.issue(people.supervisor, subject_kind=K.DEMAND, demands=[demand],
                          title="关于诉求办理的督办", requirement="说明。", at=MONDAY)
    client.force_login(people.handler_a)  # sees the order, may not issue one
    body = client.get(page).content.decode()
    assert order.number in body and link not in body


def test_the_nav_shows_the_orders_to_who_may_see_them(client, people):
    for name, shown in (("handler_a", True), ("supervisor", True), ("leader", True),
                        ("receiver", False), ("dispatcher", False)):
        client.force_login(getattr(people, name))
        nav = client.get(reverse("console:home")).content.decode()
        assert (">督查考核<" in nav and ">督查督办<" in nav) == shown, name


def test_the_demo_has_an_order_in_every_state_made_by_the_actions(db):
    from django.core.management import call_command

    call_command("load_demo", verbosity=0)
    orders = SupervisionOrder.objects.all()
    assert set(orders.values_list("state", flat=True)) == set(S.values)
    # a set of overdue demands when the demo's year left some past their time limit at a
    # unit (the tests' small demo may not: then that order is about one demand)
    assert set(K.values) - {K.DEMANDS} <= set(orders.values_list("subject_kind", flat=True))
    assert orders.filter(overdue=True).exclude(escalated_at=None).exists()
    assert orders.exclude(rectification=None).count() == 1
    for order in orders:  # every step an event, from the issue on
        assert order.events.first().kind == "issue"
    call_command("load_demo", verbosity=0)  # a second run adds nothing
    assert SupervisionOrder.objects.count() == orders.count()
