"""Portal defects met as a new user (issue #9 item 6): a registered enterprise's demand is
linked to it; a landline is accepted, the requester is told it gets no SMS, and evaluation
by phone takes the number as it was left."""

from __future__ import annotations

import pytest
from django.urls import reverse

from demands.actions import handover, replies
from demands.models import Demand
from enterprises.models import Enterprise
from lib import creditcode

from .test_portal import form

pytestmark = pytest.mark.django_db
CODE = creditcode.complete("91321300MA1W2X3Y4")


@pytest.fixture
def yuzhen(db):
    return Enterprise.objects.create(name="宿迁市御珍家私有限公司", short_name="御珍家私",
                                     credit_code=CODE)


@pytest.mark.parametrize("named", [
    {"requester_org": "宿迁市御珍家私有限公司"},
    {"requester_org": " 御珍家私 "},
    {"requester_org": "", "credit_code": CODE.lower()},
    {"requester_org": "御珍公司（写错了名字）", "credit_code": CODE},
])
def test_a_registered_enterprise_is_linked(client, org, categories, yuzhen, named):
    response = client.post(reverse("portal:submit"), form(requester_kind="enterprise", **named))
    assert response.status_code == 302
    demand = Demand.objects.get()
    assert demand.enterprise == yuzhen and demand.requester_org


def test_an_unregistered_or_citizen_demand_is_not_linked(client, org, categories, yuzhen):
    client.post(reverse("portal:submit"), form(requester_kind="enterprise",
                                               requester_org="宿迁市别家有限公司"))
    client.post(reverse("portal:submit"), form(requester_org="宿迁市御珍家私有限公司",
                                               requester_phone="13900001111"))
    assert [d.enterprise for d in Demand.objects.all()] == [None, None]


def test_a_wrong_credit_code_is_refused_in_chinese(client, org, categories, yuzhen):
    response = client.post(reverse("portal:submit"), form(
        requester_kind="enterprise", requester_org="御珍家私", credit_code="91321300MA1W2X3Y40"))
    assert response.status_code == 400
    assert "统一社会信用代码应为18位" in response.content.decode()
    assert Demand.objects.count() == 0


def test_a_bad_phone_is_refused_in_chinese(client, org, categories):
    response = client.post(reverse("portal:submit"), form(requester_phone="电话多少"))
    assert response.status_code == 400
    assert "请填写手机号码或固定电话" in response.content.decode()
    assert Demand.objects.count() == 0


def test_a_landline_is_accepted_and_the_requester_told_there_is_no_sms(client, org,
                                                                      categories):
    page = client.get(reverse("portal:submit")).content.decode()
    assert "留固定电话的收不到短信" in page
    done = client.post(reverse("portal:submit"), form(requester_phone="0527-84361234"),
                       follow=True).content.decode()
    assert 'data-testid="no-sms"' in done and "进度查询" in done
    mobile = client.post(reverse("portal:submit"), form(requester_phone="13905271234"),
                         follow=True).content.decode()
    assert 'data-testid="no-sms"' not in mobile and "短信请您评价" in mobile


@pytest.mark.parametrize(("left", "typed"), [
    ("0527-84361234", "0527 8436 1234"),
    ("0527-84361234", "052784361234"),
    ("13905271234", "+86 139-0527-1234"),
])
def test_evaluating_by_phone_takes_the_number_as_it_was_left(client, org, personas,
                                                             categories, left, typed):
    client.post(reverse("portal:submit"), form(requester_phone=left))
    demand = handover.receive(personas.receiver, Demand.objects.get())
    demand = handover.dispatch(personas.dispatcher, demand, org.unit_a)
    demand = handover.accept(personas.handler_a, demand)
    replies.reply(personas.handler_a, demand, "已清运。")
    track = client.post(reverse("portal:track"), {"number": demand.number,
                                                  "phone_suffix": left[-4:]}).content.decode()
    assert "评价办理结果" in track  # the way to evaluate without SMS
    done = client.post(reverse("portal:evaluate_by_phone"), {
        "number": demand.number, "phone": typed, "level": "4"}).content.decode()
    assert 'data-testid="evaluated"' in done
    assert Demand.objects.get(pk=demand.pk).evaluation_level == 4
