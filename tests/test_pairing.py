"""Enterprise pairing (issue #12, item 5): the actions' refusals (Chinese, nothing saved),
and a paired cadre's sight of their enterprises' demands — in the list, the detail page,
search, the export and the API alike, never another enterprise's, and no longer once the
pairing is out of reach (its year and the next)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.urls import reverse

from demands import queues
from demands.models import Demand
from enterprises import actions, queries
from enterprises.models import Enterprise, Pairing, PairingGoal, Secondment
from insights import search
from lib import creditcode
from lib.errors import ActionError
from org import access
from org.models import Role

from .conftest import make_staff
from .demand_helpers import at, handling

TZ = dt.timezone(dt.timedelta(hours=8))
NOW = dt.datetime(2026, 7, 20, 10, 0, tzinfo=TZ)
BACKEND = "django.contrib.auth.backends.ModelBackend"


def fresh(user):
    """The user as a new request would load them (nothing cached on the object)."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def office(org):
    return make_staff("office", "吴办公", org.bureau, (Role.OFFICE, None))


@pytest.fixture
def firms(db):
    return (Enterprise.objects.create(name="科思化工", industry="化工"),
            Enterprise.objects.create(name="江苏托维亮化科技有限公司", industry="照明"))


# --- actions: refusals in Chinese, nothing half-saved ----------------------------------------
@time_machine.travel(NOW, tick=False)
def test_a_pairing_is_saved_with_its_cadres_once_per_enterprise_unit_and_year(
        org, personas, office, firms):
    kosi, _ = firms
    pairing = actions.save_pairing(kosi, org.unit_a, 2026, [personas.handler_a.pk],
                                   "每季度走访一次。", office)
    assert list(pairing.cadres.all()) == [personas.handler_a]
    with pytest.raises(ActionError) as refused:
        actions.save_pairing(kosi, org.unit_a, "2026", [personas.handler_b.pk], "", office)
    assert refused.value.field == "unit"
    assert "环境卫生管理处 2026 年已挂钩“科思化工”" in refused.value.message
    assert Pairing.objects.count() == 1
    assert list(Pairing.objects.get().cadres.all()) == [personas.handler_a]
    # the same unit next year, and another unit this year, are new pairings
    actions.save_pairing(kosi, org.unit_a, 2027, [personas.handler_a], "", office)
    actions.save_pairing(kosi, org.unit_b, 2026, [personas.handler_b], "", office)
    assert Pairing.objects.count() == 3


@time_machine.travel(NOW, tick=False)
@pytest.mark.parametrize(("change", "field", "message"), [
    ({"cadres": []}, "cadres", "请选择挂钩干部。"),
    ({"cadres": [999_999]}, "cadres", "挂钩干部中有无效或已停用的账号。"),
    ({"year": "明年"}, "year", "请填写年度（如 2026）。"),
    ({"year": 2030}, "year", "年度应在 2000 至 2027 年之间。"),
    ({"unit": None}, "unit", "请选择有效的挂钩单位。"),
    ({"enterprise": None}, "enterprise", "请选择名录中启用的企业。"),
    ({"plan": "计" * 4001}, "plan", "帮办计划不能超过 4000 字（现为 4001 字）。"),
])
def test_a_bad_pairing_is_refused_and_nothing_is_saved(org, personas, office, firms, change,
                                                       field, message):
    values = {"enterprise": firms[0], "unit": org.unit_a, "year": 2026,
              "cadres": [personas.handler_a.pk], "plan": "走访。", **change}
    with pytest.raises(ActionError) as refused:
        actions.save_pairing(values["enterprise"], values["unit"], values["year"],
                             values["cadres"], values["plan"], office)
    assert (refused.value.field, refused.value.message) == (field, message)
    assert not Pairing.objects.exists()
    assert not Pairing.cadres.through.objects.exists()


def test_only_pairing_managers_pair_and_keep_the_register(org, personas, firms):
    for person in (personas.head_a, personas.handler_a, personas.supervisor,
                   personas.dispatcher):
        with pytest.raises(ActionError) as refused:
            actions.save_pairing(firms[0], org.unit_a, 2026, [personas.handler_a], "", person)
        assert refused.value.code == "forbidden"
        with pytest.raises(ActionError):
            actions.save_enterprise({"name": "新企业"}, person)
    assert not Pairing.objects.exists()
    assert Enterprise.objects.count() == 2


