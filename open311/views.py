"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at /open311/v2/.

XML and JSON by the path suffix; errors as the spec's array of {code, description} with
400 / 403 / 404; dates in W3C format with +08:00; ids and codes as strings; coordinates
WGS84. Requests made here are ordinary demands with channel ``open311``. Reads show
demands whose requesters consented to publication, and those made through Open311
(whose unguessable id the client holds), through the public read model
``demands.public.masked``: the same masked texts as the board, coordinates to three
decimals; never a name, phone, ID number or internal note.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from catalog.models import Category
from demands import public
from demands.actions import intake as intake_actions
from demands.actions.intake import Intake
from demands.models import OPEN_STATES, Channel, Demand, RequesterKind
from demands.public import PublicDemand
from lib.errors import ActionError
from org.models import ApiToken

SPEC = "http://wiki.open311.org/GeoReport_v2"
# The spec's name of the field an Intake error is about.
SPEC_FIELDS = {"latitude": "lat", "longitude": "long", "requester_phone": "phone",
               "title": "description", "content": "description", "address": "address_string",
               "requester_name": "first_name/last_name", "category": "service_code",
               "requester_kind": "attribute[requester_kind]"}
MAX_LIMIT = 1000
DEFAULT_WINDOW = dt.timedelta(days=90)


# --- rendering ------------------------------------------------------------------------------
def _xml_element(tag: str, value) -> ET.Element:
    element = ET.Element(tag)
    if isinstance(value, dict):
        for key, inner in value.items():
            element.append(_xml_element(key, inner))
    elif isinstance(value, list):
        singular = {"services": "service", "service_requests": "request",
                    "attributes": "attribute", "values": "value", "endpoints": "endpoint",
                    "formats": "format", "errors": "error", "keywords": "keyword"}
        for item in value:
            element.append(_xml_element(singular.get(tag, "item"), item))
    elif value is None:
        pass
    elif isinstance(value, bool):
        element.text = "true" if value else "false"
    else:
        element.text = str(value)
    return element


def respond(fmt: str, root: str, payload, status: int = 200) -> HttpResponse:
    if fmt == "json":
        return JsonResponse(payload, status=status, safe=False,
                            json_dumps_params={"ensure_ascii": False})
    element = _xml_element(root, payload)
    body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(element, encoding="utf-8")
    return HttpResponse(body, status=status, content_type="text/xml; charset=utf-8")


def error(fmt: str, status: int, description: str, chinese: str = "") -> HttpResponse:
    """The spec's error array. Clients expect English; a person reading it gets the
    Chinese after it."""
    text = f"{description} / {chinese}" if chinese else description
    return respond(fmt, "errors", [{"code": str(status), "description": text}], status)


def w3c(moment) -> str | None:
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


def parse_w3c(text: str) -> dt.datetime:
    text = text.strip()
    if re.search(r"\d \d\d:\d\d$", text):  # an unencoded "+08:00" arrives as " 08:00"
        text = text[:-6] + "+" + text[-5:]
    moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(text)
    return moment


# --- services ---------------------------------------------------------------------------
def _categories():
    return Category.objects.filter(is_active=True, parent__isnull=False) \
        .select_related("parent").order_by("parent__sort_order", "sort_order")


def _service(category: Category) -> dict:
    return {"service_code": category.code, "service_name": category.name,
            "description": f"{category.parent.name} · {category.name}，承诺时限 "
                           f"{category.time_limit_label}",
            "metadata": True, "type": "realtime", "keywords": category.parent.name,
            "group": category.parent.name}


def discovery(request, fmt):
    base = request.build_absolute_uri(reverse("open311:discovery", args=["json"])) \
        .rsplit("/", 1)[0]
    payload = {"changeset": "2026-11-28T00:00:00+08:00", "contact": "12319",
               "key_service": "向宿迁市城市管理局申请 api_key（接口令牌）",
               "endpoints": [{"specification": SPEC, "url": base, "changeset":
                              "2026-11-28T00:00:00+08:00", "type": "production",
                              "formats": ["text/xml", "application/json"]}]}
    return respond(fmt, "discovery", payload)


def services(request, fmt):
    return respond(fmt, "services", [_service(c) for c in _categories()])


def service_definition(request, code, fmt):
    category = _categories().filter(code=code).first()
    if category is None:
        return error(fmt, 404, f"service_code {code} not found", f"服务类别 {code} 不存在")
    attribute = {"variable": True, "code": "requester_kind", "datatype": "singlevaluelist",
                 "required": False, "datatype_description": "诉求人类型（默认群众）",
                 "order": 1, "description": "您是群众、基层单位还是企业？",
                 "values": [{"key": key, "name": str(label)}
                            for key, label in RequesterKind.choices]}
    return respond(fmt, "service_definition", {"service_code": category.code,
                                               "attributes": [attribute]})


