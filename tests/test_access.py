"""The one permission helper, against the personas of conftest."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.urls import reverse

from org import access
from org.models import Role, RoleAssignment, StaffProfile, Unit


def profile(user) -> StaffProfile:
    return StaffProfile.objects.get(user=user)


def test_a_handler_sees_their_unit_and_below_but_not_a_sibling_unit(org, personas):
    user = personas.handler_a
    assert access.can(user, "org.view_unit", org.unit_a)
    assert access.can(user, "org.view_unit", org.team_a)  # the subtree
    assert not access.can(user, "org.view_unit", org.unit_b)
    assert not access.can(user, "org.view_unit", org.bureau)  # not upwards
    assert not access.can(personas.handler_b, "org.view_unit", org.unit_a)


def test_private_staff_fields_belong_to_the_person_their_head_and_managers(personas):
    handler_a = profile(personas.handler_a)
    assert access.can(personas.handler_a, "org.view_staff_private", handler_a)  # oneself
    assert not access.can(personas.handler_a, "org.view_staff_private", profile(personas.head_a))
    assert access.can(personas.head_a, "org.view_staff_private", handler_a)
    assert not access.can(personas.head_a, "org.view_staff_private",
                          profile(personas.handler_b))
    assert not access.can(personas.handler_b, "org.view_staff_private", handler_a)
    assert access.can(personas.leader, "org.view_staff_private", handler_a)
    # The supervision office oversees work, not people's phone numbers.
    assert not access.can(personas.supervisor, "org.view_staff_private", handler_a)


def test_bureau_wide_roles_see_every_unit(org, personas):
    for user in (personas.supervisor, personas.leader):
        assert all(access.can(user, "org.view_unit", unit) for unit in Unit.objects.all())
        visible = access.filter_for(user, "org.view_unit", Unit.objects.all())
        assert visible.count() == Unit.objects.count() == 6


def test_editing_a_unit_needs_a_managing_role_in_scope(org, personas):
    assert access.can(personas.head_a, "org.edit_unit", org.unit_a)
    assert not access.can(personas.head_a, "org.edit_unit", org.unit_b)
    assert not access.can(personas.handler_a, "org.edit_unit", org.unit_a)
    assert not access.can(personas.leader, "org.manage_roles", org.unit_a)


def test_anonymous_visitors_and_deactivated_staff_hold_nothing(org, personas):
    anonymous = AnonymousUser()
    assert not access.can(anonymous, "org.view_unit", org.unit_a)
    assert not access.can_anywhere(anonymous, "org.view_unit")
    assert access.filter_for(anonymous, "org.view_unit", Unit.objects.all()).count() == 0
    with pytest.raises(Http404):
        access.get_for_user_or_404(anonymous, "org.view_unit", Unit.objects.all(),
                                   code="huanwei")
    personas.leader.is_active = False
    personas.leader.save()
    assert not access.can(personas.leader, "org.view_unit", org.unit_a)


def test_filter_and_single_object_answers_agree(org, personas):
    """For every persona, capability and object: ``can`` == "is in ``filter_for``"."""
    users = [AnonymousUser(), *vars(personas).values()]
    for capability in ("org.view_unit", "org.edit_unit"):
        for user in users:
            visible = set(access.filter_for(user, capability, Unit.objects.all()))
            assert visible == {u for u in Unit.objects.all() if access.can(user, capability, u)}
    for capability in ("org.view_staff", "org.view_staff_private", "org.edit_staff"):
        for user in users:
            visible = set(access.filter_for(user, capability, StaffProfile.objects.all()))
            assert visible == {p for p in StaffProfile.objects.all()
                               if access.can(user, capability, p)}


def test_an_unknown_capability_is_a_programming_error(org, personas):
    with pytest.raises(LookupError):
        access.can(personas.leader, "org.fly", org.unit_a)


def test_registering_a_capability_twice_with_other_roles_fails():
    access.register("tests.same", {Role.LEADER})
    access.register("tests.same", {Role.LEADER})  # same definition: fine
    with pytest.raises(ValueError, match="registered twice"):
        access.register("tests.same", {Role.HANDLER})


def test_grants_are_loaded_once_per_user_object(org, personas, django_assert_num_queries):
    user = personas.head_a
    access.forget_grants(user)
    with django_assert_num_queries(1):
        for unit in (org.unit_a, org.unit_b, org.team_a):
            access.can(user, "org.view_unit", unit)
    RoleAssignment.objects.create(user=user, role=Role.HANDLER, unit=org.unit_b)
    access.forget_grants(user)
    assert access.can(user, "org.view_unit", org.unit_b)


class TestConsolePages:
    """The console uses the helper: other units' pages are 404, private fields hidden."""

    def test_another_units_page_is_not_found(self, client, org, personas):
        client.force_login(personas.handler_b, backend="django.contrib.auth.backends.ModelBackend")
        response = client.get(reverse("console:unit_detail", args=["huanwei"]))
        assert response.status_code == 404

    def test_the_unit_head_sees_mobiles_a_handler_only_their_own(self, client, org, personas):
        url = reverse("console:unit_detail", args=["huanwei"])
        client.force_login(personas.head_a, backend="django.contrib.auth.backends.ModelBackend")
        page = client.get(url).content.decode()
        assert page.count('data-testid="private"') == 2  # the handler and the head
        client.force_login(personas.handler_a,
                           backend="django.contrib.auth.backends.ModelBackend")
        page = client.get(url).content.decode()
        assert page.count('data-testid="private"') == 1
        assert "王处长" in page  # public identity is visible to colleagues

    def test_the_org_tree_lists_only_visible_units(self, client, org, personas):
        client.force_login(personas.handler_a, backend="django.contrib.auth.backends.ModelBackend")
        page = client.get(reverse("console:org_tree")).content.decode()
        assert "环境卫生管理处" in page
        assert "市政设施管理处" not in page

    def test_anonymous_is_sent_to_sign_in(self, client, org):
        response = client.get(reverse("console:unit_detail", args=["huanwei"]))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("console:login"))
