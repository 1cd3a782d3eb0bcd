"""How a copied campaign's dates move (docs/campaign.md, "Copying")."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable


def same_day_in(day: dt.date, year: int) -> dt.date:
    """``day`` in ``year``: 29 February becomes 28 February in a common year."""
    try:
        return day.replace(year=year)
    except ValueError:  # 29 February into a common year
        return day.replace(year=year, day=28)


def shifter(old_start: dt.date, new_start: dt.date) -> Callable[[dt.date], dt.date]:
    """The function that moves a date of a campaign starting on ``old_start`` to its copy
    starting on ``new_start``: by whole years when the new start is the old one's month and
    day some years later (or earlier) — so 1 March stays 1 March across a leap year — and
    otherwise by the difference of the start dates in days."""
    years = new_start.year - old_start.year
    if same_day_in(old_start, new_start.year) == new_start:
        return lambda day: same_day_in(day, day.year + years)
    delta = new_start - old_start
    return lambda day: day + delta


def period_label(period: dt.date, monthly: bool) -> str:
    """How a period reads: a month for a monthly report ("2026年3月"), nothing for a
    one-off filing (its period is its due date, shown as such)."""
    return f"{period.year}年{period.month}月" if monthly else ""
