"""Catalogue services: category codes, service validation, lifecycle with roles and who/when."""

from __future__ import annotations

from decimal import Decimal

import pytest

from itsm.catalog import selectors, services
from itsm.catalog.choices import ChargingBasis, ServiceStatus
from itsm.catalog.models import ServiceCategory
from itsm.catalog.tests.factories import make_category, make_published, make_service
from itsm.cmdb import services as cmdb_services
from itsm.core.errors import Forbidden, InvalidTransition, Unprocessable, ValidationFailed
from itsm.core.timeline import timeline_for

pytestmark = pytest.mark.django_db


# --- categories -------------------------------------------------------------------------------


def test_category_codes_follow_the_parent(slm):
    root = services.create_category(code="01", name="Infrastructure", by=slm)
    child = services.create_category(code="01.02", name="Servers", parent=root, by=slm)
    grandchild = services.create_category(code="01.02.03", name="Linux", parent=child, by=slm)
    assert [c.code for c in ServiceCategory.objects.order_by("code")] == ["01", "01.02", "01.02.03"]
    assert grandchild.parent == child
    assert timeline_for(root).get().verb == "created"


@pytest.mark.parametrize(
    ("code", "parent_code", "field"),
    [
        ("1", None, "code"),
        ("A1", None, "code"),
        ("01.02", None, "code"),  # a root has one segment
        ("02.01", "01", "code"),  # not under the parent's code
        ("01.02.03", "01", "code"),  # skips a level
        ("01", "01", "code"),  # duplicate (and not a child code)
        ("0102", None, "code"),
    ],
)
def test_bad_category_codes_are_refused(slm, code, parent_code, field):
    services.create_category(code="01", name="Infrastructure", by=slm)
    parent = ServiceCategory.objects.get(code=parent_code) if parent_code else None
    with pytest.raises(ValidationFailed) as error:
        services.create_category(code=code, name="x", parent=parent, by=slm)
    assert set(error.value.fields) == {field}


def test_duplicate_root_code_names_the_field(slm):
    services.create_category(code="01", name="Infrastructure", by=slm)
    with pytest.raises(ValidationFailed) as error:
        services.create_category(code="01", name="Again", by=slm)
    assert error.value.fields == {"code": ["A category with this code already exists."]}


def test_category_with_children_keeps_code_and_cannot_be_its_own_parent(slm):
    root = make_category(code="01", by=slm)
    child = make_category(code="01.01", parent=root, by=slm)
    other = make_category(code="02", by=slm)
    with pytest.raises(ValidationFailed) as error:
        services.update_category(root, code="03", by=slm)
    assert set(error.value.fields) == {"code"}
    with pytest.raises(ValidationFailed) as error:
        services.update_category(
            ServiceCategory.objects.get(pk=child.pk), parent=child, code="01.01.01", by=slm
        )
    assert set(error.value.fields) == {"parent"}
    # a leaf may move: its code follows the new parent
    moved = services.update_category(
        ServiceCategory.objects.get(pk=child.pk), parent=other, code="02.01", by=slm
    )
    assert (moved.code, moved.parent_id, moved.version) == ("02.01", other.pk, 2)


def test_category_delete_refused_with_children_or_services(slm):
    root = make_category(code="01", by=slm)
    child = make_category(code="01.01", parent=root, by=slm)
    with pytest.raises(ValidationFailed) as error:
        services.delete_category(root, by=slm)
    assert error.value.code == "delete_not_allowed"
    assert set(error.value.fields) == {"children"}
    make_service(category=child, by=slm)
    with pytest.raises(ValidationFailed) as error:
        services.delete_category(child, by=slm)
    assert set(error.value.fields) == {"services"}
    empty = make_category(code="02", by=slm)
    services.delete_category(empty, by=slm)
    assert not ServiceCategory.objects.filter(code="02").exists()


# --- services ---------------------------------------------------------------------------------


