"""Times reach readers in their time zone and in one format per language (issue 8, item 5)."""

from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import translation

from itsm.core import services
from itsm.core.formatting import date_text, datetime_text, validate_time_zone
from itsm.core.timeline import record_event

#: 16:30 in Shanghai (UTC+8), 08:30 in London (UTC+0 in March)
INSTANT = datetime(2026, 3, 1, 8, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("language", "long", "short"),
    [
        ("en", "1 Mar 2026 16:30", "2026-03-01 16:30"),
        ("zh-hans", "2026年3月1日 16:30", "2026-03-01 16:30"),
    ],
)
def test_a_utc_instant_renders_in_local_time_with_the_language_format(language, long, short):
    template = Template('{{ at|date:"DATETIME_FORMAT" }}|{{ at|date:"SHORT_DATETIME_FORMAT" }}')
    with translation.override(language):
        assert template.render(Context({"at": INSTANT})) == f"{long}|{short}"
        assert datetime_text(INSTANT) == short
        assert datetime_text(INSTANT, "DATETIME_FORMAT") == long
        assert date_text(INSTANT) == "2026-03-01"
        assert datetime_text(None) == "—"


@pytest.mark.parametrize(
    ("language", "time_zone", "shown"),
    [
        ("en", "", "2026-03-01 16:30"),
        ("zh-hans", "", "2026-03-01 16:30"),
        ("en", "Europe/London", "2026-03-01 08:30"),
    ],
)
def test_pages_show_times_in_the_users_time_zone(
    client, admin_user, customer_a, language, time_zone, shown
):
    admin_user.language = language
    admin_user.time_zone = time_zone
    admin_user.save(update_fields=["language", "time_zone"])
    record_event(customer_a, "noted", by=admin_user, at=INSTANT)
    client.force_login(admin_user)
    html = client.get(
        reverse("core:history", args=["core", "organisation", customer_a.pk])
    ).content.decode()
    assert f'<td class="text-nowrap">{shown}</td>' in html


def test_a_user_edit_saves_a_valid_time_zone_only(client, admin_user, agent):
    from django.core.exceptions import ValidationError

    validate_time_zone("Asia/Shanghai")
    validate_time_zone("")
    for wrong in ("Mars/Olympus", "\ud800"):
        with pytest.raises(ValidationError):
            validate_time_zone(wrong)
    services.update_record(
        agent, by=admin_user, expected_version=agent.version, time_zone="Asia/Tokyo"
    )
    agent.refresh_from_db()
    assert agent.time_zone == "Asia/Tokyo"
