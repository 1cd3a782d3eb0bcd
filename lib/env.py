"""Strict parsing of environment variables for the settings module.

Every reader names the variable in its error, so a bad deployment stops at start-up with
a message an operator can act on, instead of running with a silently wrong value.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
FALSE_WORDS = frozenset({"0", "false", "no", "off"})


class EnvError(ValueError):
    """A variable is present but unusable, or required and missing."""

    def __init__(self, name: str, problem: str):
        self.name = name
        super().__init__(f"environment variable {name}: {problem}")


class Env:
    """Typed reads from a mapping (``os.environ`` unless another is given, as in tests)."""

    def __init__(self, environ: Mapping[str, str] | None = None):
        self.environ = os.environ if environ is None else environ

    def raw(self, name: str) -> str | None:
        value = self.environ.get(name)
        if value is None or value.strip() == "":
            return None
        return value.strip()

    def str(self, name: str, default: str | None = None, *, required: bool = False) -> str | None:
        value = self.raw(name)
        if value is None:
            if required:
                raise EnvError(name, "is required but not set")
            return default
        return value

    def bool(self, name: str, default: bool) -> bool:
        value = self.raw(name)
        if value is None:
            return default
        word = value.lower()
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise EnvError(name, f"expected one of 1/0, true/false, yes/no, on/off; got {value!r}")

    def int(self, name: str, default: int, *, minimum: int | None = None,
            maximum: int | None = None) -> int:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = int(value, 10)
        except ValueError:
            raise EnvError(name, f"expected a whole number; got {value!r}") from None
        if minimum is not None and number < minimum:
            raise EnvError(name, f"must be at least {minimum}; got {number}")
        if maximum is not None and number > maximum:
            raise EnvError(name, f"must be at most {maximum}; got {number}")
        return number

    def float(self, name: str, default: float, *, minimum: float | None = None,
              maximum: float | None = None) -> float:
        value = self.raw(name)
        if value is None:
            return default
        try:
            number = float(value)
        except ValueError:
            raise EnvError(name, f"expected a number; got {value!r}") from None
        if number != number:  # NaN compares false with every bound
            raise EnvError(name, f"expected a number; got {value!r}")
        if minimum is not None and number < minimum:
            raise EnvError(name, f"must be at least {minimum}; got {number}")
        if maximum is not None and number > maximum:
            raise EnvError(name, f"must be at most {maximum}; got {number}")
        return number

    def list(self, name: str, default: list[str]) -> list[str]:
        value = self.raw(name)
        if value is None:
            return list(default)
        items = [item.strip() for item in value.split(",")]
        if any(item == "" for item in items):
            raise EnvError(name, "a comma-separated list must not contain empty items; "
                                 f"got {value!r}")
        return items

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.raw(name)
        if value is None:
            return default
        if value not in choices:
            raise EnvError(name, f"expected one of {', '.join(choices)}; got {value!r}")
        return value
