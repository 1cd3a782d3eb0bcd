"""Demo windows and two weeks of slots from today (extended hours on Wednesdays)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from catalog import calendar
from org.models import Unit

from .models import Slot, Window

WINDOWS = [("zwzx-cg", "政务服务中心城管窗口", "bureau", "市政务服务中心3号楼2楼"),
           ("szss", "市政设施处受理窗口", "shizheng", "洪泽湖路128号1楼")]
TIMES = [(9, 0), (9, 30), (10, 0), (10, 30), (11, 0), (14, 0), (14, 30), (15, 0), (15, 30),
         (16, 0), (16, 30)]
EXTENDED = [(17, 30), (18, 0), (18, 30)]  # 延时服务, Wednesdays


@transaction.atomic
def build(context: dict) -> list[str]:
    units = {u.code: u for u in Unit.objects.all()}
    windows = []
    for code, name, unit, location in WINDOWS:
        window, _ = Window.objects.update_or_create(
            code=code, defaults={"name": name, "unit": units[unit], "location": location,
                                 "is_active": True})
        windows.append(window)
    cal = calendar.current()
    tz = timezone.get_current_timezone()
    day = timezone.localdate()
    made = 0
    for _ in range(14):
        if cal.is_working_day(day):
            times = TIMES + (EXTENDED if day.weekday() == 2 else [])
            for window in windows:
                for hour, minute in times:
                    start = dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=tz)
                    _slot, created = Slot.objects.get_or_create(
                        window=window, starts_at=start,
                        defaults={"ends_at": start + dt.timedelta(minutes=30), "capacity": 3,
                                  "extended": (hour, minute) in EXTENDED})
                    made += created
        day += dt.timedelta(days=1)
    return [f"预约窗口 {len(windows)} 个，新增时段 {made} 个"]
