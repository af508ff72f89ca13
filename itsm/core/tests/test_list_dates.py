"""A list page writes its dates once per page's formats (``core.lists.columns.page_text``):
the same text as Django's ``date_format`` in the reader's time zone and language, for every
named format of both languages and for formats it leaves to Django."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from itsm.core.formatting import date_text, datetime_text
from itsm.core.lists.columns import Column, date_formatter, display_text, page_text

NAMES = (
    "DATE_FORMAT",
    "DATETIME_FORMAT",
    "SHORT_DATE_FORMAT",
    "SHORT_DATETIME_FORMAT",
    "TIME_FORMAT",
    "YEAR_MONTH_FORMAT",
    "MONTH_DAY_FORMAT",
)

MOMENTS = [
    datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC),
    datetime.datetime(2026, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC),
    datetime.datetime(999, 7, 9, 16, 0, tzinfo=datetime.UTC),  # a year of three digits
    datetime.datetime(2026, 3, 29, 1, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")),
    datetime.datetime(2026, 6, 15, 12, 0),  # naive: not converted
]


@pytest.mark.parametrize("language", ["en", "zh-hans"])
@pytest.mark.parametrize("zone", ["UTC", "Asia/Shanghai", "America/St_Johns"])
def test_page_text_writes_what_django_writes(language, zone):
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        for name in ("", *NAMES):
            text = page_text(name)
            for moment in MOMENTS:
                assert text(moment) == datetime_text(moment, name or "SHORT_DATETIME_FORMAT")
                assert text(moment) == display_text(moment, name)
            day = datetime.date(2026, 2, 3)
            if name in ("", "DATE_FORMAT", "SHORT_DATE_FORMAT", "YEAR_MONTH_FORMAT"):
                assert text(day) == date_text(day, name or "SHORT_DATE_FORMAT")
            assert text(True) == display_text(True) and text(7) == "7"


@pytest.mark.parametrize(
    "pattern",
    ["Y-m-d H:i", "Y年n月j日 G:i:s", r"\Y Y {j}", "D, j M Y", "jS F Y P", "y/m/d", "c"],
)
def test_formats_it_does_not_write_are_djangos(pattern):
    moment = datetime.datetime(2026, 4, 5, 6, 7, 8, tzinfo=datetime.UTC)
    with translation.override("en"):
        assert date_formatter(pattern)(moment) == date_format(moment, pattern)


def test_a_date_with_time_fields_is_refused_as_django_refuses_it():
    with pytest.raises(TypeError):
        date_formatter("Y-m-d H:i", dates=True)(datetime.date(2026, 1, 1))


def test_a_column_cell_uses_the_page_formats():
    column = Column("at", "At")
    row = type("Row", (), {"at": MOMENTS[0], "pk": 1})()
    with translation.override("zh-hans"), timezone.override(zoneinfo.ZoneInfo("Asia/Shanghai")):
        assert column.cell(row) == "2026-01-02 11:04"
        assert Column("at", "At", date_format="DATE_FORMAT").cell(row) == "2026年1月2日"
