"""The API base (X-07): OpenAPI, docs served locally, authentication, error answers."""

import json

import pytest
import yaml
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management import call_command
from django.db import IntegrityError
from django.utils import translation
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from itsm.conftest import PASSWORD
from itsm.core.api.errors import exception_handler
from itsm.core.choices import OrganisationKind
from itsm.core.models import Organisation
from itsm.core.testing import crawl
from itsm.core.testing.api import assert_error, client_for
from itsm.core.tokens import create_token

ORGS = "/api/core/organisations/"


# --- OpenAPI and docs ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_schema_yaml_is_valid_openapi_3(client):
    response = client.get("/api/schema/")
    assert response.status_code == 200
    spec = yaml.safe_load(response.content)
    validate(spec)
    assert spec["openapi"].startswith("3.")
    assert "/api/core/organisations/{id}/history/" in spec["paths"]
    assert "/api/core/me/" in spec["paths"]


@pytest.mark.django_db
def test_schema_json_is_valid_openapi_3(client):
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    validate(json.loads(response.content))


def test_schema_generation_has_no_warnings(tmp_path):
    """drf-spectacular warnings (unresolvable types, enum collisions …) fail the build."""
    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml")
    )
    assert (tmp_path / "schema.yaml").stat().st_size > 1000


@pytest.mark.django_db
def test_swagger_ui_loads_assets_from_our_static_files(client):
    response = client.get("/api/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assets = crawl.ASSET_URL.findall(html)
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in assets
    assert all(url.startswith("/") for url in assets), assets
    assert not crawl.CDN_URL.search(html)  # no other host named anywhere
    bundle = client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    assert bundle.status_code == 200


# --- authentication -----------------------------------------------------------------------------


def test_token_authentication(customer_user):
    _row, token = create_token(customer_user, name="test", days=1)
    client = APIClient()
    response = client.get("/api/core/me/", headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200
    assert response.json()["username"] == customer_user.username


def test_bad_token_is_401(db):
    response = APIClient().get("/api/core/me/", headers={"Authorization": "Token nope"})
    assert_error(response, 401, "authentication_failed")
    assert response["WWW-Authenticate"] == "Token"


def test_session_authentication_enforces_csrf_on_unsafe_methods(admin_user):
    client = APIClient(enforce_csrf_checks=True)
    assert client.login(username=admin_user.username, password=PASSWORD)
    assert client.get(ORGS).status_code == 200
    payload = {"code": "csrf-co", "name": "CSRF Co", "kind": OrganisationKind.CUSTOMER}
    refused = client.post(ORGS, payload, format="json")
    body = assert_error(refused, 403, "permission_denied")
    assert "CSRF" in body["detail"]
    assert not Organisation.objects.filter(code="csrf-co").exists()
    client.get("/accounts/login/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(ORGS, payload, format="json", headers={"X-CSRFToken": token})
    assert accepted.status_code == 201, accepted.json()


# --- client mistakes never answer 500 -----------------------------------------------------------


def test_malformed_json_is_400_parse_error(admin_user):
    response = client_for(admin_user).post(ORGS, data='{"code": ', content_type="application/json")
    assert_error(response, 400, "parse_error")


def test_unsupported_media_type_is_415(admin_user):
    response = client_for(admin_user).post(ORGS, data="code=x", content_type="text/plain")
    assert_error(response, 415, "unsupported_media_type")


def test_unknown_filter_value_is_400_naming_the_filter(admin_user):
    response = client_for(admin_user).get(ORGS, {"kind": "planet"})
    assert_error(response, 400, "validation", fields=("kind",))


def test_wrong_method_is_405(admin_user, customer_a):
    response = client_for(admin_user).post(f"{ORGS}{customer_a.pk}/", {}, format="json")
    assert_error(response, 405, "method_not_allowed")


@pytest.mark.parametrize("pk", ["987654", "not-a-number", "99999999999999999999999", "-1"])
def test_unknown_id_is_404(admin_user, pk):
    assert_error(client_for(admin_user).get(f"{ORGS}{pk}/"), 404, "not_found")


def test_bad_version_and_if_match(admin_user, customer_a):
    client = client_for(admin_user)
    url = f"{ORGS}{customer_a.pk}/"
    assert_error(
        client.patch(url, {"name": "X"}, format="json"), 400, "validation", fields=("version",)
    )
    assert_error(
        client.patch(url, {"name": "X", "version": "one"}, format="json"),
        400,
        "validation",
        fields=("version",),
    )
    assert_error(
        client.patch(url, {"name": "X"}, format="json", headers={"If-Match": "abc"}),
        400,
        "validation",
        fields=("If-Match",),
    )
    ok = client.patch(url, {"name": "X"}, format="json", headers={"If-Match": '"1"'})
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert_error(
        client.patch(url, {"name": "Y"}, format="json", headers={"If-Match": '"1"'}),
        409,
        "conflict",
        fields=("version",),
    )


def test_foreign_related_id_is_refused(customer_user, customer_b):
    """A customer cannot point a record at another customer (related choices are restricted)."""
    response = client_for(customer_user).post(
        "/api/sample/tickets/", {"title": "Not mine", "customer": customer_b.pk}, format="json"
    )
    assert_error(response, 400, "validation", fields=("customer",))


def test_django_validation_error_becomes_400_with_fields():
    with translation.override("en"):
        response = exception_handler(
            DjangoValidationError({"name": ["Too long."], "code": ["Taken."]}), {}
        )
    assert response.status_code == 400
    assert response.data == {
        "code": "validation",
        "detail": "Some fields are not valid.",
        "fields": {"name": ["Too long."], "code": ["Taken."]},
    }
    response = exception_handler(DjangoValidationError("Bad."), {})
    assert response.data["fields"] == {"non_field_errors": ["Bad."]}


def test_integrity_error_race_becomes_409_not_500():
    response = exception_handler(IntegrityError("UNIQUE constraint failed"), {})
    assert response.status_code == 409
    assert response.data["code"] == "conflict"
    assert set(response.data) == {"code", "detail", "fields"}


def test_service_full_clean_error_is_400_with_fields(admin_user, monkeypatch):
    """A Django ValidationError raised by a model's full_clean inside a service → 400."""
    from itsm.core.models import Organisation as Org

    def clean(self):
        raise DjangoValidationError({"notes": ["Notes must not mention competitors."]})

    monkeypatch.setattr(Org, "clean", clean)
    response = client_for(admin_user).post(
        ORGS,
        {"code": "c1", "name": "C1", "kind": OrganisationKind.CUSTOMER, "notes": "x"},
        format="json",
    )
    assert_error(response, 400, "validation", fields=("notes",))
    assert not Org.objects.filter(code="c1").exists()
