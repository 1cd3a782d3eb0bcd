"""Staff sign-in: argon2, lock-out, session expiry, logout; every demo login lands home."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from org.demo import DEMO_PASSWORD, demo_logins
from org.models import Role

from .conftest import PASSWORD

LOGIN = reverse("console:login")


def sign_in(client, username, password):
    return client.post(LOGIN, {"username": username, "password": password})


def test_passwords_are_stored_with_argon2(db):
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"]):
        user = get_user_model().objects.create_user("argon", password=PASSWORD)
    assert user.password.startswith("argon2$")


def test_sign_in_lands_on_the_home_page_showing_who_you_are(client, personas):
    response = sign_in(client, "head_a", PASSWORD)
    assert response.status_code == 302
    assert response["Location"] == reverse("console:home")
    page = client.get(reverse("console:home")).content.decode()
    assert "王处长" in page
    assert "环境卫生管理处" in page
    assert "单位负责人" in page


def test_a_wrong_password_gets_a_chinese_error_and_no_session(client, personas):
    response = sign_in(client, "head_a", "wrong")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_repeated_failures_lock_the_account_even_with_the_right_password(client, personas):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "head_a", "wrong")
    response = sign_in(client, "head_a", PASSWORD)
    assert response.status_code == 429
    body = response.content.decode()
    assert "账号已暂时锁定" in body
    assert f"{settings.LOGIN_LOCKOUT_MINUTES} 分钟后再试" in body
    assert "_auth_user_id" not in client.session
    # Another account from the same address is not affected.
    assert sign_in(client, "handler_a", PASSWORD).status_code == 302


def test_the_lock_out_ends_after_the_cool_off(client, personas, time_machine):
    time_machine.move_to("2026-03-02 09:00 +0800")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        sign_in(client, "head_a", "wrong")
    assert sign_in(client, "head_a", PASSWORD).status_code == 429
    time_machine.shift(settings.LOGIN_LOCKOUT_MINUTES * 60 + 1)
    assert sign_in(client, "head_a", PASSWORD).status_code == 302


def test_fewer_failures_than_the_limit_do_not_lock(client, personas):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        sign_in(client, "head_a", "wrong")
    assert sign_in(client, "head_a", PASSWORD).status_code == 302


def test_sessions_expire_when_idle_and_when_the_browser_closes(client, personas):
    sign_in(client, "head_a", PASSWORD)
    assert client.session.get_expiry_age() == settings.SESSION_IDLE_MINUTES * 60
    assert client.session.get_expire_at_browser_close()
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]


def test_an_idle_session_no_longer_signs_in(client, personas, time_machine):
    time_machine.move_to("2026-03-02 09:00 +0800")
    sign_in(client, "head_a", PASSWORD)
    assert client.get(reverse("console:home")).status_code == 200
    time_machine.shift(settings.SESSION_IDLE_MINUTES * 60 - 60)
    assert client.get(reverse("console:home")).status_code == 200  # activity renews it
    time_machine.shift(settings.SESSION_IDLE_MINUTES * 60 + 60)
    response = client.get(reverse("console:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_logout_is_a_post_and_ends_the_session(client, personas):
    sign_in(client, "head_a", PASSWORD)
    assert client.get(reverse("console:logout")).status_code == 405  # no logout by link
    response = client.post(reverse("console:logout"))
    assert response.status_code == 302
    assert client.get(reverse("console:home")).status_code == 302


def test_a_deactivated_account_cannot_sign_in(client, personas):
    personas.head_a.is_active = False
    personas.head_a.save()
    response = sign_in(client, "head_a", PASSWORD)
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_the_public_side_needs_no_account(client, db):
    response = client.get(reverse("portal:home"))
    assert response.status_code == 200
    assert "三满意" in response.content.decode()


@pytest.mark.django_db
def test_each_listed_demo_login_signs_in_and_sees_name_unit_and_role(client):
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
                           DEMO_DEMANDS=0):  # the logins are what this test reads
        call_command("load_demo", verbosity=0)
    labels = dict(Role.choices)
    people = demo_logins()
    assert len(people) >= 9
    for person in people:
        response = sign_in(client, person.username, DEMO_PASSWORD)
        assert response.status_code == 302, person.username
        page = client.get(reverse("console:home")).content.decode()
        user = get_user_model().objects.get(username=person.username)
        assert person.full_name in page
        assert user.staff.unit.name in page
        for role, _scope in person.roles:
            assert str(labels[role]) in page
        client.post(reverse("console:logout"))
