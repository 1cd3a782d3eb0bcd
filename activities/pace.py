"""Pace: how many records a target requires by a given day (docs/campaign.md, "Pace").

Pure arithmetic on dates, shared by the targets page, the home pages' alerts and the
campaign calendar, so that all three say the same thing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal


def required(count: int, start: dt.date, end: dt.date, day: dt.date) -> int:
    """Records required by the end of ``day`` for ``count`` in ``start``…``end``
    (inclusive): count × elapsed ÷ length, rounded half up; 0 before the period, the
    full count after it. A 6-a-year target requires 3 by 1 July."""
    if day < start:
        return 0
    if day >= end:
        return count
    elapsed = (day - start).days + 1
    length = (end - start).days + 1
    share = Decimal(count * elapsed) / Decimal(length)
    return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))


BEHIND, ON_PACE, DONE, NOT_STARTED = "behind", "on_pace", "done", "not_started"
LABELS = {BEHIND: "进度滞后", ON_PACE: "进度正常", DONE: "已完成", NOT_STARTED: "未开始"}


@dataclass(frozen=True)
class Pace:
    done: int
    count: int
    required: int

    @property
    def status(self) -> str:
        if self.done >= self.count:
            return DONE
        if self.done < self.required:
            return BEHIND
        if self.required == 0 and self.done == 0:
            return NOT_STARTED
        return ON_PACE

    @property
    def label(self) -> str:
        return LABELS[self.status]

    @property
    def behind(self) -> bool:
        return self.status == BEHIND

    @property
    def percent(self) -> int:
        """Progress toward the full count, 0–100 (for the bar)."""
        return min(100, round(100 * self.done / self.count)) if self.count else 100

    @property
    def required_percent(self) -> int:
        """Where the pace mark sits on the bar."""
        return min(100, round(100 * self.required / self.count)) if self.count else 100


def pace(done: int, count: int, start: dt.date, end: dt.date, day: dt.date) -> Pace:
    return Pace(done=done, count=count, required=required(count, start, end, day))
