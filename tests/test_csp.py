"""The Content-Security-Policy and the Permissions-Policy (issue #9, item 8). The browser
test (test_browser_csp.py) loads every page under them; these check the headers and keep
inline script out of the templates."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.urls import reverse

from sanmanyi.settings import tile_source

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
INLINE_HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
SCRIPT = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)


def directives(header: str) -> dict[str, list[str]]:
    out = {}
    for part in header.split(";"):
        name, *sources = part.split()
        out[name] = sources
    return out


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/", "/console/login/", "/submit/"])
def test_pages_carry_a_strict_script_policy(client, path):
    response = client.get(path)
    policy = directives(response["Content-Security-Policy"])
    assert policy["script-src"] == ["'self'"]  # no inline script, no eval; a nonce if used
    assert policy["style-src"] == ["'self'"]  # no <style> element
    assert policy["style-src-attr"] == ["'unsafe-inline'"]  # style attributes only
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["default-src"] == ["'self'"]


@pytest.mark.django_db
def test_an_inline_script_gets_the_nonce_of_its_response(rf):
    from csp.middleware import CSPMiddleware
    from django.http import HttpResponse

    def view(request):
        return HttpResponse(f'<script nonce="{request.csp_nonce}"></script>')

    request = rf.get("/")
    response = CSPMiddleware(view)(request)
    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in directives(response["Content-Security-Policy"])["script-src"]


@pytest.mark.django_db
def test_the_permissions_policy_turns_off_what_no_page_uses(client):
    header = client.get(reverse("portal:home"))["Permissions-Policy"]
    features = dict(part.strip().split("=") for part in header.split(","))
    for feature in ("camera", "microphone", "geolocation", "payment", "usb"):
        assert features[feature] == "()"


def test_no_template_has_an_inline_event_handler_or_an_inline_script():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        assert not INLINE_HANDLER.search(text), f"{path}: an inline on…= handler"
        for attributes in SCRIPT.findall(text):
            assert "src=" in attributes or "nonce=" in attributes, \
                f"{path}: an inline <script> without a nonce"


@pytest.mark.parametrize(("url", "source"), [
    ("", None),
    ("/tiles/{z}/{x}/{y}.png", None),
    ("https://t{s}.tianditu.gov.cn/vec_w/wmts?x={x}&y={y}&l={z}&tk=KEY",
     "https://*.tianditu.gov.cn"),
    ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
    ("https://tiles.example.cn/{z}/{x}/{y}.png", "https://tiles.example.cn"),
])
def test_the_map_tiles_origin_is_allowed_for_images(url, source):
    assert tile_source(url) == source
