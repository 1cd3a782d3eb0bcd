"""The one permission helper: may this user see, or act on, this object?

Every view, API endpoint and export asks here; none re-implements the rule.

The rule. A user holds roles (``RoleAssignment``), each over a scope: one unit's subtree,
or the whole bureau. A *capability* (``"org.view_unit"``, later ``"demand.dispatch"`` …)
names the roles that carry it. The user may exercise a capability on an object when one
of their roles carries it and that role's scope contains the object's owning unit — or,
for capabilities marked ``involved``, when the object names the user directly (their own
profile; later, a demand they first received).

Objects take part by declaring, on their model:

* ``ACCESS_UNIT_FIELD`` — the lookup from the object to its owning unit's ``path``
  (``"unit__path"`` for a staff profile, ``"path"`` for a unit itself);
* optionally ``ACCESS_USER_FIELDS`` — names of its foreign keys to users directly
  involved with it (``("user",)`` for a staff profile).

A capability may also carry a :class:`Reach`: rows of one model that a user reaches
through something other than a role or a user field — a cadre paired with an enterprise
reaches its demands (``demands.access``). Its ``rows(user)`` gives a ``Q`` over that model
or ``None``; it is asked once per user object, and ``None`` (what most people get) leaves
their queries and cache keys as they were. Other models filtered by the same capability
(a duplicate flag by ``demand.view``) are not reached.

Anonymous and inactive users hold no roles. Superusers hold every capability everywhere.
Objects that are not visible raise ``Http404`` from :func:`get_for_user_or_404`, so a
staff member of unit A asking for unit B's object learns nothing about it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Model, Q, QuerySet
from django.http import Http404

from .models import Role, RoleAssignment

ALL_ROLES = frozenset(Role)
MANAGERS = frozenset({Role.OFFICE, Role.LEADER, Role.ADMIN})


@dataclass(frozen=True)
class Reach:
    model: str  # "app_label.Model" whose rows ``rows`` selects
    rows: object  # rows(user) -> Q | None
    holders_only: bool = False  # reaches only for those holding the capability by a role


@dataclass(frozen=True)
class Capability:
    name: str
    roles: frozenset[str]
    involved: bool = False  # the user named by the object holds it too
    reach: Reach | None = None  # rows reached otherwise (see above)


CAPABILITIES: dict[str, Capability] = {}


def register(name: str, roles, *, involved: bool = False,
             reach: Reach | None = None) -> Capability:
    """Declare a capability. Domain apps register theirs in their ``access`` module."""
    capability = Capability(name, frozenset(roles), involved, reach)
    existing = CAPABILITIES.get(name)
    if existing is not None and existing != capability:
        raise ValueError(f"capability {name!r} registered twice with different roles")
    CAPABILITIES[name] = capability
    return capability


# --- the organisation's own capabilities -----------------------------------------------
VIEW_UNIT = register("org.view_unit", ALL_ROLES)
EDIT_UNIT = register("org.edit_unit", {Role.UNIT_HEAD, Role.OFFICE, Role.ADMIN})
VIEW_STAFF = register("org.view_staff", ALL_ROLES, involved=True)
VIEW_STAFF_PRIVATE = register("org.view_staff_private", {Role.UNIT_HEAD, *MANAGERS},
                              involved=True)
EDIT_STAFF = register("org.edit_staff", {Role.UNIT_HEAD, Role.OFFICE, Role.ADMIN},
                      involved=True)
MANAGE_ROLES = register("org.manage_roles", {Role.ADMIN})


# --- the user's grants ------------------------------------------------------------------
@dataclass(frozen=True)
class Grant:
    role: str
    scope_path: str | None  # None: the whole bureau

    def covers(self, path: str) -> bool:
        return self.scope_path is None or path.startswith(self.scope_path)


def grants(user) -> tuple[Grant, ...]:
    """The user's roles and scopes, loaded once per user object (one query)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return ()
    cached = getattr(user, "_sanmanyi_grants", None)
    if cached is None:
        rows = RoleAssignment.objects.filter(user=user).values_list("role", "unit__path")
        cached = tuple(Grant(role, path) for role, path in rows)
        user._sanmanyi_grants = cached
    return cached


def forget_grants(user) -> None:
    """Drop the cached grants and reaches — whatever is kept on the user object under a
    ``_sanmanyi_`` name (after roles or pairings change in the same request)."""
    for name in [name for name in vars(user) if name.startswith("_sanmanyi_")]:
        delattr(user, name)


def _reach(user, cap: Capability) -> Q | None:
    """The capability's reach for this user, asked once per user object."""
    if cap.reach is None or user is None or not user.is_authenticated or not user.is_active:
        return None
    if cap.reach.holders_only and not any(grant.role in cap.roles for grant in grants(user)):
        return None
    cached = getattr(user, "_sanmanyi_reach", None)
    if cached is None:
        cached = user._sanmanyi_reach = {}
    if cap.name not in cached:
        cached[cap.name] = cap.reach.rows(user)
    return cached[cap.name]


def _reaches(cap: Capability, model) -> bool:
    return cap.reach is not None and model._meta.label == cap.reach.model


