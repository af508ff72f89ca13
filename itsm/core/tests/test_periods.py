"""``core.periods``: report periods of whole months, and the errors a bad one gets."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from itsm.core.errors import ValidationFailed
from itsm.core.periods import MAX_MONTHS, MonthPeriod, next_month, resolve_months


def test_months_and_their_instants():
    period = resolve_months(start="2025-11", end="2026-02")
    assert period == MonthPeriod(datetime.date(2025, 11, 1), datetime.date(2026, 2, 1))
    assert period.months() == [
        datetime.date(2025, 11, 1),
        datetime.date(2025, 12, 1),
        datetime.date(2026, 1, 1),
        datetime.date(2026, 2, 1),
    ]
    assert timezone.localtime(period.start).date() == datetime.date(2025, 11, 1)
    assert timezone.localtime(period.end).date() == datetime.date(2026, 3, 1)
    assert period.label == "2025-11 – 2026-02"
    assert period.query() == {"start": "2025-11", "end": "2026-02"}
    assert resolve_months(start="2026-03", end="2026-03").label == "2026-03"
    assert next_month(datetime.date(2024, 1, 31)) == datetime.date(2024, 2, 1)


def test_default_is_the_twelve_months_up_to_this_one():
    period = resolve_months()
    this_month = timezone.localdate().replace(day=1)
    assert period.last == this_month
    assert len(period.months()) == 12
    assert len(resolve_months(default_months=1).months()) == 1


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("2026-13", "", "start"),
        ("26-01", "", "start"),
        ("", "2026-00", "end"),
        ("9999-01", "", "start"),
        ("2026-05", "2026-04", "start"),
        ("2020-01", "2026-01", "start"),  # more than MAX_MONTHS
    ],
)
def test_bad_periods_name_their_field(start, end, field):
    with pytest.raises(ValidationFailed) as error:
        resolve_months(start=start or None, end=end or None)
    assert set(error.value.fields) == {field}
    assert MAX_MONTHS == 36
