"""The language switch: saved on the user, always put in the cookie."""

import pytest
from django.conf import settings
from django.urls import reverse

from itsm.core import services
from itsm.core.errors import ValidationFailed
from itsm.core.models import User

URL = "/language/"


def test_switch_saves_language_on_user_and_cookie(client, admin_user):
    client.force_login(admin_user)
    response = client.post(URL, {"language": "en", "next": "/core/users/"})
    assert response.status_code == 302
    assert response["Location"] == "/core/users/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert User.objects.get(pk=admin_user.pk).language == "en"
    # the saved language wins on the next request, cookie or not
    client.cookies.pop(settings.LANGUAGE_COOKIE_NAME)
    page = client.get("/")
    assert page.context["LANGUAGE_CODE"] == "en"
    assert ">Dashboard<" in page.content.decode()


def test_switch_back_to_chinese(client, admin_user):
    services.set_language(admin_user, language="en")
    client.force_login(admin_user)
    client.post(URL, {"language": "zh-hans", "next": "/"})
    assert User.objects.get(pk=admin_user.pk).language == "zh-hans"
    page = client.get("/")
    assert page.context["LANGUAGE_CODE"] == "zh-hans"
    assert ">仪表板<" in page.content.decode()


def test_unknown_language_is_refused(client, admin_user):
    client.force_login(admin_user)
    response = client.post(URL, {"language": "fr"})
    assert response.status_code == 400
    assert User.objects.get(pk=admin_user.pk).language == "zh-hans"


def test_get_is_not_allowed(client, admin_user):
    client.force_login(admin_user)
    assert client.get(URL).status_code == 405


def test_foreign_next_url_is_ignored(client, admin_user):
    client.force_login(admin_user)
    response = client.post(URL, {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == reverse("ui:dashboard")


def test_anonymous_switch_sets_only_the_cookie(client, db):
    response = client.post(URL, {"language": "en", "next": "/accounts/login/"})
    assert response["Location"] == "/accounts/login/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = client.get("/accounts/login/")
    assert "Sign in to your account" in page.content.decode()


def test_login_page_defaults_to_chinese_and_has_the_switch(client, db):
    html = client.get("/accounts/login/").content.decode()
    assert "登录您的账户" in html
    assert 'data-testid="language-switch"' in html
    assert 'value="en"' in html


def test_set_language_service_validates(admin_user):
    with pytest.raises(ValidationFailed) as excinfo:
        services.set_language(admin_user, language="xx")
    assert list(excinfo.value.fields) == ["language"]
    services.set_language(admin_user, language="en")
    admin_user.refresh_from_db()
    assert admin_user.language == "en"
    assert admin_user.version == 1  # a preference, not an edit: no version bump
