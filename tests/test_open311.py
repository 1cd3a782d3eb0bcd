"""Open311 GeoReport v2: every endpoint and error, XML and JSON, and a third-party client."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from demands.actions.intake import register
from demands.models import Demand
from org.models import ApiToken

from .demand_helpers import intake

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.fixture
def key(personas):
    return ApiToken.issue(personas.receiver, "open311 client")[1]


def xml(response):
    return ET.fromstring(response.content)


def post(client, fmt, **data):
    return client.post(f"{BASE}/requests.{fmt}", data)


GOOD = {"service_code": "baolu-laji", "lat": "33.963", "long": "118.275",
        "description": "小区门口垃圾堆积", "first_name": "芳", "last_name": "王",
        "phone": "13905271234", "address_string": "宿迁市幸福路12号"}


def test_discovery_and_services_in_both_formats(client, categories):
    discovery = client.get(f"{BASE}/discovery.json").json()
    assert discovery["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert xml(client.get(f"{BASE}/discovery.xml")).tag == "discovery"
    services = client.get(f"{BASE}/services.json").json()
    assert {s["service_code"] for s in services} == {"baolu-laji", "zhandao"}
    assert all(isinstance(s["service_code"], str) and s["metadata"] is True for s in services)
    root = xml(client.get(f"{BASE}/services.xml"))
    assert root.tag == "services" and root.find("service/service_code").text
    assert client.get(f"{BASE}/services.html").status_code == 404


def test_service_definition_and_unknown_service(client, categories):
    definition = client.get(f"{BASE}/services/baolu-laji.json").json()
    attribute = definition["attributes"][0]
    assert attribute["code"] == "requester_kind" and attribute["datatype"] == "singlevaluelist"
    assert {v["key"] for v in attribute["values"]} == {"citizen", "grassroots", "enterprise"}
    root = xml(client.get(f"{BASE}/services/baolu-laji.xml"))
    assert root.find("attributes/attribute/values/value/key") is not None
    missing = client.get(f"{BASE}/services/nope.json")
    assert missing.status_code == 404 and missing.json()[0]["code"] == "404"
    assert xml(client.get(f"{BASE}/services/nope.xml")).find("error/description") is not None


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_posting_a_request(client, key, categories, fmt):
    response = post(client, fmt, api_key=key, **GOOD)
    assert response.status_code == 201
    if fmt == "json":
        request_id = response.json()[0]["service_request_id"]
    else:
        request_id = xml(response).find("request/service_request_id").text
    demand = Demand.objects.get(number=request_id)
    assert demand.channel == "open311" and demand.requester_name == "王 芳"
    assert float(demand.latitude) == 33.963


@pytest.mark.parametrize(("data", "status"), [
    ({"api_key": "smy_bad_key"}, 403), ({"api_key": ""}, 403),
    ({"service_code": ""}, 400), ({"service_code": "nope"}, 404),
    ({"lat": "", "long": "", "address_string": ""}, 400),
    ({"lat": "118.2", "long": "33.9"}, 400),  # swapped: not in China
])
def test_posting_errors_follow_the_spec(client, key, categories, data, status):
    body = {**GOOD, "api_key": key, **data}
    if "api_key" in data and not data["api_key"]:
        body.pop("api_key")
    response = post(client, "json", **body)
    assert response.status_code == status
    assert response.json()[0]["code"] == str(status) and response.json()[0]["description"]
    # English for the spec's clients, then Chinese for a person reading it
    assert re.search(r"[a-z].* / .*[\u4e00-\u9fff]", response.json()[0]["description"])
    as_xml = post(client, "xml", **body)
    assert as_xml.status_code == status and xml(as_xml).tag == "errors"
    assert Demand.objects.count() == 0


def test_reading_requests_filters_and_privacy(client, key, personas, categories, org):
    ids = [post(client, "json", api_key=key, **GOOD).json()[0]["service_request_id"]
           for _ in range(3)]
    hidden, _ = register(personas.receiver, intake(categories.litter))  # no consent
    listing = client.get(f"{BASE}/requests.json").json()
    assert {r["service_request_id"] for r in listing} == set(ids)
    first = listing[0]
    assert first["status"] == "open" and first["requested_datetime"].endswith("+08:00")
    assert first["address"] == "宿迁市幸福路附近"
    text = client.get(f"{BASE}/requests.xml").content.decode()
    for secret in ("13905271234", "王 芳", hidden.number):
        assert secret not in text
    assert len(client.get(f"{BASE}/requests.json?page_size=2").json()) == 2
    assert len(client.get(f"{BASE}/requests.json?page_size=2&page=2").json()) == 1
    assert client.get(f"{BASE}/requests.json?status=closed").json() == []
    assert len(client.get(f"{BASE}/requests.json?service_code=zhandao").json()) == 0
    one = client.get(f"{BASE}/requests.json?service_request_id={ids[0]},{ids[1]}").json()
    assert len(one) == 2
    old = client.get(f"{BASE}/requests.json", {"end_date": "2020-01-01T00:00:00+08:00"})
    assert old.json() == []
    # a client that forgot to encode "+" sends a space: still understood
    unencoded = client.get(f"{BASE}/requests.json?end_date=2020-01-01T00:00:00+08:00")
    assert unencoded.json() == []
    bad = client.get(f"{BASE}/requests.json?start_date=yesterday")
    assert bad.status_code == 400 and bad.json()[0]["code"] == "400"
    assert client.get(f"{BASE}/requests.json?status=lost").status_code == 400


def test_single_request_and_tokens(client, key, categories):
    request_id = post(client, "json", api_key=key, **GOOD).json()[0]["service_request_id"]
    detail = client.get(f"{BASE}/requests/{request_id}.json").json()
    assert detail[0]["service_request_id"] == request_id
    assert detail[0]["expected_datetime"] is None  # no deadline before a receiver takes it
    assert xml(client.get(f"{BASE}/requests/{request_id}.xml")).find(
        "request/status").text == "open"
    assert client.get(f"{BASE}/requests/991231-ZZZZZZ.json").status_code == 404
    token = client.get(f"{BASE}/tokens/{request_id}.json").json()
    assert token[0]["service_request_id"] == request_id
    assert client.get(f"{BASE}/tokens/nothing.xml").status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_third_party_client_reads_services_and_requests(live_server, key, categories, fmt,
                                                          transactional_db):
    from django.test import Client
    from georeport import GeoReport  # pip package "georeport": not written here

    request_id = Client().post(f"{BASE}/requests.json", {**GOOD, "api_key": key}) \
        .json()[0]["service_request_id"]
    client = GeoReport(f"{live_server.url}{BASE}", output_format=fmt)
    services = client.get_service_list()
    assert "baolu-laji" in str(services)
    definition = client.get_service_definition("baolu-laji")
    assert "requester_kind" in str(definition)
    found = client.get_service_request(request_id)
    assert request_id in str(found)
    listing = client.get_service_requests(start_date=timezone.now() - timezone.timedelta(days=1))
    assert request_id in str(listing)