def test_the_register_checks_names_codes_and_phones(office, firms):
    with pytest.raises(ActionError) as refused:
        actions.save_enterprise({"name": "科思化工"}, office)
    assert refused.value.message == "企业“科思化工”已在名录中。"
    bad = creditcode.complete("91321300MA1XCG5K2")[:-1] + "0"
    if creditcode.is_valid(bad):
        bad = bad[:-1] + "1"
    with pytest.raises(ActionError) as refused:
        actions.save_enterprise({"name": "宿迁新企业", "credit_code": bad}, office)
    assert refused.value.field == "credit_code"
    assert "校验位" in refused.value.message
    with pytest.raises(ActionError) as refused:
        actions.save_enterprise({"name": "宿迁新企业", "contact_phone": "打电话"}, office)
    assert refused.value.message == "联系电话格式不正确。"
    with pytest.raises(ActionError) as refused:
        actions.save_enterprise({"name": "  "}, office)
    assert refused.value.message == "请填写企业名称。"
    assert Enterprise.objects.count() == 2
    code = creditcode.complete("91321300MA1XCG5K2")
    made = actions.save_enterprise({"name": "宿迁新企业", "credit_code": code.lower(),
                                    "contact_phone": "0527-84361234"}, office)
    assert made.credit_code == code
    actions.save_enterprise({"name": "宿迁新企业（更名）", "credit_code": code}, office, made)
    assert Enterprise.objects.get(pk=made.pk).name == "宿迁新企业（更名）"
    with pytest.raises(ActionError) as refused:
        actions.save_enterprise({"name": "又一家企业", "credit_code": code}, office)
    assert refused.value.message == f"统一社会信用代码 {code} 已属于名录中的另一家企业。"


@time_machine.travel(NOW, tick=False)
def test_a_goal_is_due_in_its_year_and_done_only_with_evidence(org, personas, office, firms):
    pairing = actions.save_pairing(firms[0], org.unit_a, 2026, [personas.handler_a], "",
                                   office)
    with pytest.raises(ActionError) as refused:
        actions.add_goal(pairing, "", None, personas.head_a)
    assert refused.value.message == "请填写年度目标。"
    with pytest.raises(ActionError) as refused:
        actions.add_goal(pairing, "协调道路照明", "2027-03-01", personas.head_a)
    assert refused.value.message == "完成时限应在 2026 年内。"
    assert not PairingGoal.objects.exists()
    # the paired unit's head adds and completes goals; another unit's head may not
    goal = actions.add_goal(pairing, "协调道路照明", "2026-09-30", personas.head_a)
    head_b = make_staff("head_b", "陈处长", org.unit_b, (Role.UNIT_HEAD, org.unit_b))
    with pytest.raises(ActionError) as refused:
        actions.add_goal(pairing, "另一项", None, head_b)
    assert refused.value.code == "forbidden"
    with pytest.raises(ActionError) as refused:
        actions.complete_goal(goal, "2026-07-19", "   ", personas.head_a)
    assert refused.value.message == "请填写完成情况（佐证材料）。"
    with pytest.raises(ActionError) as refused:
        actions.complete_goal(goal, "2026-07-21", "路灯已安装。", personas.head_a)
    assert refused.value.message == "完成日期不能晚于今天。"
    goal.refresh_from_db()
    assert (goal.done_on, goal.evidence) == (None, "")
    actions.complete_goal(goal, "2026-07-19", "路灯 12 盏已安装，企业回执附后。", personas.head_a)
    goal.refresh_from_db()
    assert goal.done_on == dt.date(2026, 7, 19)
    actions.reopen_goal(goal, office)
    goal.refresh_from_db()
    assert goal.done_on is None and goal.evidence.startswith("路灯")


