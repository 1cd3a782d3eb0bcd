"""One public view (issue #9): the board, the tracking page, the evaluation pages and
Open311 all read a demand through ``demands.public`` and show the same masked text — no
name, phone, landline, ID-card number or exact coordinate of a requester anywhere."""

from __future__ import annotations

import html
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from demands import public
from demands.actions import replies
from demands.models import Demand

from . import test_portal
from .demand_helpers import handling

pytestmark = pytest.mark.django_db

NAME, MOBILE, LANDLINE, ID_CARD = "李建国", "13812345678", "0527-84361234", "321302198001011234"
TITLE = "李建国家门口垃圾堆积"
CONTENT = (f"我是李建国，身份证{ID_CARD}，手机 138 1234 5678，座机{LANDLINE}。"
           "幸福路12号门口垃圾两天没人清运。")
REPLY = "李先生您好，已联系物业张师傅（13905279876）清运完毕，感谢您的反映。"
SECRETS = [NAME, MOBILE, "138 1234 5678", "84361234", ID_CARD, "李先生", "张师傅",
           "13905279876", "118.275432", "33.963219", "幸福路12号3单元"]


@pytest.fixture
def replied(org, personas, categories, settings, django_capture_on_commit_callbacks):
    """A consented demand carrying every kind of personal data, replied, with the
    evaluation link the SMS carried."""
    settings.SMS_GATEWAY = "tests.test_portal.Gateway"
    test_portal.SENT.clear()
    demand = handling(personas, org, categories.litter, channel="portal",
                      requester_name=NAME, requester_phone=MOBILE, consent_publish=True,
                      title=TITLE, content=CONTENT, address="宿迁市幸福路12号3单元",
                      longitude="118.275432", latitude="33.963219")
    with django_capture_on_commit_callbacks(execute=True):
        demand = replies.reply(personas.handler_a, demand, REPLY)
    link = re.search(r"https?://[^/]+(/e/\S+/)", test_portal.SENT[-1][1]).group(1)
    return demand, link


def test_every_public_surface_shows_the_same_masked_text(client, replied):
    demand, link = replied
    item = public.masked(Demand.objects.select_related("category__parent", "current_unit")
                         .get(pk=demand.pk))
    # the read model masks what it should, and keeps what the public needs
    assert item.title == "李**家门口垃圾堆积"
    assert item.reply == "李**您好，已联系物业张**（139****9876）清运完毕，感谢您的反映。"
    assert "身份证321302********1234" in item.content
    assert "手机 138 **** 5678" in item.content and "座机0527-****1234" in item.content
    assert (item.lon, item.lat) == (118.275, 33.963)

    base = "/open311/v2"
    number = demand.number
    pages = {
        "board": client.get(reverse("portal:demands")),
        "track": client.post(reverse("portal:track"),
                             {"number": number, "phone_suffix": MOBILE[-4:]}),
        "evaluate-link": client.get(link),
        "requests.json": client.get(f"{base}/requests.json"),
        "requests.xml": client.get(f"{base}/requests.xml"),
        "request.json": client.get(f"{base}/requests/{number}.json"),
        "request.xml": client.get(f"{base}/requests/{number}.xml"),
        "token.json": client.get(f"{base}/tokens/{number}.json"),
    }
    # evaluating by number and phone (written differently) shows the progress once more
    pages["evaluate-phone"] = client.post(reverse("portal:evaluate_by_phone"), {
        "number": number, "phone": "138-1234-5678", "level": "5"})
    pages["closed.json"] = client.get(f"{base}/requests/{number}.json")
    bodies = {}
    for name, response in pages.items():
        assert response.status_code == 200, name
        bodies[name] = response.content.decode()
    assert 'data-testid="evaluated"' in bodies["evaluate-phone"]

    for name, body in bodies.items():
        for secret in SECRETS:
            assert secret not in body, f"{secret!r} on {name}"
        assert not re.search(r"\d+\.\d{4,}", re.sub(r"<[^>]*>", " ", body)), \
            f"a coordinate finer than 3 decimals on {name}"

    # the same masked text on the board, the tracking page, the evaluation pages, Open311
    for name in ("board", "track", "evaluate-link", "evaluate-phone"):
        assert html.escape(item.title) in bodies[name], name
        assert html.escape(item.reply) in bodies[name], name
    for name in ("requests.json", "request.json"):
        [record] = json.loads(bodies[name])
        assert record["description"] == item.content
        assert record["status_notes"] == item.reply
        assert (record["lat"], record["long"]) == (33.963, 118.275)
    for name in ("requests.xml", "request.xml"):
        record = ET.fromstring(pages[name].content).find("request")
        assert record.find("description").text == item.content
        assert record.find("status_notes").text == item.reply
        assert record.find("lat").text == "33.963"
    assert json.loads(bodies["closed.json"])[0]["status"] == "closed"
