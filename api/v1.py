"""API v1 (django-ninja). OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Systems authenticate with ``Authorization: Bearer smy_…`` (``manage.py create_api_token``);
the console's own pages may call it with their session (and CSRF token). Every error is
JSON: ``{"code": …, "message": "中文说明"}``. The endpoints only translate: permissions,
rules and state changes are the domain's (``org.access``, ``demands.actions``).
"""

from __future__ import annotations

from typing import Literal

from django.http import Http404
from django.utils import timezone
from ninja import NinjaAPI, Query, Schema, Status
from ninja import security as ninja_security
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import HttpBearer
from pydantic import ValidationError as PydanticError

from demands import catalogue, queues
from demands.actions.intake import Intake, submit, submit_many
from demands.catalogue import CATALOGUE
from demands.models import UNCLASSIFIED, Demand
from insights import search
from lib.errors import ActionError
from org import access
from org.models import ApiToken

from .schemas import BatchResult, DemandIn, DemandOut, DemandPage, Error, EventOut


class SessionAuth(ninja_security.SessionAuth):
    """The console's own pages calling with their session. The CSRF check applies only
    to a signed-in session: a request with neither a token nor a session is answered
    401 with ``WWW-Authenticate: Bearer`` (RFC 7235), not a CSRF 403."""

    def _get_key(self, request):
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        user = ApiToken.authenticate(token)
        if user is not None:
            request.user = user
        return user


api = NinjaAPI(
    title="三满意服务平台 API",
    version="1.0.0",
    description="诉求的提交、查询与办理。系统对接使用 Bearer 令牌；"
                "同一渠道的同一外部编号只生成一条诉求。",
    urls_namespace="api-v1",
    auth=[TokenAuth(), SessionAuth()],
)

STATUS = {"invalid": 422, "forbidden": 403, "wrong_state": 409, "conflict": 409,
          "not_found": 404}


def _error(request, status, code, message, **extra):
    return api.create_response(request, {"code": code, "message": message, **extra},
                               status=status)


@api.exception_handler(ActionError)
def on_action_error(request, error: ActionError):
    return _error(request, STATUS.get(error.code, 400), error.code, error.message,
                  field=error.field)


def _problem(item: dict) -> str:
    """A pydantic error in Chinese (the types API clients actually trigger)."""
    context = item.get("ctx") or {}
    kind = item.get("type", "")
    if kind == "missing":
        return "必填"
    if kind == "string_too_long":
        return f"不能超过 {context.get('max_length')} 个字符"
    if kind == "string_too_short":
        return "不能为空"
    if kind == "literal_error":
        return f"取值必须是 {context.get('expected', '')} 之一"
    if kind in ("decimal_parsing", "float_parsing", "int_parsing", "decimal_type"):
        return "必须是数字"
    if kind in ("bool_parsing", "bool_type"):
        return "必须是 true 或 false"
    if kind == "json_invalid":
        return "不是合法的 JSON"
    return f"格式不正确（{item.get('msg', kind)}）"


@api.exception_handler(ValidationError)
def on_validation_error(request, error: ValidationError):
    problems = []
    for item in error.errors:
        location = [str(part) for part in item.get("loc", [])]
        if location and location[0] in ("body", "query", "path"):
            location = location[1:]
        if location and location[0] in ("payload", "filters"):
            location = location[1:]
        problems.append({"field": ".".join(location) or "body", "problem": _problem(item)})
    summary = "；".join(f"{p['field']}：{p['problem']}" for p in problems)
    return _error(request, 422, "invalid", f"请求数据不符合要求——{summary}。",
                  errors=problems)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, error):
    response = _error(request, 401, "unauthorized", "需要有效的接口令牌或登录会话。")
    response["WWW-Authenticate"] = 'Bearer realm="sanmanyi"'
    return response


@api.exception_handler(Http404)
def on_not_found(request, error):
    return _error(request, 404, "not_found", "诉求不存在或您无权查看。")


