"""Agreements, targets, the change-reference rule, signing (CI), underpinning, requirements."""

from __future__ import annotations

import datetime

import pytest
from django.utils import translation

from itsm.cmdb import services as cmdb
from itsm.cmdb.models import Relation
from itsm.core.choices import OrganisationKind, Role
from itsm.core.errors import Forbidden, InvalidTransition, ValidationFailed
from itsm.core.models import TimelineEntry
from itsm.core.testing.factories import SupplierFactory, TeamFactory, UserFactory
from itsm.slm import selectors
from itsm.slm.choices import AgreementStatus
from itsm.slm.models import Agreement, Target
from itsm.slm.services import agreements as agreement_services
from itsm.slm.services import requirements as requirement_services
from itsm.slm.tests.factories import (
    calendar_7x24,
    draft_service,
    make_signed_sla,
    make_sla,
    published_service,
    slm_manager,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def manager(provider):
    return slm_manager(username="slm-manager")


def _fields(exc) -> set:
    return set(exc.value.fields)


# --- parties and fields -------------------------------------------------------------------


def test_sla_needs_a_customer_organisation(manager, customer_a):
    with pytest.raises(ValidationFailed) as exc:
        agreement_services.create_agreement(kind="sla", title="x", by=manager)
    assert _fields(exc) == {"customer"}
    supplier = SupplierFactory()
    with pytest.raises(ValidationFailed) as exc:
        agreement_services.create_agreement(kind="sla", title="x", by=manager, customer=supplier)
    assert _fields(exc) == {"customer"}


def test_ola_needs_team_and_uc_needs_supplier(manager, customer_a):
    with pytest.raises(ValidationFailed) as exc:
        agreement_services.create_agreement(kind="ola", title="x", by=manager, customer=customer_a)
    assert _fields(exc) == {"team", "customer"}
    with pytest.raises(ValidationFailed) as exc:
        agreement_services.create_agreement(kind="uc", title="x", by=manager, supplier=customer_a)
    assert _fields(exc) == {"supplier"}
    team = TeamFactory()
    ola = agreement_services.create_agreement(kind="ola", title="Server OLA", by=manager, team=team)
    uc = agreement_services.create_agreement(
        kind="uc", title="HW", by=manager, supplier=SupplierFactory()
    )
    assert ola.number == "OLA-000001"
    assert uc.number == "UC-000001"
    assert ola.status == AgreementStatus.DRAFT


def test_validity_and_warning_percent(manager, customer_a):
    with pytest.raises(ValidationFailed) as exc:
        make_sla(
            customer_a,
            by=manager,
            valid_from=datetime.date(2026, 2, 1),
            valid_to=datetime.date(2026, 1, 1),
            warning_percent=100,
        )
    assert _fields(exc) == {"valid_to", "warning_percent"}
    with pytest.raises(ValidationFailed) as exc:
        make_sla(customer_a, by=manager, warning_percent=0)
    assert _fields(exc) == {"warning_percent"}
    assert make_sla(customer_a, by=manager, warning_percent=1).warning_percent == 1


def test_only_published_services(manager, customer_a):
    draft = draft_service(customers=[customer_a])
    with pytest.raises(ValidationFailed) as exc:
        make_sla(customer_a, by=manager, services_=[draft])
    assert _fields(exc) == {"services"}
    sla = make_sla(customer_a, by=manager, services_=[published_service(customers=[customer_a])])
    with pytest.raises(ValidationFailed) as exc:
        agreement_services.update_agreement(sla, by=manager, services=[draft])
    assert _fields(exc) == {"services"}
    assert sla.services.count() == 1


def test_underpins_only_slas_from_ola_or_uc(manager, customer_a):
    sla = make_sla(customer_a, by=manager)
    team = TeamFactory()
    ola = agreement_services.create_agreement(kind="ola", title="OLA", by=manager, team=team)
    with pytest.raises(ValidationFailed) as exc:
        agreement_services.update_agreement(sla, by=manager, underpins=[sla])
    assert _fields(exc) == {"underpins"}
    other = agreement_services.create_agreement(kind="ola", title="OLA 2", by=manager, team=team)
    with pytest.raises(ValidationFailed) as exc:
        agreement_services.update_agreement(ola, by=manager, underpins=[other])
    assert _fields(exc) == {"underpins"}
    agreement_services.update_agreement(ola, by=manager, underpins=[sla])
    assert list(sla.underpinned_by.all()) == [ola]


# --- targets ------------------------------------------------------------------------------


def test_target_validation(manager, customer_a):
    service = published_service(customers=[customer_a])
    sla = make_sla(customer_a, by=manager, services_=[service])
    cases = [
        ({"metric": "response", "target_value": 15}, {"priority"}),
        ({"metric": "response", "priority": "p1", "target_value": 0}, {"target_value"}),
        ({"metric": "availability", "target_value": 101}, {"target_value"}),
        ({"metric": "other", "target_value": 1}, {"name", "measurement_method"}),
        (
            {
                "metric": "resolution",
                "priority": "p1",
                "target_value": 60,
                "service": published_service(customers=[customer_a]),
            },
            {"service"},
        ),
    ]
    for fields, expected in cases:
        with pytest.raises(ValidationFailed) as exc:
            agreement_services.add_target(agreement=sla, by=manager, **fields)
        assert _fields(exc) == expected, fields
    target = agreement_services.add_target(
        agreement=sla, by=manager, metric="availability", target_value="99.9", service=service
    )
    assert (target.unit, target.higher_is_better) == ("percent", True)
    resolution = agreement_services.add_target(
        agreement=sla, by=manager, metric="resolution", priority="p2", target_value=480
    )
    assert (resolution.unit, resolution.higher_is_better) == ("minutes", False)


# --- lifecycle ----------------------------------------------------------------------------


def test_lifecycle_and_roles(manager, customer_a):
    maintainer = UserFactory(
        username="maintainer", roles=(Role.AGREEMENT_MAINTAINER,), organisation=manager.organisation
    )
    sla = make_sla(customer_a, by=maintainer)
    agreement_services.transition_agreement(sla, to="negotiating", by=maintainer)
    with pytest.raises(ValidationFailed) as exc:
        agreement_services.transition_agreement(sla, to="signed", by=manager)
    assert _fields(exc) == {"valid_from", "valid_to", "calendar"}
    sla = Agreement.objects.get(pk=sla.pk)
    agreement_services.update_agreement(
        sla,
        by=manager,
        calendar=calendar_7x24(),
        valid_from=datetime.date(2026, 1, 1),
        valid_to=datetime.date(2026, 12, 31),
    )
    with pytest.raises(ValidationFailed) as exc:
        agreement_services.transition_agreement(sla, to="signed", by=manager)
    assert _fields(exc) == {"targets"}
    agreement_services.add_target(
        agreement=sla, by=manager, metric="response", priority="p1", target_value=15
    )
    with pytest.raises(Forbidden):
        agreement_services.transition_agreement(sla, to="signed", by=maintainer)
    sla = Agreement.objects.get(pk=sla.pk)
    agreement_services.transition_agreement(sla, to="signed", by=manager)
    sla.refresh_from_db()
    assert sla.status == AgreementStatus.SIGNED
    assert sla.signed_by == manager and sla.signed_at is not None
    with pytest.raises(InvalidTransition):
        agreement_services.transition_agreement(sla, to="expired", by=manager)
    agreement_services.transition_agreement(sla, to="active", by=manager)
    agreement_services.transition_agreement(sla, to="terminated", by=manager)
    assert Agreement.objects.get(pk=sla.pk).status == AgreementStatus.TERMINATED


def test_sign_creates_ci_covering_business_services(manager, customer_a):
    business = cmdb.create_ci(
        name="Online banking", ci_class=cmdb.get_class("business_service"), by=None
    )
    service = published_service(customers=[customer_a], business_ci=business)
    sla = make_signed_sla(customer_a, by=manager, service=service)
    assert sla.ci is not None
    assert sla.ci.ci_class.code == "agreement"
    assert sla.ci.customer == customer_a
    assert sla.ci.name == str(sla)
    covers = Relation.objects.filter(source=sla.ci, type__code="covers")
    assert [r.target for r in covers] == [business]
    # a later service change keeps the CI's relations in step
    agreement_services.update_agreement(sla, by=manager, services=[], change_reference="CHG-000001")
    assert not Relation.objects.filter(source=sla.ci, type__code="covers").exists()


# --- signed agreements change only with a reference ----------------------------------------


def test_signed_change_needs_reference(manager, customer_a):
    sla = make_signed_sla(customer_a, by=manager)
    with pytest.raises(ValidationFailed) as exc:
        agreement_services.update_agreement(sla, by=manager, title="New title")
    assert _fields(exc) == {"change_reference"}
    sla = Agreement.objects.get(pk=sla.pk)
    # an unchanged value is no change and needs nothing
    agreement_services.update_agreement(sla, by=manager, title=sla.title)
    agreement_services.update_agreement(
        sla, by=manager, title="New title", change_reference="CHG-000042", expected_version=None
    )
    sla.refresh_from_db()
    assert (sla.title, sla.change_reference) == ("New title", "CHG-000042")
    event = TimelineEntry.objects.filter(object_id=str(sla.pk), verb="changed").latest("at")
    assert event.note == "CHG-000042"
    assert event.data["fields"] == ["title"]
    assert sla.history.first().history_change_reason == "CHG-000042"


def test_signed_target_changes_need_reference(manager, customer_a):
    sla = make_signed_sla(customer_a, by=manager)
    target = sla.targets.get(metric="resolution")
    with pytest.raises(ValidationFailed) as exc:
        agreement_services.add_target(
            agreement=sla, by=manager, metric="response", priority="p2", target_value=30
        )
    assert _fields(exc) == {"change_reference"}
    with pytest.raises(ValidationFailed) as exc:
        agreement_services.update_target(target, by=manager, target_value=200)
    assert _fields(exc) == {"change_reference"}
    with pytest.raises(ValidationFailed) as exc:
        agreement_services.delete_target(target, by=manager)
    assert _fields(exc) == {"change_reference"}
    target = Target.objects.get(pk=target.pk)
    agreement_services.update_target(target, by=manager, target_value=200, change_reference="CHG-7")
    assert Target.objects.get(pk=target.pk).target_value == 200
    verbs = list(
        TimelineEntry.objects.filter(object_id=str(sla.pk), note="CHG-7").values_list(
            "verb", flat=True
        )
    )
    assert verbs == ["target_changed"]
    agreement_services.delete_target(
        Target.objects.get(pk=target.pk), by=manager, change_reference="CHG-8"
    )
    assert not Target.objects.filter(pk=target.pk).exists()


# --- underpinning (R-SLM-08) ----------------------------------------------------------------


def test_underpinning_warning_on_both_and_cleared_after_fix(manager, customer_a):
    sla = make_signed_sla(customer_a, by=manager, status=AgreementStatus.SIGNED)
    supplier = SupplierFactory()
    uc = agreement_services.create_agreement(kind="uc", title="HW", by=manager, supplier=supplier)
    weak = agreement_services.add_target(
        agreement=uc, by=manager, metric="resolution", priority="p1", target_value=480
    )
    agreement_services.add_target(
        agreement=uc, by=manager, metric="response", priority="p1", target_value=10
    )
    uc.refresh_from_db()
    assert uc.underpinning_warnings == []  # not linked yet
    agreement_services.update_agreement(uc, by=manager, underpins=[sla])
    uc.refresh_from_db()
    sla.refresh_from_db()
    assert len(uc.underpinning_warnings) == 1
    assert len(sla.underpinning_warnings) == 1
    on_uc, on_sla = uc.underpinning_warnings[0], sla.underpinning_warnings[0]
    assert (on_uc["other"], on_sla["other"]) == (sla.number, uc.number)
    assert (on_uc["metric"], on_uc["priority"]) == ("resolution", "p1")
    assert (on_uc["contract_value"], on_uc["sla_value"]) == ("480", "240")
    assert on_uc["message"] == agreement_services.warning_message(on_uc)  # in the active language
    with translation.override("en"):
        assert agreement_services.warning_message(on_uc) == (
            f"{uc.number}: Resolution time P1 is 480 min, longer than the 240 min promised in "
            f"{sla.number}."
        )
    # a weaker SLA-side edit flags nothing new; fixing the UC target clears both
    agreement_services.update_target(weak, by=manager, target_value=240)
    uc.refresh_from_db()
    sla.refresh_from_db()
    assert uc.underpinning_warnings == [] and sla.underpinning_warnings == []
    # the SLA side: tightening the SLA target below the UC's flags both again
    sla_target = sla.targets.get(metric="resolution")
    agreement_services.update_target(
        sla_target, by=manager, target_value=120, change_reference="CHG-1"
    )
    uc.refresh_from_db()
    sla.refresh_from_db()
    assert [w["sla_value"] for w in uc.underpinning_warnings] == ["120"]
    assert [w["other"] for w in sla.underpinning_warnings] == [uc.number]
    # unlinking clears both
    agreement_services.update_agreement(uc, by=manager, underpins=[])
    uc.refresh_from_db()
    sla.refresh_from_db()
    assert uc.underpinning_warnings == [] and sla.underpinning_warnings == []


def test_underpinning_availability_lower_is_weaker(manager, customer_a):
    sla = make_signed_sla(customer_a, by=manager, targets=(("availability", "", "99.9"),))
    ola = agreement_services.create_agreement(
        kind="ola", title="OLA", by=manager, team=TeamFactory()
    )
    agreement_services.add_target(
        agreement=ola, by=manager, metric="availability", target_value="99.5"
    )
    agreement_services.update_agreement(ola, by=manager, underpins=[sla])
    sla.refresh_from_db()
    assert [(w["contract_value"], w["sla_value"]) for w in sla.underpinning_warnings] == [
        ("99.5", "99.9")
    ]


# --- selectors ------------------------------------------------------------------------------


def test_find_target_prefers_service_and_priority(manager, customer_a):
    service = published_service(customers=[customer_a])
    sla = make_sla(customer_a, by=manager, services_=[service])
    wide = agreement_services.add_target(
        agreement=sla, by=manager, metric="resolution", priority="p1", target_value=300
    )
    assert (
        selectors.find_target(agreement=sla, service=service, priority="p1", metric="resolution")
        == wide
    )
    exact = agreement_services.add_target(
        agreement=sla,
        by=manager,
        metric="resolution",
        priority="p1",
        target_value=200,
        service=service,
    )
    assert (
        selectors.find_target(agreement=sla, service=service, priority="p1", metric="resolution")
        == exact
    )
    assert (
        selectors.find_target(agreement=sla, service=None, priority="p1", metric="resolution")
        == wide
    )
    assert (
        selectors.find_target(agreement=sla, service=service, priority="p2", metric="resolution")
        is None
    )


def test_active_sla_for(manager, customer_a, customer_b):
    service = published_service(customers=[customer_a, customer_b])
    sla = make_signed_sla(customer_a, by=manager, service=service)
    on = datetime.date(2026, 6, 1)
    assert selectors.active_sla_for(customer=customer_a, service=service, on=on) == sla
    assert selectors.active_sla_for(customer=customer_b, service=service, on=on) is None
    assert (
        selectors.active_sla_for(customer=customer_a, service=service, on=datetime.date(2027, 1, 1))
        is None
    )


# --- requirements ---------------------------------------------------------------------------


def test_requirements_trace_only_own_customer_targets(manager, customer_a, customer_b):
    sla_a = make_signed_sla(customer_a, by=manager)
    sla_b = make_signed_sla(customer_b, by=manager)
    requirement = requirement_services.create_requirement(
        customer=customer_a, kind="availability", title="Online banking 99.9 %", by=manager
    )
    with pytest.raises(ValidationFailed) as exc:
        requirement_services.set_requirement_targets(
            requirement, targets=list(sla_b.targets.all()), by=manager
        )
    assert _fields(exc) == {"targets"}
    requirement_services.set_requirement_targets(
        requirement, targets=list(sla_a.targets.all()), by=manager
    )
    assert requirement.targets.count() == 2
    requirement_services.review_requirement(requirement, by=manager, status="agreed")
    requirement.refresh_from_db()
    assert (requirement.status, requirement.reviewed_by) == ("agreed", manager)
    assert requirement.reviewed_at is not None
    with pytest.raises(InvalidTransition) as exc:
        requirement_services.review_requirement(requirement, by=manager, status="recorded")
    assert _fields(exc) == {"status"}
    assert customer_a.kind == OrganisationKind.CUSTOMER
