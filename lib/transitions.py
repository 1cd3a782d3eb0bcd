"""Transitions declared once: the catalogue pattern every state machine follows.

A domain app lists its transitions in one ``Catalogue`` (``demands/catalogue.py`` is the
first): for each, the domain function that performs it, its label, the states it is
offered in, who may take it, an extra condition on the object, and its inputs. The
interfaces generate everything else from that declaration —

* ``available(user, obj)``: the actions a person may take now (the buttons);
* ``form_class(name)``: a Django form of the inputs (the console's panel);
* ``schema(name)``: a pydantic model of the same inputs (the API's request body);
* ``run(name, user, obj, data)``: resolve references (a unit code, a demand number) the
  same way for every interface and call the domain function.

The domain function still checks everything again under its row lock; the declaration
only decides what to *offer*. See docs/architecture.md, "Transitions declared once".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache

from django import forms
from pydantic import Field, create_model

from lib import documents
from lib.forms import Bootstrap, MultipleFileField, MultipleFileInput

UPLOADS = ("photos", "files")  # multipart only: not in the API's JSON bodies
KINDS = ("text", "longtext", "int", "bool", "choice", "datetime", "date", "ref", "photos",
         "files")


@dataclass(frozen=True)
class Input:
    """One input of a transition.

    ``kind``: ``text`` (one line), ``longtext`` (a paragraph), ``int``, ``bool`` (a yes/no
    answer), ``choice`` (an integer from ``choices``), ``datetime``, ``date``, ``photos``
    (uploaded pictures, checked by ``lib.photos``) and ``files`` (office documents, checked
    by ``lib.documents``) — both console only, the API's JSON bodies carry none — or
    ``ref`` (a reference
    — a code or a number — that ``resolve(user, value)`` turns into the object the domain
    function takes, raising ``ActionError`` when there is none). ``choices`` may be a
    callable (read when a form is built). ``assist`` names an interface aid that fills the
    input (e.g. reply templates); it changes nothing of what is submitted.
    """

    name: str
    label: str
    kind: str = "text"
    required: bool = True
    max_length: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    choices: tuple | Callable[[], Iterable[tuple]] = ()
    resolve: Callable | None = None
    help: str = ""
    assist: str = ""

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown input kind {self.kind!r}")

    @property
    def empty(self):
        """What a missing optional input is passed as."""
        if self.kind in UPLOADS:
            return []
        return "" if self.kind in ("text", "longtext", "ref") else None

    def choice_list(self) -> list[tuple]:
        return list(self.choices() if callable(self.choices) else self.choices)


@dataclass(frozen=True)
class Transition:
    """One action on an object: ``perform(actor, obj, **inputs)``."""

    name: str
    label: str
    perform: Callable
    states: tuple[str, ...]
    allowed: Callable[[object, object], bool]
    inputs: tuple[Input, ...] = ()
    guard: Callable[[object], bool] | None = None
    surfaces: frozenset[str] = frozenset({"console", "api"})
    help: str = ""

    def offered(self, user, obj) -> bool:
        return (obj.state in self.states and self.allowed(user, obj)
                and (self.guard is None or self.guard(obj)))


@dataclass
class Catalogue:
    """The transitions of one domain, in the order their buttons appear."""

    domain: str
    transitions: list[Transition] = field(default_factory=list)

    def __post_init__(self):
        names = [t.name for t in self.transitions]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.domain}: a transition is declared twice")

    def __iter__(self) -> Iterator[Transition]:
        return iter(self.transitions)

    def __getitem__(self, name: str) -> Transition:
        for transition in self.transitions:
            if transition.name == name:
                return transition
        raise KeyError(name)

    def __contains__(self, name: str) -> bool:
        return any(t.name == name for t in self.transitions)

    def on(self, surface: str) -> list[Transition]:
        return [t for t in self.transitions if surface in t.surfaces]

    def available(self, user, obj, surface: str = "console") -> list[Transition]:
        """What ``user`` may take on ``obj`` now, on ``surface``."""
        return [t for t in self.on(surface) if t.offered(user, obj)]

    def form_class(self, name: str) -> type[forms.Form]:
        return _form_class(self, name)

    def schema(self, name: str):
        return _schema(self, name)

    def run(self, name: str, user, obj, data: dict):
        """Call the transition's domain function with ``data`` (a form's cleaned data or
        an API body): missing optional inputs get their empty value, references are
        resolved by the declaration's resolver, for every interface alike."""
        transition = self[name]
        arguments = {}
        for spec in transition.inputs:
            value = data.get(spec.name, spec.empty)
            if value is None and spec.empty == "":
                value = ""
            if spec.resolve is not None and value not in (None, ""):
                value = spec.resolve(user, value)
            arguments[spec.name] = value
        return transition.perform(user, obj, **arguments)

    def __hash__(self):
        return hash(self.domain)


