"""A success message is shown once (issue #9, item 6: after 受理登记 it appeared twice —
the console's base page and the demand panel both rendered the messages)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from demands.models import Demand

from .demand_helpers import registered

pytestmark = pytest.mark.django_db


def test_the_registration_message_appears_once(client, personas, categories):
    client.force_login(personas.receiver)
    response = client.post(reverse("console:demand_register"), {
        "requester_kind": "citizen", "requester_name": "刘先生", "requester_phone": "13812345678",
        "channel": "12319", "category": "baolu-laji", "title": "路边垃圾",
        "content": "黄河路公交站旁有垃圾堆。", "address": "黄河路公交站",
    }, follow=True)
    page = response.content.decode()
    number = Demand.objects.get().number
    assert page.count(f"已受理，诉求编号 {number}") == 1


def test_an_action_message_appears_once_with_and_without_htmx(client, personas, org,
                                                               categories):
    client.force_login(personas.dispatcher)
    first, second = (registered(personas, categories.litter, "2026-11-23 09:00")
                     for _ in range(2))
    url = reverse("console:demand_act", args=[first.number, "dispatch"])
    page = client.post(url, {"unit": org.unit_a.code}, follow=True).content.decode()
    assert page.count("已派遣。") == 1
    url = reverse("console:demand_act", args=[second.number, "dispatch"])
    panel = client.post(url, {"unit": org.unit_a.code}, HTTP_HX_REQUEST="true").content.decode()
    assert panel.count("已派遣。") == 1
