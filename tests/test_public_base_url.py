"""Links sent by SMS follow `make run`'s HOST and PORT when PUBLIC_BASE_URL is unset
(issue #9, item 6: an evaluation link pointed at :8000 while the site ran on PORT=8123)."""

from __future__ import annotations

import pytest

from sanmanyi.settings import local_url

from .test_settings import manage

PRINT = "from django.conf import settings; print(settings.PUBLIC_BASE_URL)"


@pytest.mark.parametrize(("env", "url"), [
    ({"PORT": "8123"}, "http://127.0.0.1:8123"),
    ({"PORT": "8123", "PUBLIC_BASE_URL": "https://smy.example.gov.cn/"},
     "https://smy.example.gov.cn"),
])
def test_the_public_address_follows_host_and_port(tmp_path, env, url):
    result = manage(tmp_path, "shell", "-c", PRINT,
                    **{"HOST": "127.0.0.1", "PORT": "8000", "PUBLIC_BASE_URL": "", **env})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == url


def test_a_port_that_is_not_a_number_stops_start_up(tmp_path):
    result = manage(tmp_path, "check", PORT="eighty")
    assert result.returncode != 0
    assert "environment variable PORT" in result.stderr


def test_the_local_address_is_one_a_browser_on_this_machine_reaches():
    assert local_url("0.0.0.0", 9000) == "http://127.0.0.1:9000"  # noqa: S104
    assert local_url("192.168.1.20", 8000) == "http://192.168.1.20:8000"


def test_an_ipv6_host_gets_brackets():
    assert local_url("::1", 8000) == "http://[::1]:8000"
    assert local_url("::", 8000) == "http://127.0.0.1:8000"