# --- requests -----------------------------------------------------------------------------
def _public(item: PublicDemand) -> dict:
    """One service request, from the public read model: the texts the board shows."""
    return {
        "service_request_id": item.number,
        "status": "open" if item.is_open else "closed",
        "status_notes": item.reply or item.state,
        "service_name": item.category_name, "service_code": item.category_code,
        "description": item.content,
        "agency_responsible": item.unit,
        "service_notice": f"承诺时限 {item.time_limit}",
        "requested_datetime": w3c(item.submitted_at),
        "updated_datetime": w3c(item.updated_at),
        "expected_datetime": w3c(item.deadline),
        "address": item.address, "address_id": None, "zipcode": None,
        "lat": item.lat, "long": item.lon,
        "media_url": None,
    }


def _readable():
    return Demand.objects.filter(Q(consent_publish=True) | Q(channel=Channel.OPEN311)) \
        .select_related("category__parent", "current_unit")


@csrf_exempt
@require_http_methods(["GET", "POST"])
def requests_view(request, fmt):
    if request.method == "POST":
        return _create(request, fmt)
    params = request.GET
    rows = _readable()
    if params.get("service_request_id"):
        ids = [part.strip() for part in params["service_request_id"].split(",") if part.strip()]
        rows = rows.filter(number__in=ids)
    else:
        try:
            end = parse_w3c(params["end_date"]) if params.get("end_date") else timezone.now()
            start = parse_w3c(params["start_date"]) if params.get("start_date") else \
                end - DEFAULT_WINDOW
        except ValueError:
            return error(fmt, 400, "start_date/end_date must be W3C datetimes, "
                                   "e.g. 2026-11-01T00:00:00+08:00",
                         "起止时间须为 W3C 格式，如 2026-11-01T00:00:00+08:00")
        if start > end:
            return error(fmt, 400, "start_date must not be after end_date",
                         "开始时间不能晚于结束时间")
        rows = rows.filter(submitted_at__gte=start, submitted_at__lte=end)
        if params.get("service_code"):
            rows = rows.filter(category__code__in=params["service_code"].split(","))
        status = params.get("status")
        if status:
            wanted = {part.strip() for part in status.split(",")}
            if not wanted <= {"open", "closed"}:
                return error(fmt, 400, "status must be open or closed",
                             "状态只能是 open 或 closed")
            if wanted == {"open"}:
                rows = rows.filter(state__in=OPEN_STATES)
            elif wanted == {"closed"}:
                rows = rows.exclude(state__in=OPEN_STATES)
    try:
        page = max(int(params.get("page", 1)), 1)
        size = min(max(int(params.get("page_size", MAX_LIMIT)), 1), MAX_LIMIT)
    except ValueError:
        return error(fmt, 400, "page and page_size must be whole numbers",
                     "page 和 page_size 须为整数")
    rows = rows.order_by("-submitted_at", "-id")[(page - 1) * size: page * size]
    return respond(fmt, "service_requests", [_public(public.masked(d)) for d in rows])


def _create(request, fmt):
    data = request.POST
    user = ApiToken.authenticate(data.get("api_key", ""))
    if user is None:
        return error(fmt, 403, "api_key is missing or invalid", "接口令牌缺失或无效")
    code = data.get("service_code", "")
    if not code:
        return error(fmt, 400, "service_code is required", "请填写服务类别")
    if not _categories().filter(code=code).exists():
        return error(fmt, 404, f"service_code {code} not found", f"服务类别 {code} 不存在")
    lat, lon = data.get("lat"), data.get("long")
    if not ((lat and lon) or data.get("address_string") or data.get("address_id")):
        return error(fmt, 400, "a location is required: lat & long, address_string or "
                               "address_id", "请提供位置：经纬度、地址或地址编号")
    description = data.get("description", "").strip()
    kind = data.get("attribute[requester_kind]", RequesterKind.CITIZEN)
    name = " ".join(part for part in (data.get("last_name", ""), data.get("first_name", ""))
                    if part).strip()
    intake = Intake(requester_kind=kind, channel=Channel.OPEN311, category=code,
                    title=(description or code)[:60], content=description or code,
                    requester_name=name, requester_phone=data.get("phone", ""),
                    address=data.get("address_string", ""), longitude=lon or None,
                    latitude=lat or None)
    try:
        demand, _created = intake_actions.submit(user, intake)
    except ActionError as failure:
        if failure.code == "forbidden":
            return error(fmt, 403, "this api_key may not submit requests", failure.message)
        name = SPEC_FIELDS.get(failure.field, "request")
        return error(fmt, 400, f"{name} is invalid", failure.message)
    return respond(fmt, "service_requests", [{
        "service_request_id": demand.number,
        "service_notice": f"承诺时限 {demand.category.time_limit_label}（自受理起）"
        if demand.category else "",
        "account_id": None}], status=201)


def request_detail(request, request_id, fmt):
    demand = _readable().filter(number=request_id).first()
    if demand is None:
        return error(fmt, 404, f"service_request_id {request_id} not found",
                     f"诉求 {request_id} 不存在或未公开")
    return respond(fmt, "service_requests", [_public(public.masked(demand))])


def token(request, token_id, fmt):
    demand = _readable().filter(number=token_id).first()
    if demand is None:
        return error(fmt, 404, f"token {token_id} not found", f"凭据 {token_id} 不存在")
    return respond(fmt, "service_requests", [{"service_request_id": demand.number,
                                              "token": token_id}])


