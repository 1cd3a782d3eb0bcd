"""Every management command of the project says a user's mistake in one Chinese line
(issue #10: a bare installation's import printed a traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.core.management import CommandError, call_command, get_commands, load_command_class

from lib.commands import BaseCommand
from lib.errors import ActionError

PROJECT_APPS = {config.name for config in apps.get_app_configs()
                if Path(config.path).parent == Path(settings.BASE_DIR)}


def project_commands() -> list[tuple[str, str]]:
    return sorted((name, app) for name, app in get_commands().items() if app in PROJECT_APPS)


def test_the_project_has_commands_and_each_is_a_project_command():
    commands = project_commands()
    assert {"import_demands", "load_demo", "hotspots"} <= {name for name, _ in commands}
    for name, app in commands:
        assert isinstance(load_command_class(app, name), BaseCommand), \
            f"{app}.{name} should subclass lib.commands.BaseCommand"


def test_an_action_error_becomes_one_line(monkeypatch, db):
    from imports.management.commands import import_demands

    def refuse(*args, **kwargs):
        raise ActionError("invalid", "未配置受理单位：请先加载组织机构。")

    monkeypatch.setattr(import_demands.Command, "handle", refuse)
    with pytest.raises(CommandError) as refused:
        call_command("import_demands", "x.csv", "--source", "12345")
    assert str(refused.value) == "未配置受理单位：请先加载组织机构。"