def test_a_secondment_needs_a_destination_and_ordered_dates(org, personas, office, firms):
    base = {"cadre": personas.handler_a.pk, "starts_on": "2026-03-01"}
    with pytest.raises(ActionError) as refused:
        actions.save_secondment(base, office)
    assert (refused.value.field, refused.value.message) == (
        "enterprise", "请选择派驻企业或填写重点项目名称（至少其一）。")
    with pytest.raises(ActionError) as refused:
        actions.save_secondment({**base, "enterprise": firms[0], "ends_on": "2026-02-28"},
                                office)
    assert (refused.value.field, refused.value.message) == ("ends_on",
                                                            "结束日期不能早于开始日期。")
    with pytest.raises(ActionError) as refused:
        actions.save_secondment({**base, "cadre": "", "enterprise": firms[0]}, office)
    assert refused.value.message == "请选择选派干部。"
    with pytest.raises(ActionError) as refused:
        actions.save_secondment({**base, "project_name": "古黄河风光带"}, personas.head_a)
    assert refused.value.code == "forbidden"
    assert not Secondment.objects.exists()
    sent = actions.save_secondment({**base, "project_name": "古黄河风光带",
                                    "ends_on": "2026-03-01"}, office)
    assert (sent.enterprise, sent.project_name) == (None, "古黄河风光带")


# --- a paired cadre sees their enterprises' demands ------------------------------------------
@pytest.fixture
def paired(org, personas, office, categories, firms):
    """handler_b (市政设施管理处) is a cadre of 科思化工's 2026 pairing with 环境卫生管理处;
    each firm has one demand, both handled by 环境卫生管理处 — outside handler_b's unit."""
    kosi, tuowei = firms
    with time_machine.travel(NOW, tick=False):
        actions.save_pairing(kosi, org.unit_a, 2026, [personas.handler_b], "", office)
    mine = handling(personas, org, categories.litter, when="2026-06-01 09:00",
                    requester_kind="enterprise", enterprise=kosi, requester_org="科思化工",
                    title="厂区门口道路破损")
    other = handling(personas, org, categories.litter, when="2026-06-02 09:00",
                     requester_kind="enterprise", enterprise=tuowei,
                     requester_org="托维亮化", title="厂区门口道路破损")
    return mine, other


@time_machine.travel(NOW, tick=False)
def test_a_cadre_sees_their_enterprises_demands_and_not_anothers(personas, paired):
    mine, other = paired
    cadre = fresh(personas.handler_b)
    assert set(queues.visible(cadre)) == {mine}
    assert access.can(fresh(personas.handler_b), "demand.view", mine)
    assert not access.can(fresh(personas.handler_b), "demand.view", other)
    # read-only: viewing gives no action on it
    assert not access.can(fresh(personas.handler_b), "demand.handle", mine)
    assert not access.can(fresh(personas.handler_b), "demand.urge", mine)
    # search agrees (the word and the exact number)
    hits = search.search(fresh(personas.handler_b), "道路破损").hits
    assert [hit.demand for hit in hits] == [mine]
    assert search.search(fresh(personas.handler_b), other.number).hits == []
    # another handler of the same unit, not a cadre, sees neither
    colleague = make_staff("colleague", "周承办", mine.current_unit.parent or mine.current_unit,
                           (Role.HANDLER, personas.handler_b.staff.unit))
    assert not queues.visible(colleague).filter(pk__in=[mine.pk, other.pk]).exists()


@time_machine.travel(NOW, tick=False)
def test_the_demand_pages_agree_for_a_cadre(client, personas, paired):
    mine, other = paired
    client.force_login(personas.handler_b, backend=BACKEND)
    listed = client.get(reverse("console:demand_list"), {"queue": "all", "paired": "1"})
    assert [demand.number for demand, _ in listed.context["rows"]] == [mine.number]
    assert "我挂钩的企业" in listed.content.decode()
    everything = client.get(reverse("console:demand_list"), {"queue": "all"})
    numbers = {demand.number for demand, _ in everything.context["rows"]}
    assert mine.number in numbers and other.number not in numbers
    detail = client.get(reverse("console:demand_detail", args=[mine.number]))
    assert detail.status_code == 200
    assert detail.context["panels"] == []  # read-only
    assert client.get(reverse("console:demand_detail", args=[other.number])).status_code == 404
    api = client.get(f"/api/v1/demands/{mine.number}")
    assert api.status_code == 200
    assert client.get(f"/api/v1/demands/{other.number}").status_code == 404


