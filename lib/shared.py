"""Something every process builds from the database and must rebuild when any process
changes the tables behind it (the working calendar, the gazetteer's matcher).

Each process keeps what it built, tagged with a *version* held in the shared cache (Redis
in production, the file cache of the embedded default). A change, in any process,
writes a new version once its transaction commits; every process compares its tag with
the shared version at most every ``check_seconds`` and rebuilds when they differ.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Generic, TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")


class SharedBuild(Generic[T]):
    def __init__(self, key: str, build: Callable[[], T], check_seconds: float = 2.0):
        self.key = key
        self.build = build
        self.check_seconds = check_seconds
        self._cached: tuple[str, T] | None = None
        self._checked_at = float("-inf")

    def version(self) -> str:
        """The version every process agrees on (made on first use)."""
        version = cache.get(self.key)
        if version is None:
            cache.add(self.key, uuid.uuid4().hex, timeout=None)
            version = cache.get(self.key)
        return version

    def current(self) -> T:
        """This process's copy, rebuilt when another process has changed the tables."""
        now = time.monotonic()
        if self._cached is not None and now - self._checked_at < self.check_seconds:
            return self._cached[1]
        version = self.version()
        self._checked_at = now
        if self._cached is None or self._cached[0] != version:
            self._cached = (version, self.build())
        return self._cached[1]

    def changed(self) -> None:
        """The tables changed: once the transaction commits every process's copy is stale
        (a new shared version), this one's at once."""
        def publish():
            cache.set(self.key, uuid.uuid4().hex, timeout=None)
            self.forget()
        transaction.on_commit(publish)
        self.forget()

    def forget(self) -> None:
        """Drop this process's copy (the next use rebuilds it)."""
        self._cached = None
        self._checked_at = float("-inf")
