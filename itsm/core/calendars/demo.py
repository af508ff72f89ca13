"""Demo calendars: 7×24 and China 5×8 (statutory working days, lunch break)."""

from __future__ import annotations

from itsm.core.calendars import services
from itsm.core.calendars.models import BusinessCalendar

DEMO_YEARS = (2025, 2026)


def load_calendars() -> int:
    created = 0
    if not BusinessCalendar.objects.filter(code="7x24").exists():
        services.create_calendar(
            by=None,
            code="7x24",
            name="7×24",
            time_zone="Asia/Shanghai",
            description="Round the clock, every day including holidays.",
            intervals=[{"weekday": d, "start": "00:00", "end": "00:00"} for d in range(7)],
        )
        created += 1
    if not BusinessCalendar.objects.filter(code="cn-5x8").exists():
        calendar = services.create_calendar(
            by=None,
            code="cn-5x8",
            name="中国法定工作日 5×8 (China statutory working days 5×8)",
            time_zone="Asia/Shanghai",
            holiday_region="CN",
            description="09:00–12:00 and 13:00–18:00 on China's statutory working days, "
            "including adjusted working weekends (调休).",
            intervals=[
                {"weekday": d, "start": start, "end": end}
                for d in range(5)
                for start, end in (("09:00", "12:00"), ("13:00", "18:00"))
            ],
        )
        services.seed_from_chinese_calendar(calendar, DEMO_YEARS)
        for year in DEMO_YEARS:
            services.confirm_year(calendar, year, by=None)
        created += 1
    return created