@time_machine.travel(NOW, tick=False)
def test_the_export_of_a_cadre_holding_export_agrees(client, org, office, personas, paired):
    from openpyxl import load_workbook

    mine, other = paired
    head_b = make_staff("head_b", "陈处长", org.unit_b, (Role.UNIT_HEAD, org.unit_b))
    pairing = Pairing.objects.get()
    pairing.cadres.add(head_b)
    client.force_login(head_b, backend=BACKEND)
    response = client.get(reverse("console:demand_export"), {"queue": "all", "paired": "1"})
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    cells = {cell for row in book.active.iter_rows(values_only=True) for cell in row}
    assert mine.number in cells and other.number not in cells


def test_the_filter_is_offered_to_cadres_only(client, personas, paired):
    client.force_login(personas.handler_a, backend=BACKEND)
    response = client.get(reverse("console:demand_list"), {"queue": "all"})
    assert "paired" not in response.context["form"].fields


def test_a_pairing_reaches_through_the_next_year_and_then_ends(personas, paired):
    mine, _ = paired
    Pairing.objects.update(year=2025)  # last year's pairing, seen in 2026
    for moment, sees in [(dt.datetime(2026, 12, 31, 23, 0, tzinfo=TZ), True),
                         (dt.datetime(2027, 1, 1, 0, 30, tzinfo=TZ), False)]:
        with time_machine.travel(moment, tick=False):
            cadre = fresh(personas.handler_b)
            assert queues.visible(cadre).filter(pk=mine.pk).exists() is sees
            assert access.can(fresh(personas.handler_b), "demand.view", mine) is sees
            assert (mine.enterprise_id in queries.paired_enterprise_ids(cadre)) is sees


def test_a_demand_of_no_enterprise_is_not_reached(personas, org, categories, paired):
    plain = handling(personas, org, categories.litter, when="2026-06-03 09:00")
    with time_machine.travel(NOW, tick=False):
        assert not access.can(fresh(personas.handler_b), "demand.view", plain)
        assert Demand.objects.filter(enterprise__isnull=True).count() == 1


def test_filter_and_single_object_answers_agree_for_a_cadre(personas, paired):
    with time_machine.travel(NOW, tick=False):
        for person in (personas.handler_b, personas.handler_a, personas.receiver):
            user = fresh(person)
            listed = set(access.filter_for(user, "demand.view", Demand.objects.all()))
            assert listed == {d for d in Demand.objects.all()
                              if access.can(fresh(person), "demand.view", d)}


@time_machine.travel(NOW, tick=False)
def test_the_satisfaction_series_of_an_enterprise(personas, paired):
    """Twelve months to July 2026; the first evaluations by hand: May — 5 and 2 (1/2 =
    50.0%), July — 4 (1/1 = 100.0%); an evaluation of the other firm does not count."""
    from demands import kpis

    mine, other = paired
    kosi = mine.enterprise
    Demand.objects.filter(pk=mine.pk).update(first_evaluated_at=at("2026-07-03 10:00"),
                                             first_evaluation_level=4)
    Demand.objects.filter(pk=other.pk).update(first_evaluated_at=at("2026-05-03 10:00"),
                                              first_evaluation_level=1)
    for number, level in (("A1", 5), ("A2", 2)):
        copy = Demand.objects.get(pk=mine.pk)
        copy.pk, copy.number = None, f"{mine.number}{number}"
        copy.first_evaluated_at, copy.first_evaluation_level = at("2026-05-20 10:00"), level
        copy.save()
    series = kpis.monthly_satisfaction(Demand.objects.filter(enterprise=kosi))
    assert [label for label, _ in series] == [
        "2025-08", "2025-09", "2025-10", "2025-11", "2025-12", "2026-01", "2026-02",
        "2026-03", "2026-04", "2026-05", "2026-06", "2026-07"]
    rates = dict(series)
    assert (rates["2026-05"].numerator, rates["2026-05"].denominator) == (1, 2)
    assert str(rates["2026-05"]) == "50.0%"
    assert str(rates["2026-07"]) == "100.0%"
    assert str(rates["2026-06"]) == "—"
    assert sum(rate.denominator for rate in rates.values()) == 3