def _out(demand: Demand, actions_for=None) -> dict:
    """A demand as the API shows it; with ``actions_for``, the actions that user may take
    on it now (the detail and action responses; lists leave them out)."""
    receiver = demand.first_receiver
    return {
        "number": demand.number, "state": demand.state,
        "state_label": demand.get_state_display(), "sla": demand.sla_state(),
        "requester_kind": demand.requester_kind, "channel": demand.channel,
        "external_id": demand.external_id,
        "category": demand.category.code if demand.category else None,
        "category_name": demand.category.name if demand.category else UNCLASSIFIED,
        "title": demand.title,
        "content": demand.content, "address": demand.address,
        "longitude": demand.longitude, "latitude": demand.latitude,
        "current_unit": demand.current_unit.code,
        "first_receiver": receiver.get_username() if receiver else None,
        "submitted_at": demand.submitted_at, "received_at": demand.received_at,
        "deadline": demand.deadline, "replied_at": demand.replied_at, "reply": demand.reply,
        "evaluation_level": demand.evaluation_level, "closed_at": demand.closed_at,
        "committed_deadline": demand.committed_deadline,
        "actions": catalogue.available(actions_for, demand, "api") if actions_for else None,
    }


def _visible(request):
    return access.filter_for(request.user, "demand.view", Demand.objects.select_related(
        "category", "current_unit", "first_receiver"))


def _get(request, number: str) -> Demand:
    demand = _visible(request).filter(number=number).first()
    if demand is None:
        raise Http404
    return demand


@api.post("/demands", response={200: DemandOut, 201: DemandOut, 401: Error, 403: Error,
                                422: Error}, tags=["demands"],
          summary="提交诉求（按 渠道+外部编号 幂等）")
def create_demand(request, payload: DemandIn):
    demand, created = submit(request.user, Intake(**payload.dict()))
    return Status(201 if created else 200, _out(demand))


MAX_BATCH = 200


@api.post("/demands/batch", response={200: list[BatchResult], 401: Error, 403: Error,
                                      422: Error}, tags=["demands"],
          summary=f"批量提交诉求（每批最多 {MAX_BATCH} 条，逐条幂等、逐条报告）")
def create_demands(request, payload: list[dict]):
    """For platforms that push in bulk (the 12345 hotline's batches). Each item is
    validated and submitted on its own: a bad item is reported and skipped, the others
    are kept. All accepted items are committed together."""
    if not 1 <= len(payload) <= MAX_BATCH:
        raise ActionError("invalid", f"每批须有 1 至 {MAX_BATCH} 条诉求。", "body")
    if not access.can_anywhere(request.user, "demand.submit"):
        raise ActionError("forbidden", "该账号没有提交诉求的权限。")
    results: list[dict | None] = [None] * len(payload)
    intakes, positions = [], []
    for index, item in enumerate(payload):
        try:
            data = DemandIn.model_validate(item)
        except PydanticError as error:
            problems = [{"field": ".".join(str(p) for p in e["loc"]) or "body",
                         "problem": _problem(e)} for e in error.errors()]
            results[index] = {"index": index, "code": "invalid",
                              "message": "；".join(f"{p['field']}：{p['problem']}"
                                                  for p in problems)}
            continue
        intakes.append(Intake(**data.dict()))
        positions.append(index)
    for index, outcome in zip(positions, submit_many(request.user, intakes),
                              strict=True):
        if outcome.error is not None:
            results[index] = {"index": index, "code": outcome.error.code,
                              "message": outcome.error.message}
        else:
            results[index] = {"index": index, "number": outcome.demand.number,
                              "created": outcome.created,
                              "code": "created" if outcome.created else "exists"}
    return results


@api.get("/demands/{number}", response={200: DemandOut, 404: Error}, tags=["demands"],
         summary="查询一条诉求")
def get_demand(request, number: str):
    return _out(_get(request, number), actions_for=request.user)


@api.get("/demands/{number}/events", response={200: list[EventOut], 404: Error},
         tags=["demands"], summary="诉求的办理过程")
