"""The unit tree keeps its materialised paths right when units move."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from org.models import Role, RoleAssignment, Unit, UnitKind


def test_paths_follow_the_tree(org):
    assert org.bureau.path == f"/{org.bureau.pk}/"
    assert org.team_a.path == f"/{org.bureau.pk}/{org.unit_a.pk}/{org.team_a.pk}/"
    assert org.team_a.depth == 2
    assert list(org.team_a.ancestors()) == [org.bureau, org.unit_a]
    assert set(org.unit_a.subtree()) == {org.unit_a, org.team_a}


def test_moving_a_unit_moves_its_subtree(org):
    deeper = Unit.objects.create(code="deep", name="班组", kind=UnitKind.SUBORDINATE,
                                 parent=org.team_a)
    org.unit_a.parent = org.unit_b
    org.unit_a.save()
    deeper.refresh_from_db()
    org.team_a.refresh_from_db()
    assert org.team_a.path.startswith(org.unit_b.path + f"{org.unit_a.pk}/")
    assert deeper.path == f"{org.team_a.path}{deeper.pk}/"
    assert org.unit_b.contains(deeper)


def test_a_unit_cannot_move_under_its_own_subtree(org):
    org.unit_a.parent = org.team_a
    with pytest.raises(ValidationError) as error:
        org.unit_a.full_clean()
    assert "上级单位不能是本单位或其下级单位" in str(error.value)


def test_only_the_bureau_may_be_a_root(org):
    orphan = Unit(code="orphan", name="无上级", kind=UnitKind.OFFICE)
    with pytest.raises(ValidationError, match="只有局机关可以没有上级单位"):
        orphan.full_clean()


def test_a_unit_role_needs_a_unit_and_a_bureau_role_is_held_once(org, personas):
    assignment = RoleAssignment(user=personas.leader, role=Role.HANDLER, unit=None)
    with pytest.raises(ValidationError):
        assignment.full_clean()
    with pytest.raises(IntegrityError):
        RoleAssignment.objects.create(user=personas.leader, role=Role.LEADER, unit=None)
