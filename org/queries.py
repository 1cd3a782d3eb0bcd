"""Read models of the organisation."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from .models import RoleAssignment, StaffProfile, Unit


@dataclass(frozen=True)
class Identity:
    """Who a signed-in user is, as the console header and home page show it."""

    name: str
    unit: Unit | None
    roles: list[RoleAssignment]

    @property
    def role_labels(self) -> list[str]:
        return [str(assignment) for assignment in self.roles]


def identity_of(user) -> Identity:
    profile = StaffProfile.objects.select_related("unit").filter(user=user).first()
    roles = list(RoleAssignment.objects.filter(user=user).select_related("unit"))
    name = profile.full_name if profile else (user.get_full_name() or user.get_username())
    return Identity(name=name, unit=profile.unit if profile else None, roles=roles)


def unit_tree() -> list[Unit]:
    """All active units in tree order (siblings by ``sort_order``, then name), each
    annotated with its number of active staff."""
    units = list(
        Unit.objects.filter(is_active=True)
        .annotate(staff_count=Count("staff", filter=Q(staff__user__is_active=True)))
    )
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    ordered: list[Unit] = []

    def walk(parent_id):
        for unit in sorted(children.get(parent_id, []), key=lambda u: (u.sort_order, u.name)):
            ordered.append(unit)
            walk(unit.pk)

    roots = {u.parent_id for u in units} - {u.pk for u in units}
    for root in sorted(roots, key=lambda pk: (pk is not None, pk or 0)):
        walk(root)
    return ordered


def users_with_role(roles, over: Unit | None = None):
    """Active users holding one of ``roles`` with a scope covering unit ``over`` (a role
    scoped to the unit or one of its ancestors, or bureau-wide). With ``over=None``, only
    bureau-wide holders."""
    from django.contrib.auth import get_user_model

    scope = Q(role_assignments__unit__isnull=True)
    if over is not None:
        ancestor_ids = [int(part) for part in over.path.strip("/").split("/")]
        scope |= Q(role_assignments__unit_id__in=ancestor_ids)
    return (get_user_model().objects
            .filter(Q(role_assignments__role__in=list(roles)) & scope, is_active=True)
            .distinct().order_by("pk"))