# --- generated forms ----------------------------------------------------------------------
YES_NO = [("yes", "是"), ("no", "否")]


def _form_field(spec: Input) -> forms.Field:
    common = {"label": spec.label, "required": spec.required, "help_text": spec.help}
    match spec.kind:
        case "text" | "ref" if spec.choices:
            return forms.ChoiceField(choices=_with_empty(spec), **common)
        case "text" | "ref":
            return forms.CharField(max_length=spec.max_length, **common)
        case "longtext":
            rows = 4 if (spec.max_length or 0) > 1000 else 2
            return forms.CharField(max_length=spec.max_length,
                                   widget=forms.Textarea(attrs={"rows": rows}), **common)
        case "int":
            return forms.IntegerField(min_value=spec.min_value, max_value=spec.max_value,
                                      **common)
        case "bool":
            return forms.TypedChoiceField(coerce=lambda v: v == "yes", empty_value=None,
                                          choices=spec.choice_list() or YES_NO,
                                          widget=forms.RadioSelect, **common)
        case "choice":
            return forms.TypedChoiceField(coerce=int, empty_value=None,
                                          choices=_with_empty(spec), **common)
        case "date":
            return forms.DateField(input_formats=["%Y-%m-%d"],
                                   widget=forms.DateInput(attrs={"type": "date"},
                                                          format="%Y-%m-%d"), **common)
        case "photos":
            return MultipleFileField(**common, widget=MultipleFileInput(
                attrs={"class": "form-control", "accept": "image/jpeg,image/png,image/webp"}))
        case "files":
            return MultipleFileField(**common, widget=MultipleFileInput(
                attrs={"class": "form-control",
                       "accept": ",".join(f".{ext}" for ext in documents.ALLOWED)}))
        case "datetime":
            return forms.DateTimeField(
                input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
                widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                           format="%Y-%m-%dT%H:%M"), **common)
    raise ValueError(spec.kind)  # pragma: no cover - checked in Input.__post_init__


def _with_empty(spec: Input):
    """Choices read when the form is built (units change), with an empty first entry."""
    def choices():
        return [("", "—" if not spec.required else f"请选择{spec.label}"),
                *spec.choice_list()]
    return choices


@cache
def _form_class(catalogue: Catalogue, name: str) -> type[forms.Form]:
    transition = catalogue[name]
    fields = {spec.name: _form_field(spec) for spec in transition.inputs}
    attrs = {**fields, "__module__": __name__, "transition": transition}
    return type(f"{name.title().replace('_', '')}Form", (Bootstrap, forms.Form), attrs)


# --- generated API schemas ------------------------------------------------------------------
def _schema_field(spec: Input):
    description = spec.label + ("（代码或编号）" if spec.kind == "ref" else "") + \
        (f"。{spec.help}" if spec.help else "")
    constraints = {"description": description}
    match spec.kind:
        case "text" | "longtext" | "ref":
            kind = str
            if spec.max_length:
                constraints["max_length"] = spec.max_length
            if spec.required:
                constraints["min_length"] = 1
        case "int" | "choice":
            kind = int
            if spec.min_value is not None:
                constraints["ge"] = spec.min_value
            if spec.max_value is not None:
                constraints["le"] = spec.max_value
            if spec.kind == "choice":
                values = [value for value, _label in spec.choice_list()]
                constraints["ge"], constraints["le"] = min(values), max(values)
                constraints["description"] += "：" + "，".join(
                    f"{value} {label}" for value, label in spec.choice_list())
        case "bool":
            kind = bool
        case "datetime":
            kind = dt.datetime
        case "date":
            kind = dt.date
    if spec.required:
        return (kind, Field(..., **constraints))
    return (kind | None if spec.empty is None else kind,
            Field(spec.empty, **constraints))


@cache
def _schema(catalogue: Catalogue, name: str):
    from ninja import Schema

    transition = catalogue[name]
    fields = {spec.name: _schema_field(spec) for spec in transition.inputs
              if spec.kind not in UPLOADS}
    model_name = "".join(part.title() for part in (catalogue.domain, name, "in")
                         ).replace("_", "")
    return create_model(model_name, __base__=Schema, **fields)