def test_create_service_is_a_draft_with_its_values(slm, customer_a):
    service = make_service(customers=[customer_a], by=slm, modes=["on_site", "remote", "remote"])
    assert service.status == ServiceStatus.DRAFT
    assert service.modes == ["remote", "on_site"]  # declared order, no duplicates
    assert list(service.customers.all()) == [customer_a]
    assert timeline_for(service).get().verb == "created"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"modes": ["teleport"]}, "modes"),
        ({"modes": "remote"}, "modes"),
        ({"charging_basis": ChargingBasis.PER_TICKET, "price": None}, "price"),
        ({"charging_basis": ChargingBasis.FIXED, "price": Decimal("-1")}, "price"),
        ({"code": "bad code!"}, "code"),
        ({"charging_basis": "gratis"}, "charging_basis"),
    ],
)
def test_service_fields_are_validated(slm, fields, field):
    with pytest.raises(ValidationFailed) as error:
        make_service(by=slm, **fields)
    assert set(error.value.fields) == {field}


def test_price_is_optional_when_included_and_zero_is_allowed(slm):
    included = make_service(by=slm, charging_basis=ChargingBasis.INCLUDED, price=None)
    free = make_service(by=slm, charging_basis=ChargingBasis.PER_TICKET, price=Decimal("0"))
    assert included.price is None
    assert free.price == Decimal("0")


def test_customers_must_be_customer_organisations(slm, provider):
    with pytest.raises(ValidationFailed) as error:
        make_service(by=slm, customers=[provider])
    assert set(error.value.fields) == {"customers"}


def test_business_ci_must_be_a_business_service(slm, customer_a):
    server = cmdb_services.create_ci(
        name="db01", ci_class=cmdb_services.get_class("server"), by=None, customer=customer_a
    )
    portal = cmdb_services.create_ci(
        name="Online banking", ci_class=cmdb_services.get_class("business_service"), by=None
    )
    with pytest.raises(ValidationFailed) as error:
        make_service(by=slm, business_ci=server)
    assert set(error.value.fields) == {"business_ci"}
    service = make_service(by=slm, business_ci=portal, linked_cis=[server])
    assert service.business_ci == portal
    assert list(service.linked_cis.all()) == [server]


def test_linked_cis_must_be_visible_to_the_writer(slm, customer_a, customer_user):
    ci = cmdb_services.create_ci(
        name="db01", ci_class=cmdb_services.get_class("server"), by=None
    )  # shared infrastructure: invisible to customer users
    with pytest.raises(ValidationFailed) as error:
        make_service(by=customer_user, linked_cis=[ci])
    assert set(error.value.fields) == {"linked_cis"}


# --- lifecycle --------------------------------------------------------------------------------


def test_lifecycle_records_who_and_when(slm, writer, customer_a):
    service = make_service(customers=[customer_a], by=writer)
    services.submit_service(service, by=writer)
    assert (service.status, service.submitted_by, service.version) == ("in_review", writer, 2)
    assert service.submitted_at is not None
    services.publish_service(service, by=slm, note="Reviewed with the customer")
    service.refresh_from_db()
    assert service.status == ServiceStatus.PUBLISHED
    assert (service.reviewed_by, service.published_by) == (slm, slm)
    assert service.published_at == service.reviewed_at
    assert selectors.is_published(service)
    services.retire_service(service, by=slm)
    service.refresh_from_db()
    assert (service.status, service.retired_by) == ("retired", slm)
    assert not selectors.is_published(service)
    events = [(e.verb, e.actor, e.data.get("to")) for e in timeline_for(service).order_by("at")]
    assert events == [
        ("created", writer, None),
        ("submit", writer, "in_review"),
        ("publish", slm, "published"),
        ("retire", slm, "retired"),
    ]
    assert timeline_for(service).get(verb="publish").note == "Reviewed with the customer"


def test_writers_cannot_publish_and_engineers_cannot_submit(writer, engineer, customer_a):
    service = make_service(customers=[customer_a], by=writer)
    with pytest.raises(Forbidden):
        services.submit_service(service, by=engineer)
    services.submit_service(service, by=writer)
    with pytest.raises(Forbidden):
        services.publish_service(service, by=writer)
    service.refresh_from_db()
    assert service.status == ServiceStatus.IN_REVIEW


def test_invalid_moves_answer_invalid_transition(slm, customer_a):
    service = make_service(customers=[customer_a], by=slm)
    with pytest.raises(InvalidTransition):
        services.publish_service(service, by=slm)
    with pytest.raises(InvalidTransition):
        services.retire_service(service, by=slm)


