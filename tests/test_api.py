"""API v1: token auth, idempotent intake, reads, actions, JSON errors in Chinese."""

from __future__ import annotations

import json

import pytest

from demands.catalogue import CATALOGUE
from demands.models import Demand, State
from org.models import ApiToken

pytestmark = pytest.mark.django_db

BODY = {"requester_kind": "citizen", "channel": "12345", "external_id": "SQ20261128-0001",
        "category": "baolu-laji", "title": "幸福路垃圾堆积", "content": "小区门口垃圾无人清运。",
        "requester_name": "王女士", "requester_phone": "13905271234",
        "longitude": "118.275", "latitude": "33.963"}


@pytest.fixture
def token(personas):
    _token, key = ApiToken.issue(personas.receiver, "12345 平台推送")
    return key


def post(client, url, body, key=None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"} if key else {}
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_the_openapi_document_is_served(client):
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["info"]["title"] == "三满意服务平台 API"
    assert "/api/v1/demands" in spec["paths"]
    # one endpoint per catalogue transition, each with its own request body
    for transition in CATALOGUE.on("api"):
        operation = spec["paths"][f"/api/v1/demands/{{number}}/actions/{transition.name}"]["post"]
        body = operation.get("requestBody")
        if not transition.inputs:
            assert body is None
            continue
        reference = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
        schema = spec["components"]["schemas"][reference]
        assert set(schema["properties"]) == {spec_.name for spec_ in transition.inputs}
        assert set(schema.get("required", [])) == {
            spec_.name for spec_ in transition.inputs if spec_.required}
    supervise = spec["paths"]["/api/v1/demands/{number}/actions/supervise"]["post"]
    reference = supervise["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert "respond_by" in spec["components"]["schemas"][reference.rsplit("/", 1)[1]][
        "properties"]


def test_intake_is_idempotent_on_channel_and_external_id(client, token, categories):
    first = post(client, "/api/v1/demands", BODY, token)
    assert first.status_code == 201
    number = first.json()["number"]
    assert first.json()["state"] == State.SUBMITTED
    again = post(client, "/api/v1/demands", {**BODY, "title": "重复推送"}, token)
    assert again.status_code == 200
    assert again.json()["number"] == number and again.json()["title"] == "幸福路垃圾堆积"
    assert Demand.objects.count() == 1


def test_no_token_no_entry(client, categories):
    response = post(client, "/api/v1/demands", BODY)
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    response = post(client, "/api/v1/demands", BODY, "smy_deadbeef_wrong")
    assert response.status_code == 401
    assert Demand.objects.count() == 0


def test_no_credentials_is_401_with_a_bearer_challenge_even_where_csrf_is_enforced(
        categories, personas):
    """RFC 7235: without a token or a session the answer is 401 with
    ``WWW-Authenticate: Bearer`` — not the CSRF check's 403, which guards sessions only."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = post(client, "/api/v1/demands", BODY)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "unauthorized"
    client.force_login(personas.receiver)  # a session without its CSRF token: refused
    assert post(client, "/api/v1/demands", BODY).status_code == 403
    assert Demand.objects.count() == 0


def test_a_token_of_a_deactivated_account_is_refused(client, token, personas, categories):
    personas.receiver.is_active = False
    personas.receiver.save()
    assert post(client, "/api/v1/demands", BODY, token).status_code == 401


@pytest.mark.parametrize(("change", "status", "needle"), [
    ({"category": "no-such"}, 422, "不存在"),
    ({"title": "x" * 101}, 422, "title"),
    ({"requester_kind": "alien"}, 422, "requester_kind"),
    ({"latitude": "north"}, 422, "latitude：必须是数字"),
    ({"title": ""}, 422, "title：不能为空"),
    ({"longitude": "33.9", "latitude": "118.2"}, 422, "经纬度是否填反"),
    ({"requester_phone": "call me"}, 422, "联系电话"),
])
def test_bad_input_is_a_json_error_with_a_chinese_message(client, token, categories, change,
                                                          status, needle):
    response = post(client, "/api/v1/demands", {**BODY, **change}, token)
    assert response.status_code == status
    body = response.json()
    assert body["code"] == "invalid"
    assert needle in body["message"] + json.dumps(body.get("errors"), ensure_ascii=False)
    assert Demand.objects.count() == 0


def test_a_handler_token_may_not_submit(client, personas, categories):
    _token, key = ApiToken.issue(personas.handler_a, "误发")
    response = post(client, "/api/v1/demands", BODY, key)
    assert response.status_code == 403
    assert response.json()["message"] == "该账号没有提交诉求的权限。"


def test_the_whole_loop_through_the_api(client, token, personas, org, categories):
    number = post(client, "/api/v1/demands", BODY, token).json()["number"]
    url = f"/api/v1/demands/{number}/actions"
    assert post(client, f"{url}/receive", {}, token).json()["state"] == "received"
    _t, dispatcher = ApiToken.issue(personas.dispatcher, "派遣")
    _t, handler = ApiToken.issue(personas.handler_a, "承办")
    assert post(client, f"{url}/dispatch", {"unit": "huanwei"}, dispatcher).json()["state"] == \
        "dispatched"
    refused = post(client, f"{url}/reply", {"content": "已处理"}, handler)
    assert refused.status_code == 409 and refused.json()["code"] == "wrong_state"
    assert post(client, f"{url}/accept", {}, handler).json()["state"] == "handling"
    assert post(client, f"{url}/reply", {"content": "已清运"}, handler).json()["state"] == \
        "replied"
    done = post(client, f"{url}/evaluate", {"level": 5}, token)
    assert done.status_code == 200 and done.json()["state"] == "closed"
    events = client.get(f"/api/v1/demands/{number}/events",
                        HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert [e["kind"] for e in events] == ["submit", "receive", "dispatch", "accept", "reply",
                                           "evaluate"]


def test_another_units_handler_gets_404_not_the_demand(client, token, personas, org,
                                                       categories):
    number = post(client, "/api/v1/demands", BODY, token).json()["number"]
    _t, other = ApiToken.issue(personas.handler_b, "b")
    response = client.get(f"/api/v1/demands/{number}", HTTP_AUTHORIZATION=f"Bearer {other}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.json()["message"] == "诉求不存在或您无权查看。"


def test_listing_pages_with_a_cursor(client, token, categories):
    for i in range(5):
        post(client, "/api/v1/demands", {**BODY, "external_id": f"X-{i}"}, token)
    first = client.get("/api/v1/demands?limit=2", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert len(first["items"]) == 2 and first["next"]
    seen = [d["number"] for d in first["items"]]
    cursor = first["next"]
    while cursor:
        page = client.get(f"/api/v1/demands?limit=2&after={cursor}",
                          HTTP_AUTHORIZATION=f"Bearer {token}").json()
        seen += [d["number"] for d in page["items"]]
        cursor = page["next"]
    assert len(seen) == len(set(seen)) == 5
    bad = client.get("/api/v1/demands?limit=0", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert bad.status_code == 422


def test_the_console_session_works_too(client, personas, categories):
    client.force_login(personas.receiver, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/api/v1/demands").status_code == 200


def test_batch_intake_reports_each_item_and_keeps_the_good_ones(client, token, categories):
    items = [{**BODY, "external_id": "B-1"}, {**BODY, "external_id": "B-2", "category": "nope"},
             {**BODY, "external_id": "B-3", "title": ""}, {**BODY, "external_id": "B-1"}]
    response = post(client, "/api/v1/demands/batch", items, token)
    assert response.status_code == 200
    results = response.json()
    assert [r["code"] for r in results] == ["created", "invalid", "invalid", "exists"]
    assert "不存在" in results[1]["message"] and "title" in results[2]["message"]
    assert results[3]["number"] == results[0]["number"]
    assert Demand.objects.count() == 1
    too_many = post(client, "/api/v1/demands/batch", [BODY] * 201, token)
    assert too_many.status_code == 422 and too_many.json()["code"] == "invalid"


def test_batch_intake_marks_repeats_and_in_batch_duplicates(client, token, categories):
    items = [{**BODY, "external_id": f"R-{i}"} for i in range(3)]
    items.append({**BODY, "external_id": "R-0"})
    results = post(client, "/api/v1/demands/batch", items, token).json()
    assert [r["code"] for r in results] == ["created", "created", "created", "exists"]
    assert results[3]["number"] == results[0]["number"]
    flags = list(Demand.objects.order_by("id").values_list("is_repeat", flat=True))
    assert flags == [False, True, True]  # same phone and category within 30 days
    assert all(d.events.count() == 1 for d in Demand.objects.all())
