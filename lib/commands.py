"""The project's management commands say a user's mistake in one Chinese line.

Every command of the project subclasses ``BaseCommand`` here instead of Django's: a refusal
of a domain action (``ActionError``: a missing intake unit on a bare installation, a file
that cannot be read, a wrong value) or a configuration error becomes a ``CommandError``,
which ``manage.py`` prints as one line and exits with status 1 — no traceback for what the
user can fix. Programming errors still show their traceback. ``tests/test_commands.py``
checks that every command of the project is one of these.
"""

from __future__ import annotations

from django.core.exceptions import ImproperlyConfigured
from django.core.management import base

from lib.errors import ActionError


class BaseCommand(base.BaseCommand):
    def execute(self, *args, **options):
        try:
            return super().execute(*args, **options)
        except ActionError as error:
            raise base.CommandError(error.message) from None
        except ImproperlyConfigured as error:
            raise base.CommandError(f"配置错误：{error}") from None