def test_publish_names_the_missing_fields(slm, writer):
    service = make_service(
        by=writer, description="", owner=None, service_hours=None, modes=[], customers=[]
    )
    with pytest.raises(ValidationFailed) as error:
        services.submit_service(service, by=writer)
    assert set(error.value.fields) == {
        "description",
        "owner",
        "service_hours",
        "modes",
        "customers",
    }
    assert "description" in str(error.value.detail)
    service.refresh_from_db()
    assert service.status == ServiceStatus.DRAFT


def test_reject_needs_a_reason_and_returns_to_draft(slm, writer, customer_a):
    service = make_service(customers=[customer_a], by=writer)
    services.submit_service(service, by=writer)
    with pytest.raises(ValidationFailed) as error:
        services.reject_service(service, by=slm, note=" ")
    assert set(error.value.fields) == {"note"}
    services.reject_service(service, by=slm, note="Price missing for on-site visits")
    service.refresh_from_db()
    assert (service.status, service.reviewed_by, service.published_at) == ("draft", slm, None)
    assert timeline_for(service).get(verb="reject").note == "Price missing for on-site visits"


def test_stale_version_conflicts_on_transition(slm, customer_a):
    from itsm.core.errors import Conflict

    service = make_service(customers=[customer_a], by=slm)
    with pytest.raises(Conflict):
        services.submit_service(service, by=slm, expected_version=7)


def test_edits_of_a_published_service_are_recorded(slm, writer, customer_a, customer_b):
    service = make_published(customers=[customer_a])
    services.update_service(
        service, by=writer, expected_version=service.version, customers=[customer_a, customer_b]
    )
    service.refresh_from_db()
    assert service.status == ServiceStatus.PUBLISHED
    assert set(service.customers.all()) == {customer_a, customer_b}
    event = timeline_for(service).get(verb="updated")
    assert event.data == {
        "fields": ["customers"],
        "status": "published",
        "customers": sorted([customer_a.pk, customer_b.pk]),
    }
    # a published service keeps what publication needs
    with pytest.raises(ValidationFailed) as error:
        services.update_service(service, by=writer, customers=[])
    assert set(error.value.fields) == {"customers"}


def test_retired_service_is_frozen(slm, customer_a):
    service = make_published(customers=[customer_a])
    services.retire_service(service, by=slm)
    with pytest.raises(Unprocessable):
        services.update_service(service, by=slm, name="New name")
    with pytest.raises(Unprocessable):
        services.add_item(service=service, code="X", name="x", by=slm)


def test_only_unpublished_drafts_can_be_deleted(slm, customer_a):
    draft = make_service(by=slm)
    services.delete_service(draft, by=slm)
    published = make_published(customers=[customer_a])
    with pytest.raises(ValidationFailed) as error:
        services.delete_service(published, by=slm)
    assert error.value.code == "delete_not_allowed"


def test_items_add_update_remove(slm, customer_a):
    service = make_service(customers=[customer_a], by=slm)
    item = services.add_item(service=service, code="PC-01", name="PC repair", by=slm)
    with pytest.raises(ValidationFailed) as error:
        services.add_item(service=service, code="PC-01", name="Again", by=slm)
    assert set(error.value.fields) == {"code"}
    services.update_item(item, by=slm, expected_version=1, name="PC fault repair")
    item.refresh_from_db()
    assert (item.name, item.version) == ("PC fault repair", 2)
    services.remove_item(item, by=slm)
    assert not service.items.exists()
    verbs = [e.verb for e in timeline_for(service).order_by("at", "id")]
    assert verbs == ["created", "item_added", "item_changed", "item_removed"]


# --- selectors --------------------------------------------------------------------------------


def test_published_services_and_catalogue_tree(slm, customer_a, customer_b, customer_user):
    root = make_category(code="01", name="Infrastructure", by=slm)
    servers = make_category(code="01.01", name="Servers", parent=root, by=slm)
    make_category(code="02", name="Empty", by=slm)
    mine = make_published(customers=[customer_a], category=servers)
    make_published(customers=[customer_b], category=servers)
    make_service(customers=[customer_a], category=root)  # draft: never shown
    assert list(selectors.published_services(customer=customer_a)) == [mine]
    assert selectors.published_services().count() == 2
    tree = selectors.catalogue_tree(user=customer_user)
    assert [node.category.code for node in tree] == ["01"]
    assert tree[0].services == []
    assert [child.category.code for child in tree[0].children] == ["01.01"]
    assert tree[0].children[0].services == [mine]
    assert tree[0].service_count == 1
