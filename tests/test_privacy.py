"""One sweep over every public page and API response: no full phone number, no name of a
requester who did not consent, no internal note — whatever state the demands are in."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from demands.actions import extensions, handover, oversight, replies
from demands.actions.intake import submit
from demands.models import Demand

from .demand_helpers import intake

pytestmark = pytest.mark.django_db

SECRETS = ["13911112222", "13933334444", "欧阳不公开", "内部催办说明", "内部退单理由",
           "内部督办要求", "内部派遣说明", "内部延期理由"]


def public_urls(client, numbers):
    urls = ["/", "/submit/", "/track/", "/demands/", "/services/", "/board/", "/appointments/",
            "/appointments/cancel/", "/track/evaluate/",
            "/open311/v2/requests.json", "/open311/v2/requests.xml",
            "/open311/v2/services.json", "/open311/v2/discovery.json"]
    for number in numbers:
        urls += [f"/open311/v2/requests/{number}.json", f"/open311/v2/requests/{number}.xml",
                 f"/open311/v2/tokens/{number}.json"]
    return urls


def test_no_public_response_leaks(client, org, categories, personas):
    consented, _ = submit(None, intake(
        categories.litter, channel="portal", requester_name="王公开",
        requester_phone="13911112222", consent_publish=True))
    private, _ = submit(None, intake(
        categories.litter, channel="portal", requester_name="欧阳不公开",
        requester_phone="13933334444", title="欧阳不公开家门口的垃圾"))
    for demand in (consented, private):
        demand = handover.receive(personas.receiver, demand)
        demand = handover.dispatch(personas.dispatcher, demand, org.unit_a, note="内部派遣说明")
        oversight.urge(personas.dispatcher, demand, "内部催办说明")
        oversight.supervise(personas.supervisor, demand, "内部督办要求")
        demand = handover.return_(personas.handler_a, demand, "内部退单理由")
        demand = handover.dispatch(personas.dispatcher, demand, org.unit_a)
        demand = handover.accept(personas.handler_a, demand)
        extensions.request_extension(personas.handler_a, demand, 2, "内部延期理由")
        replies.reply(personas.handler_a, demand, "已处理完毕。")
    numbers = list(Demand.objects.values_list("number", flat=True))
    pages = {url: client.get(url).content.decode() for url in public_urls(client, numbers)}
    pages["track"] = client.post(reverse("portal:track"), {
        "number": consented.number, "phone_suffix": "2222"}).content.decode()
    pages["board-unit"] = client.get(reverse("portal:board_unit",
                                             args=[org.unit_a.code])).content.decode()
    assert "已处理完毕" in pages["track"]  # the sweep looks at real content
    for url, body in pages.items():
        for secret in SECRETS:
            assert secret not in body, f"{secret!r} leaked on {url}"
        assert not re.search(r"1[3-9]\d{9}", body.replace("12319", "")), url
    # the name of the consenting requester is masked too
    assert "王公开" not in pages["/demands/"] and "王**" in pages["/demands/"]


def test_evaluating_by_number_and_full_phone(client, org, categories, personas):
    demand, _ = submit(None, intake(categories.litter, channel="portal",
                                            requester_phone="13911112222"))
    demand = handover.receive(personas.receiver, demand)
    demand = handover.dispatch(personas.dispatcher, demand, org.unit_a)
    demand = handover.accept(personas.handler_a, demand)
    replies.reply(personas.handler_a, demand, "已处理完毕。")
    url = reverse("portal:evaluate_by_phone")
    wrong = client.post(url, {"number": demand.number, "phone": "13911110000", "level": "5"})
    assert "没有找到匹配的诉求" in wrong.content.decode()
    done = client.post(url, {"number": demand.number, "phone": "13911112222", "level": "4"})
    assert 'data-testid="evaluated"' in done.content.decode()
    demand.refresh_from_db()
    assert demand.state == "closed" and demand.evaluation_level == 4
