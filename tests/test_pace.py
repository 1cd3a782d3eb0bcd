"""activities.pace: the required count by a day, the statuses."""

import datetime as dt

from activities.pace import BEHIND, DONE, NOT_STARTED, ON_PACE, pace, required

D = dt.date


def test_a_six_a_year_target_requires_three_by_the_first_of_july():
    assert required(6, D(2026, 1, 1), D(2026, 12, 31), D(2026, 7, 1)) == 3
    assert pace(2, 6, D(2026, 1, 1), D(2026, 12, 31), D(2026, 7, 1)).status == BEHIND
    assert pace(3, 6, D(2026, 1, 1), D(2026, 12, 31), D(2026, 7, 1)).status == ON_PACE


def test_nothing_is_required_at_the_very_start_and_everything_at_the_end():
    assert required(6, D(2026, 1, 1), D(2026, 12, 31), D(2025, 12, 31)) == 0
    assert required(6, D(2026, 1, 1), D(2026, 12, 31), D(2026, 1, 2)) == 0
    assert required(6, D(2026, 1, 1), D(2026, 12, 31), D(2026, 12, 31)) == 6
    assert required(6, D(2026, 1, 1), D(2026, 12, 31), D(2027, 3, 1)) == 6
    assert pace(0, 6, D(2026, 1, 1), D(2026, 12, 31), D(2026, 1, 2)).status == NOT_STARTED


def test_a_leap_year_counts_its_366_days():
    # 2024: 1 January … 1 July is 183 of 366 days, exactly half: 3 of 6
    assert required(6, D(2024, 1, 1), D(2024, 12, 31), D(2024, 7, 1)) == 3
    # 1 April is day 92 of 366 in a leap year: 1.508 → 2; day 91 of 365 otherwise: 1.496 → 1
    assert required(6, D(2024, 1, 1), D(2024, 12, 31), D(2024, 4, 1)) == 2
    assert required(6, D(2026, 1, 1), D(2026, 12, 31), D(2026, 4, 1)) == 1


def test_done_beats_pace_and_the_bar_is_capped():
    result = pace(7, 6, D(2026, 1, 1), D(2026, 12, 31), D(2026, 2, 1))
    assert result.status == DONE
    assert result.percent == 100
