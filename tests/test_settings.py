"""Settings read the environment strictly and stop start-up with a message naming the
variable (run in a subprocess: settings are read once per process)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from lib.env import Env, EnvError

ROOT = Path(__file__).resolve().parent.parent
GOOD_KEY = "k" * 20 + "-production-secret-key-of-enough-length-0123456789"


def manage(tmp_path, *args, **env):
    environ = {k: v for k, v in os.environ.items()
               if k not in {"DEBUG", "SECRET_KEY", "DATABASE_URL", "REDIS_URL",
                            "ALLOWED_HOSTS", "SECURE_HTTPS", "DJANGO_SETTINGS_MODULE",
                            "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    environ.update({"VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "sanmanyi.settings"})
    environ.update(env)
    return subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=environ,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize(
    ("env", "variable"),
    [
        ({"DEBUG": "maybe"}, "DEBUG"),
        # production mode (a database of its own) without a key
        ({"DEBUG": "0", "DATABASE_URL": "postgres://u@db:5432/x"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"SECRET_KEY": GOOD_KEY, "SESSION_IDLE_MINUTES": "two hours"}, "SESSION_IDLE_MINUTES"),
        ({"SECRET_KEY": GOOD_KEY, "LOGIN_FAILURE_LIMIT": "0"}, "LOGIN_FAILURE_LIMIT"),
        ({"SECRET_KEY": GOOD_KEY, "DATABASE_URL": "mysql://root@localhost/x"}, "DATABASE_URL"),
        ({"SECRET_KEY": GOOD_KEY, "DATABASE_URL": "not a url"}, "DATABASE_URL"),
        ({"SECRET_KEY": GOOD_KEY, "LOG_LEVEL": "LOUD"}, "LOG_LEVEL"),
        ({"SECRET_KEY": GOOD_KEY, "SECURE_HTTPS": "sometimes"}, "SECURE_HTTPS"),
    ],
)
def test_bad_environment_stops_start_up_naming_the_variable(tmp_path, env, variable):
    result = manage(tmp_path, "check", **env)
    assert result.returncode != 0
    assert "配置错误" in result.stderr
    assert f"environment variable {variable}" in result.stderr
    assert "Traceback" not in result.stderr


def test_production_settings_pass_the_deployment_checklist(tmp_path):
    result = manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING",
                    DEBUG="0", SECRET_KEY=GOOD_KEY, ALLOWED_HOSTS="smy.example.cn",
                    DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in result.stdout


def test_a_checkout_needs_no_configuration_for_manage_py(tmp_path):
    """The embedded default keeps its key in VAR_DIR: made once, private, reused."""
    first = manage(tmp_path, "check")
    assert first.returncode == 0, first.stderr
    key_file = tmp_path / "secret_key"
    assert key_file.stat().st_mode & 0o777 == 0o600
    key = key_file.read_text()
    assert len(key) >= 50
    assert manage(tmp_path, "check").returncode == 0  # a second process reads the same key
    assert key_file.read_text() == key


def test_debug_needs_no_secret_key(tmp_path):
    result = manage(tmp_path, "check", DEBUG="1")
    assert result.returncode == 0, result.stderr


def test_the_project_settings_are_the_promised_ones(settings):
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "zh-hans"
    from sanmanyi import settings as module  # the real module, not the test overrides
    assert module.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


class TestEnv:
    def test_bool_words(self):
        env = Env({"A": "yes", "B": "0", "C": " "})
        assert env.bool("A", False) is True
        assert env.bool("B", True) is False
        assert env.bool("C", True) is True  # blank means unset

    def test_int_bounds_name_the_variable(self):
        with pytest.raises(EnvError, match="environment variable PORT"):
            Env({"PORT": "70000"}).int("PORT", 8000, minimum=1, maximum=65535)

    def test_list_splits_and_trims(self):
        assert Env({"H": " a.cn, b.cn "}).list("H", []) == ["a.cn", "b.cn"]
        with pytest.raises(EnvError, match="environment variable H"):
            Env({"H": "a.cn,,b.cn"}).list("H", [])

    def test_required(self):
        with pytest.raises(EnvError, match="SECRET_KEY: is required"):
            Env({}).str("SECRET_KEY", required=True)
