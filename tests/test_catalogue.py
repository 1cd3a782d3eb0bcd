"""One catalogue of demand transitions: the console and the API offer the same actions,
take the same inputs and do the same thing (issue #9)."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from demands.actions import extensions, replies
from demands.actions.intake import submit
from demands.catalogue import CATALOGUE
from demands.models import Demand, EventKind, ExtensionRequest, State, SupervisionOrder
from inbox.models import Notification
from lib.errors import ActionError

from .demand_helpers import at, handling, intake, registered, replied

pytestmark = pytest.mark.django_db

BOTH = [t for t in CATALOGUE if {"console", "api"} <= t.surfaces]


def test_the_surfaces_list_the_catalogue_and_nothing_else(client):
    spec = client.get("/api/v1/openapi.json").json()
    api_actions = {path.rsplit("/", 1)[1] for path in spec["paths"]
                   if "/actions/" in path}
    assert api_actions == {t.name for t in CATALOGUE.on("api")}
    assert {t.name for t in CATALOGUE.on("console")} == {t.name for t in BOTH}
    assert {t.name for t in CATALOGUE.on("api")} - {t.name for t in BOTH} == {"evaluate"}


@pytest.mark.parametrize("name", [t.name for t in BOTH])
def test_console_form_and_api_schema_take_the_same_inputs(name, categories):
    """Names, required-ness, lengths, bounds and choices of every input agree."""
    transition = CATALOGUE[name]
    schema = CATALOGUE.schema(name).model_json_schema() if transition.inputs else None
    form = CATALOGUE.form_class(name)() if transition.inputs else None
    if not transition.inputs:
        return
    assert list(form.fields) == list(schema["properties"]) == \
        [spec.name for spec in transition.inputs]
    assert {n for n, f in form.fields.items() if f.required} == set(schema.get("required", []))
    for spec in transition.inputs:
        field, prop = form.fields[spec.name], schema["properties"][spec.name]
        if spec.max_length:
            assert field.max_length == spec.max_length
            assert (prop.get("maxLength") or prop["anyOf"][0]["maxLength"]) == spec.max_length
        if spec.kind == "int":
            assert (field.min_value, field.max_value) == (prop["minimum"], prop["maximum"])
        if spec.kind == "choice":
            values = [int(v) for v, _ in field.choices if v != ""]
            bounds = prop if "minimum" in prop else prop["anyOf"][0]
            assert (min(values), max(values)) == (bounds["minimum"], bounds["maximum"])


# --- each transition walked through both interfaces -------------------------------------------
def _prepare(name, personas, org, categories):
    """(demand, actor, console data, API data) for ``name``: a demand in the state where
    the transition is offered, the person who takes it, and the same inputs as each
    interface sends them."""
    p, cat = personas, categories.litter
    soon = timezone.localtime() + dt.timedelta(days=2)
    match name:
        case "receive":
            demand, _ = submit(None, intake(cat, channel="portal"))
            return demand, p.receiver, {}, {}
        case "classify":  # an uncategorised demand (待分类) gets its category
            data = {"category": cat.code, "note": "按内容归为暴露垃圾"}
            return registered(p, None), p.receiver, data, data
        case "dispatch":
            data = {"unit": org.unit_a.code, "note": "请尽快处理"}
            return registered(p, cat), p.dispatcher, data, data
        case "accept":
            demand = registered(p, cat)
            from demands.actions import handover

            return handover.dispatch(p.dispatcher, demand, org.unit_a), p.handler_a, {}, {}
        case "reply":
            data = {"content": "已清运完毕，感谢您的反映。"}
            return handling(p, org, cat), p.handler_a, data, data
        case "answer_follow_up":
            demand = replied(p, org, cat)
            demand = replies.record_visit(p.receiver, demand, True, 1, "还是很脏")
            data = {"content": "已再次清运并安排专人巡查。"}
            return demand, p.handler_a, data, data
        case "return":
            data = {"reason": "不属于本单位职责。"}
            return handling(p, org, cat), p.handler_a, data, data
        case "transfer":
            data = {"unit": org.unit_b.code, "reason": "属于市政设施。"}
            return handling(p, org, cat), p.dispatcher, data, data
        case "request_extension":
            return (handling(p, org, cat), p.handler_a, {"extra_days": "2", "reason": "需协调"},
                    {"extra_days": 2, "reason": "需协调"})
        case "approve_extension" | "refuse_extension":
            demand = handling(p, org, cat)
            extensions.request_extension(p.handler_a, demand, 2, "需协调")
            data = {"note": "同意" if name == "approve_extension" else "时限内可以办结"}
            return demand, p.dispatcher, data, data
        case "visit":
            return (replied(p, org, cat), p.receiver,
                    {"reached": "yes", "level": "4", "note": "诉求人表示满意"},
                    {"reached": True, "level": 4, "note": "诉求人表示满意"})
        case "close":
            demand = replies.record_visit(p.receiver, replied(p, org, cat), False,
                                          note="电话无人接听")
            data = {"note": "三次回访未联系上，按程序办结。"}
            return demand, p.receiver, data, data
        case "urge":
            data = {"note": "群众再次来电"}
            return handling(p, org, cat), p.dispatcher, data, data
        case "supervise":
            return (handling(p, org, cat), p.supervisor,
                    {"instruction": "请三日内反馈", "respond_by": soon.strftime("%Y-%m-%dT%H:%M")},
                    {"instruction": "请三日内反馈",
                     "respond_by": soon.replace(second=0, microsecond=0).isoformat()})
        case "merge":
            original = registered(p, cat)
            typed = f"  {original.number.lower()} "  # as a person types it
            return registered(p, cat), p.dispatcher, {"into": typed}, {"into": typed}
        case "invalidate":
            data = {"reason": "测试电话"}
            return registered(p, cat), p.receiver, data, data
    raise AssertionError(name)


def _outcome(demand: Demand) -> dict:
    demand.refresh_from_db()
    last = demand.events.order_by("-at", "-id").first()
    data = {k: v for k, v in last.data.items() if k not in ("request", "order")}
    order = SupervisionOrder.objects.filter(demand=demand).first()
    request = ExtensionRequest.objects.filter(demand=demand).order_by("-id").first()
    return {
        "state": demand.state, "category": demand.category_id,
        "unit": demand.current_unit_id, "handler": demand.handler_id,
        "extensions": demand.extension_count, "returns": demand.return_count,
        "follow_ups": demand.follow_up_count, "level": demand.evaluation_level,
        "merged_into": demand.duplicate_of_id, "reply": demand.reply,
        "event": (last.kind, last.reason, last.actor_id, json.dumps(data, sort_keys=True)),
        "order": (order.instruction, order.respond_by) if order else None,
        "extension": (request.extra_days, request.status, request.decision_note)
        if request else None,
        "events": demand.events.count(),
    }


def _without_times(outcome: dict) -> dict:
    """Deadlines and event times differ by the seconds between the two walks."""
    kind, reason, actor, data = outcome["event"]
    data = re.sub(r'"(\w*deadline|at)": "[^"]+"', r'"\1": "…"', data)
    return {**outcome, "event": (kind, reason, actor, data)}


@pytest.mark.parametrize("name", [t.name for t in BOTH])
def test_each_transition_does_the_same_through_console_and_api(name, client, personas, org,
                                                               categories):
    by_console, actor, console_data, api_data = _prepare(name, personas, org, categories)
    by_api, _, _, _ = _prepare(name, personas, org, categories)
    client.force_login(actor)
    # offered alike: the console's panel and the API's list of actions
    page = client.get(reverse("console:demand_detail", args=[by_console.number])).content
    offered_console = re.findall(r'data-action="(\w+)"', page.decode())
    detail = client.get(f"/api/v1/demands/{by_api.number}").json()
    assert name in offered_console
    assert offered_console == [n for n in detail["actions"] if n != "evaluate"]

    response = client.post(reverse("console:demand_act", args=[by_console.number, name]),
                           console_data)
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(f"/api/v1/demands/{by_api.number}/actions/{name}",
                           json.dumps(api_data), content_type="application/json")
    assert response.status_code == 200, response.content
    console_outcome, api_outcome = _outcome(by_console), _outcome(by_api)
    if name == "merge":  # each merged into its own original
        assert console_outcome["merged_into"] and api_outcome["merged_into"]
        console_outcome["merged_into"] = api_outcome["merged_into"] = "original"
        for outcome in (console_outcome, api_outcome):  # the event names its original
            kind, reason, actor, _data = outcome["event"]
            outcome["event"] = (kind, reason, actor, "…")
    assert _without_times(console_outcome) == _without_times(api_outcome)
    assert response.json()["state"] == console_outcome["state"]


@pytest.mark.parametrize("name", ["classify", "dispatch", "transfer", "merge",
                                  "request_extension"])
def test_bad_input_is_refused_alike_and_changes_nothing(name, client, personas, org,
                                                        categories):
    demand, actor, console_data, api_data = _prepare(name, personas, org, categories)
    wrong = {"classify": {"category": "no-such-category"},
             "dispatch": {"unit": "no-such-unit"}, "transfer": {"unit": "no-such-unit"},
             "merge": {"into": "260101-ZZZZZZ"}, "request_extension": {"extra_days": 99}}[name]
    before = _outcome(demand)
    client.force_login(actor)
    response = client.post(reverse("console:demand_act", args=[demand.number, name]),
                           {**console_data, **wrong})
    assert response.status_code == 400
    response = client.post(f"/api/v1/demands/{demand.number}/actions/{name}",
                           json.dumps({**api_data, **wrong}), content_type="application/json")
    assert response.status_code == 422
    assert re.search(r"[\u4e00-\u9fff]", response.json()["message"])  # said in Chinese
    assert _outcome(demand) == before


def test_only_a_relaying_system_may_evaluate_and_the_action_itself_says_so(personas, org,
                                                                           categories):
    demand = replied(personas, org, categories.litter)
    with pytest.raises(ActionError) as refused:
        replies.evaluate(personas.handler_a, demand, 5)
    assert refused.value.code == "forbidden"
    demand.refresh_from_db()
    assert demand.state == State.REPLIED and demand.evaluation_level is None
    replies.evaluate(personas.dispatcher, demand, 5, "api")  # may submit: may relay
    demand.refresh_from_db()
    assert demand.state == State.CLOSED


def test_a_redispatch_to_the_same_unit_leaves_one_inbox_item(personas, org, categories):
    from demands.actions import handover

    demand = handover.dispatch(personas.dispatcher, registered(personas, categories.litter),
                               org.unit_a, at=at("2026-11-23 09:10"))
    handover.return_(personas.handler_a, demand, "请核实地址", at=at("2026-11-23 09:20"))
    Notification.objects.filter(recipient=personas.handler_a).update(
        read_at=at("2026-11-23 09:30"))
    handover.dispatch(personas.dispatcher, demand, org.unit_a, at=at("2026-11-23 09:40"))
    items = Notification.objects.filter(recipient=personas.handler_a, kind="demand.dispatched")
    assert items.count() == 1
    item = items.get()
    assert item.read_at is None and item.created_at == at("2026-11-23 09:40")
    assert EventKind.DISPATCH in demand.events.values_list("kind", flat=True)
