"""Shared fixtures: a small organisation with one persona per kind of user."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from org.models import Role, RoleAssignment, StaffProfile, Unit, UnitKind

PASSWORD = "Correct-Horse-2015"


def pytest_configure(config):
    # WhiteNoise warns when STATIC_ROOT is missing (a fresh clone); the live server of the
    # browser tests is built before per-test settings apply, so make sure it exists.
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def _static_root(tmp_path_factory):
    return tmp_path_factory.mktemp("static")


@pytest.fixture(autouse=True)
def _fast_settings(settings, _static_root):
    # Argon2 is the production hasher (tested on its own); tests hash faster.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.SECURE_SSL_REDIRECT = False
    settings.STATIC_ROOT = _static_root  # static files come from the finders in tests
    settings.WHITENOISE_USE_FINDERS = True
    settings.KPI_CACHE_SECONDS = 0  # figures computed on every request (caching tested apart)
    settings.DEMO_DEMANDS = 40  # the demo city's year of demands, smaller for speed
    # Each test process its own cache: no state shared between xdist workers or runs.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()  # rate-limit counters and cached figures start empty in every test


@dataclass
class Org:
    bureau: Unit
    supervision: Unit
    unit_a: Unit
    team_a: Unit
    unit_b: Unit
    intake: Unit


@pytest.fixture
def org(db) -> Org:
    return make_org()


def make_org() -> Org:
    """The small organisation every test uses (also built once per class by helpers)."""
    bureau = Unit.objects.create(code="bureau", name="测试市城市管理局", kind=UnitKind.BUREAU)
    supervision = Unit.objects.create(code="ducha", name="督查室", kind=UnitKind.OFFICE,
                                      parent=bureau)
    unit_a = Unit.objects.create(code="huanwei", name="环境卫生管理处",
                                 kind=UnitKind.SUBORDINATE, parent=bureau)
    team_a = Unit.objects.create(code="huanwei-team", name="环卫一中队",
                                 kind=UnitKind.SUBORDINATE, parent=unit_a)
    unit_b = Unit.objects.create(code="shizheng", name="市政设施管理处",
                                 kind=UnitKind.SUBORDINATE, parent=bureau)
    intake = Unit.objects.create(code="digital", name="数字化城市管理指挥中心",
                                 kind=UnitKind.SUBORDINATE, parent=bureau)
    return Org(bureau, supervision, unit_a, team_a, unit_b, intake)


def make_staff(username: str, name: str, unit: Unit, *roles: tuple[str, Unit | None]):
    user = get_user_model().objects.create_user(username, password=PASSWORD, first_name=name)
    StaffProfile.objects.create(user=user, unit=unit, full_name=name, post="测试岗位",
                                badge_number=f"T{user.pk:05d}", mobile="13800000000")
    for role, scope in roles:
        RoleAssignment.objects.create(user=user, role=role, unit=scope)
    return user


@dataclass
class Personas:
    handler_a: object
    handler_b: object
    head_a: object
    supervisor: object
    leader: object
    receiver: object
    dispatcher: object


@pytest.fixture
def personas(org) -> Personas:
    return make_personas(org)


def make_personas(org: Org) -> Personas:
    return Personas(
        handler_a=make_staff("handler_a", "张承办", org.unit_a, (Role.HANDLER, org.unit_a)),
        handler_b=make_staff("handler_b", "李承办", org.unit_b, (Role.HANDLER, org.unit_b)),
        head_a=make_staff("head_a", "王处长", org.unit_a, (Role.UNIT_HEAD, org.unit_a)),
        supervisor=make_staff("supervisor", "赵督查", org.supervision, (Role.SUPERVISOR, None)),
        leader=make_staff("leader", "钱局长", org.bureau, (Role.LEADER, None)),
        receiver=make_staff("receiver", "孙受理", org.intake, (Role.RECEIVER, None)),
        dispatcher=make_staff("dispatcher", "周派遣", org.intake, (Role.DISPATCHER, None)),
    )


@pytest.fixture(autouse=True)
def _fresh_calendar():
    """Each test's database is rolled back: what a process built from the tables (the
    working calendar, the gazetteer's matcher) must not outlive it."""
    from catalog import calendar
    from places.recognise import gazetteer

    calendar.forget()
    gazetteer.forget()
    yield
    calendar.forget()
    gazetteer.forget()


@dataclass
class Categories:
    litter: object  # 4 working hours
    stall: object  # 1 working day
    top: object


@pytest.fixture
def categories(org) -> Categories:
    return make_categories(org)


def make_categories(org: Org) -> Categories:
    from catalog.models import Category, LimitUnit

    top = Category.objects.create(code="shirong", name="市容环境")
    litter = Category.objects.create(code="baolu-laji", name="暴露垃圾", parent=top,
                                     time_limit=4, time_limit_unit=LimitUnit.HOURS,
                                     warning_hours=1, default_unit=org.unit_a)
    stall = Category.objects.create(code="zhandao", name="占道经营", parent=top, time_limit=1,
                                    time_limit_unit=LimitUnit.DAYS, warning_hours=2,
                                    default_unit=org.unit_b)
    return Categories(litter, stall, top)


CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    # Date and month inputs read in the page's language (<html lang="zh-CN">: 2026年12月),
    # as in a Chinese user's Chromium; Debian's has only the en-US UI locale.
    "--enable-blink-features=LangAttributeAwareFormControlUI",
]


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium, driven by Playwright (one per test process: each test opens its
    own pages and contexts, so nothing carries over from one test to the next)."""
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread; the ORM calls made here
    # (fixtures, database flushes) are deliberate and synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium",
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(autouse=True)
def _close_browser_pages(request):
    """Pages a test leaves open would go on polling (htmx progress bars) into the next
    test's live server: each test's pages and contexts are closed after it."""
    yield
    if "browser" in request.fixturenames:
        for context in request.getfixturevalue("browser").contexts:
            context.close()


