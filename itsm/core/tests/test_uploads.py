"""The shared upload guard (issue 8, item 20): the calendar CSV import has the same size, row
and reported-error limits as the CMDB import."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from itsm.core.calendars import services as calendars
from itsm.core.errors import ValidationFailed
from itsm.core.testing.api import assert_error, client_for

HOURS = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def calendar(db):
    return calendars.create_calendar(by=None, code="cal", name="Cal", intervals=HOURS)


def test_calendar_import_refuses_a_file_over_the_size_limit_before_parsing(calendar, settings):
    settings.ITSM_UPLOAD_MAX_BYTES = 1024 * 1024
    big = SimpleUploadedFile("days.csv", b"2026-01-01,holiday,x\n" * 60_000)
    with pytest.raises(ValidationFailed) as caught:
        calendars.import_year(calendar, 2026, big, by=None)
    assert caught.value.fields == {"file": ["The file is larger than 1 MB."]}


def test_calendar_import_refuses_more_rows_than_the_limit(calendar, settings):
    settings.ITSM_UPLOAD_MAX_ROWS = 3
    content = "date,kind,name\n" + "".join(f"2026-01-0{d},holiday,x\n" for d in range(1, 6))
    with pytest.raises(ValidationFailed) as caught:
        calendars.import_year(calendar, 2026, content.encode(), by=None)
    assert caught.value.fields == {"file": ["The file has more than 3 rows; split it."]}


def test_calendar_import_reports_a_capped_number_of_row_errors(calendar, settings):
    settings.ITSM_UPLOAD_MAX_ERRORS = 2
    content = "".join(f"bad-{n},holiday,x\n" for n in range(10))
    with pytest.raises(ValidationFailed) as caught:
        calendars.import_year(calendar, 2026, content.encode(), by=None)
    assert list(caught.value.fields) == ["rows.1", "rows.2", "more"]
    assert caught.value.fields["more"] == [
        "8 more rows have errors; correct the rows listed and import again."
    ]


def test_calendar_import_through_the_api_answers_400_for_a_large_file(
    calendar, admin_user, settings
):
    settings.ITSM_UPLOAD_MAX_BYTES = 1024 * 1024
    admin_user.language = "en"
    admin_user.save(update_fields=["language"])
    client = client_for(admin_user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    response = client.post(
        f"/api/calendars/calendars/{calendar.pk}/import/",
        {"year": 2026, "file": SimpleUploadedFile("days.csv", b"2026-01-01,holiday,x\n" * 60_000)},
        format="multipart",
    )
    body = assert_error(response, 400, "validation", fields=("file",))
    assert body["fields"]["file"] == ["The file is larger than 1 MB."]


def test_cmdb_import_reports_a_capped_number_of_row_errors(admin_user, settings):
    from itsm.cmdb import importer

    settings.ITSM_UPLOAD_MAX_ERRORS = 3
    content = "name,class\n" + "".join(f"ci{n},no-such-class\n" for n in range(10))
    with pytest.raises(ValidationFailed) as caught:
        importer.import_cis(file=content.encode(), filename="cis.csv", by=admin_user)
    rows = [key for key in caught.value.fields if key.startswith("rows.")]
    assert len(rows) == 3
    assert caught.value.fields["more"] == [
        "7 more rows have errors; correct the rows listed and import again."
    ]