def has_role(user, *roles: str) -> bool:
    return any(grant.role in roles for grant in grants(user))


def _capability(name: str) -> Capability:
    try:
        return CAPABILITIES[name]
    except KeyError:
        raise LookupError(f"unknown capability {name!r}") from None


def _unit_path(obj: Model) -> str | None:
    value = obj
    for part in obj.ACCESS_UNIT_FIELD.split("__"):
        value = getattr(value, part, None)
        if value is None:
            return None
    return value


def _involves(user, obj: Model) -> bool:
    """Does one of the object's ``ACCESS_USER_FIELDS`` (a lookup such as ``"user"`` or
    ``"staff__user"``) name this user?"""
    for lookup in getattr(obj, "ACCESS_USER_FIELDS", ()):
        *path, last = lookup.split("__")
        value = obj
        for part in path:
            value = getattr(value, part, None)
            if value is None:
                break
        else:
            if getattr(value, f"{last}_id", None) == user.pk:
                return True
    return False


def can(user, capability: str, obj: Model) -> bool:
    """May ``user`` exercise ``capability`` on ``obj``?"""
    cap = _capability(capability)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    path = _unit_path(obj)
    if path is not None and any(
        grant.role in cap.roles and grant.covers(path) for grant in grants(user)
    ):
        return True
    if cap.involved and _involves(user, obj):
        return True
    if not _reaches(cap, type(obj)) or obj.pk is None:
        return False
    reached = _reach(user, cap)
    return reached is not None and type(obj)._default_manager.filter(reached, pk=obj.pk).exists()


def can_anywhere(user, capability: str) -> bool:
    """Does the user hold ``capability`` over at least some scope? (Menus, buttons.)"""
    cap = _capability(capability)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(grant.role in cap.roles for grant in grants(user)) \
        or _reach(user, cap) is not None


@dataclass(frozen=True)
class Scope:
    """Where a user may exercise a capability: everywhere, or under these unit paths, and
    (for "involved" capabilities) wherever they are named on the object."""

    everything: bool = False
    paths: tuple[str, ...] = ()
    user_id: int | None = None  # set when the capability also reaches involved objects
    reach: Q | None = None  # the rows the capability's reach adds (not unit paths)

    @property
    def nothing(self) -> bool:
        return (not self.everything and not self.paths and self.user_id is None
                and self.reach is None)


def scope(user, capability: str) -> Scope:
    """The one reading of a user's grants for ``capability``; ``scope_q``, ``scope_key``
    and the search index's scope terms are built from it."""
    cap = _capability(capability)
    if user is None or not user.is_authenticated or not user.is_active:
        return Scope()
    if user.is_superuser:
        return Scope(everything=True)
    relevant = [grant for grant in grants(user) if grant.role in cap.roles]
    if any(grant.scope_path is None for grant in relevant):
        return Scope(everything=True)
    return Scope(paths=tuple(sorted({grant.scope_path for grant in relevant})),
                 user_id=user.pk if cap.involved else None, reach=_reach(user, cap))


def scope_q(user, capability: str, model: type[Model]) -> Q | None:
    """A filter selecting the rows of ``model`` the user may exercise ``capability`` on.

    ``None`` means "every row"; an empty ``Q(pk__in=[])`` means none.
    """
    where = scope(user, capability)
    if where.everything:
        return None
    field = model.ACCESS_UNIT_FIELD
    parts = [Q(**{f"{field}__startswith": path}) for path in where.paths]
    if where.user_id is not None:
        parts += [Q(**{lookup: where.user_id})
                  for lookup in getattr(model, "ACCESS_USER_FIELDS", ())]
    if where.reach is not None and _reaches(_capability(capability), model):
        parts.append(where.reach)
    return reduce(or_, parts) if parts else Q(pk__in=[])


def can_bureau_wide(user, capability: str) -> bool:
    """Does the user hold ``capability`` over the whole bureau (a grant without a unit)?
    For objects that belong to no unit yet (a project drafted from a hotspot)."""
    cap = _capability(capability)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return user.is_superuser or any(grant.role in cap.roles and grant.scope_path is None
                                    for grant in grants(user))


def filter_for(user, capability: str, queryset: QuerySet) -> QuerySet:
    """``queryset`` narrowed to what the user may exercise ``capability`` on."""
    condition = scope_q(user, capability, queryset.model)
    return queryset if condition is None else queryset.filter(condition)


def get_for_user_or_404(user, capability: str, queryset: QuerySet, **lookup) -> Model:
    """Fetch one object the user may exercise ``capability`` on, or raise 404 — never 403,
    so that nobody learns whether an object they may not see exists."""
    try:
        return filter_for(user, capability, queryset).get(**lookup)
    except queryset.model.DoesNotExist:
        raise Http404 from None


def scope_key(user, capability: str) -> str:
    """A stable name for the rows ``filter_for`` would give (for caching per scope):
    ``"all"``, ``"none"``, or the covered unit paths (plus the user, when involved)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return "none"
    where = scope(user, capability)
    if where.everything:
        return "all"
    return f"units:{','.join(where.paths)}" + (
        f";user:{where.user_id}" if where.user_id is not None else "") + (
        f";reach:{user.pk}" if where.reach is not None else "")