def demand_events(request, number: str):
    demand = _get(request, number)
    return [{"kind": e.kind, "kind_label": e.get_kind_display(), "at": e.at,
             "actor": e.actor.get_username() if e.actor else None,
             "from_state": e.from_state, "to_state": e.to_state,
             "unit": e.unit.code if e.unit else None, "reason": e.reason}
            for e in demand.events.select_related("actor", "unit")]


class ListFilters(Schema):
    queue: Literal[tuple(queues.QUEUES)] = "all"  # type: ignore[valid-type]
    channel: str | None = None
    requester_kind: str | None = None
    category: str | None = None
    unit: str | None = None
    q: str | None = None
    after: str | None = None
    limit: int = 50


@api.get("/demands", response={200: DemandPage, 422: Error}, tags=["demands"],
         summary="诉求列表（游标分页，新的在前；带 q 时为全文检索，按相关度排序）")
def list_demands(request, filters: Query[ListFilters]):
    if not 1 <= filters.limit <= 200:
        raise ActionError("invalid", "limit 须在 1 至 200 之间。", "limit")
    rows = queues.queue_queryset(request.user, filters.queue, timezone.now()).select_related(
        "category", "current_unit", "first_receiver")
    if filters.channel:
        rows = rows.filter(channel=filters.channel)
    if filters.requester_kind:
        rows = rows.filter(requester_kind=filters.requester_kind)
    if filters.category:
        rows = rows.filter(category__code=filters.category) | rows.filter(
            category__parent__code=filters.category)
    if filters.unit:
        rows = rows.filter(current_unit__code=filters.unit)
    if filters.q is not None:
        return _search_page(request, filters, rows)
    items, cursor = queues.page(rows, filters.after, filters.limit)
    return {"items": [_out(d) for d in items], "next": cursor}


def _search_page(request, filters: ListFilters, rows):
    """``q``: ranked matches (see insights.search), paged by offset; the cursor is
    ``s<offset>``. The queue and filters narrow the search like the plain list."""
    after = filters.after or ""
    offset = int(after[1:]) if after[:1] == "s" and after[1:].isdigit() else 0
    narrowed = filters.queue != "all" or any(
        (filters.channel, filters.requester_kind, filters.category, filters.unit))
    try:
        results = search.search(request.user, filters.q, limit=filters.limit, offset=offset,
                                queryset=rows if narrowed else None)
    except search.SearchError as error:
        raise ActionError("invalid", error.message, "q") from None
    return {"items": [_out(hit.demand) for hit in results.hits],
            "next": f"s{offset + filters.limit}" if results.has_next else None}


# --- actions: one endpoint per transition of demands.catalogue -----------------------------
def _action_endpoint(transition):
    """``POST /demands/{number}/actions/<name>`` for one transition, its body the
    transition's generated schema (none when it takes no input)."""
    def perform(request, number: str, data: dict):
        demand = _get(request, number)
        CATALOGUE.run(transition.name, request.user, demand, data)
        # the demand as the action left it, also when it has just left the caller's
        # sight (a unit's return 退单 hands it back to dispatch)
        after = _visible(request).filter(pk=demand.pk).first() or Demand.objects.select_related(
            "category", "current_unit", "first_receiver").get(pk=demand.pk)
        return _out(after, actions_for=request.user)

    if transition.inputs:
        def endpoint(request, number: str, payload):
            return perform(request, number, payload.dict())
        endpoint.__annotations__ = {"number": str,
                                    "payload": CATALOGUE.schema(transition.name)}
    else:
        def endpoint(request, number: str):
            return perform(request, number, {})
        endpoint.__annotations__ = {"number": str}
    endpoint.__name__ = f"demand_{transition.name}"
    endpoint.__doc__ = transition.help or None
    return endpoint


for _transition in CATALOGUE.on("api"):
    api.post(f"/demands/{{number}}/actions/{_transition.name}",
             response={200: DemandOut, 403: Error, 404: Error, 409: Error, 422: Error},
             tags=["actions"], summary=f"{_transition.label}（{_transition.name}）",
             operation_id=f"demand_{_transition.name}")(_action_endpoint(_transition))
