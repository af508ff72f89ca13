"""Services of the improvement register: raising, the PDCA lifecycle to closure with the effect
measured on a KPI before and after, four eyes, the linked change, review actions, tenancy."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from itsm.core.errors import Forbidden, InvalidTransition, ValidationFailed
from itsm.core.timeline import timeline_for
from itsm.improvement import selectors, services
from itsm.improvement.choices import ItemSource, ItemStatus
from itsm.improvement.models import Item
from itsm.improvement.tests.factories import (
    approved_item,
    aware,
    closed_item,
    make_item,
    review_action,
)

pytestmark = pytest.mark.django_db

AUG = (datetime.date(2026, 8, 1), datetime.date(2026, 8, 31))
OCT = (datetime.date(2026, 10, 1), datetime.date(2026, 10, 31))


def test_raise_item_is_idempotent_on_source_and_key(process_owner, customer_a):
    # given an item raised for a KPI miss
    first = services.raise_item(
        source=ItemSource.KPI_MISS,
        source_key="incident_resolution_rate:2026-10",
        title="Resolution rate below target",
        by=process_owner,
        customer=customer_a,
        kpi_id="improvement_on_time",
        period_start=datetime.date(2026, 10, 1),
        period_end=datetime.date(2026, 10, 31),
    )
    # when the same source and key are raised again with other text
    second = services.raise_item(
        source=ItemSource.KPI_MISS,
        source_key="incident_resolution_rate:2026-10",
        title="Another title",
        by=process_owner,
    )
    # then the first item comes back unchanged, and only one exists
    assert second.pk == first.pk
    assert second.title == "Resolution rate below target"
    assert second.version == first.version
    assert Item.objects.filter(source=ItemSource.KPI_MISS).count() == 1
    assert first.number.startswith("SIP-")
    assert first.status == ItemStatus.PROPOSED
    assert (first.before_start, first.before_end) == OCT
    assert first.kpi_id == "improvement_on_time"
    assert first.raised_by == process_owner
    # the same key from another source is another item
    other = services.raise_item(
        source=ItemSource.AUDIT, source_key="incident_resolution_rate:2026-10", title="Audit"
    )
    assert other.pk != first.pk


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"source": "rumour", "source_key": "x"}, "source"),
        ({"source": ItemSource.KPI_MISS, "source_key": "  "}, "source_key"),
        ({"source": ItemSource.KPI_MISS, "source_key": "k", "kpi_id": "nope"}, "kpi_id"),
    ],
)
def test_raise_item_refuses_bad_input_naming_the_field(process_owner, fields, field):
    with pytest.raises(ValidationFailed) as error:
        services.raise_item(title="T", by=process_owner, **fields)
    assert list(error.value.fields) == [field]
    assert not Item.objects.exists()


def test_planning_needs_goal_owner_plan_and_due_date(process_owner):
    item = services.create_item(by=process_owner, source=ItemSource.AD_HOC, title="Idea")
    assert item.source_key == item.number  # an ad-hoc item is its own reference
    with pytest.raises(ValidationFailed) as error:
        services.move(item, ItemStatus.PLANNED, by=process_owner)
    assert set(error.value.fields) == {"goal", "owner", "plan", "due_date"}


def test_lifecycle_to_closure_with_the_effect_measured_before_and_after(
    process_owner, quality_manager, customer_a
):
    # given: in August one item of customer A closed late, in October one closed on time —
    # the KPI "closed on time" is 0 % before and 100 % after
    closed_item(
        process_owner,
        quality_manager,
        customer=customer_a,
        closed_on=datetime.date(2026, 8, 20),
        due=datetime.date(2026, 8, 10),
    )
    closed_item(
        process_owner,
        quality_manager,
        customer=customer_a,
        closed_on=datetime.date(2026, 10, 5),
        due=datetime.date(2026, 10, 9),
    )
    # when an item goes through Plan, Do, Check, Act with that KPI
    item = make_item(
        process_owner,
        customer=customer_a,
        kpi_id="improvement_on_time",
        before_start=AUG[0],
        before_end=AUG[1],
        after_start=OCT[0],
        after_end=OCT[1],
    )
    services.move(item, ItemStatus.PLANNED, by=process_owner)
    services.approve(item, by=quality_manager, note="Go ahead.")
    assert (item.approved_by, item.status) == (quality_manager, ItemStatus.APPROVED)
    services.move(item, ItemStatus.IMPLEMENTING, by=process_owner)
    with pytest.raises(ValidationFailed) as error:
        services.move(item, ItemStatus.VERIFYING, by=process_owner)
    assert list(error.value.fields) == ["implementation_notes"]
    services.move(
        item, ItemStatus.VERIFYING, by=process_owner, implementation_notes="Runbook written."
    )
    # closing before the effect is recorded is refused, naming the missing fields
    with pytest.raises(ValidationFailed) as error:
        services.move(item, ItemStatus.CLOSED, by=process_owner)
    assert set(error.value.fields) == {"effect_note", "verified_at"}
    # the effect cannot be recorded before the KPI is measured
    with pytest.raises(ValidationFailed) as error:
        services.record_effect(item, by=process_owner, effect_note="Better.")
    assert list(error.value.fields) == ["kpi_id"]
    services.measure_effect(item, by=process_owner)
    assert (item.before_value, item.after_value) == (Decimal("0.0000"), Decimal("100.0000"))
    services.record_effect(item, by=process_owner, effect_note="On-time closure went to 100 %.")
    services.move(item, ItemStatus.CLOSED, by=process_owner, note="Effective.")
    # then the item is closed with its verified effect
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED
    assert item.verified_by == process_owner
    assert item.closure_note == "Effective."
    assert item.closed_at is not None
    verbs = [e.verb for e in timeline_for(item).order_by("id")]
    assert verbs == [
        "raised",
        "plan",
        "approve",
        "start",
        "implemented",
        "effect_measured",
        "effect_recorded",
        "close",
    ]
    # and a closed item is final
    with pytest.raises(InvalidTransition):
        services.move(item, ItemStatus.IMPLEMENTING, by=process_owner)


def test_the_period_after_must_be_over_before_it_is_measured(process_owner, quality_manager):
    today = timezone.localdate()
    item = approved_item(
        process_owner,
        quality_manager,
        kpi_id="improvement_on_time",
        before_start=AUG[0],
        before_end=AUG[1],
        after_start=today - datetime.timedelta(days=3),
        after_end=today,
    )
    services.move(item, ItemStatus.IMPLEMENTING, by=process_owner)
    with pytest.raises(ValidationFailed) as error:
        services.measure_effect(item, by=process_owner)
    assert list(error.value.fields) == ["after_end"]


def test_periods_must_be_in_order(process_owner):
    with pytest.raises(ValidationFailed) as error:
        make_item(
            process_owner,
            before_start=OCT[0],
            before_end=OCT[1],
            after_start=AUG[0],
            after_end=AUG[1],
        )
    assert list(error.value.fields) == ["after_start"]
    with pytest.raises(ValidationFailed) as error:
        make_item(process_owner, before_start=OCT[1], before_end=OCT[0])
    assert list(error.value.fields) == ["before_end"]


def test_nobody_approves_an_item_they_own_or_raised(process_owner, quality_manager, provider):
    from itsm.conftest import _user
    from itsm.core.choices import Role

    # an approver who raised the item, owned by someone else
    raiser = _user("imp-raiser", provider, Role.QUALITY_MANAGER)
    item = make_item(raiser, owner=process_owner)
    services.move(item, ItemStatus.PLANNED, by=raiser)
    with pytest.raises(Forbidden):
        services.approve(item, by=raiser)
    # an approver who owns the item
    owned = make_item(process_owner, owner=quality_manager)
    services.move(owned, ItemStatus.PLANNED, by=process_owner)
    with pytest.raises(Forbidden):
        services.approve(owned, by=quality_manager)
    # another approver may
    services.approve(item, by=quality_manager)
    assert item.status == ItemStatus.APPROVED
    assert Item.objects.get(pk=owned.pk).status == ItemStatus.PLANNED


def test_a_linked_change_must_be_approved_first(process_owner, quality_manager):
    from itsm.change.tests.factories import make_change

    change = make_change(process_owner, title="Roster change")
    item = make_item(process_owner, change=change)
    services.move(item, ItemStatus.PLANNED, by=process_owner)
    with pytest.raises(ValidationFailed) as error:
        services.approve(item, by=quality_manager)
    assert list(error.value.fields) == ["change"]
    assert change.number in error.value.fields["change"][0]


def test_the_plan_is_frozen_after_approval(process_owner, quality_manager):
    item = approved_item(process_owner, quality_manager)
    with pytest.raises(InvalidTransition) as error:
        services.update_item(item, by=process_owner, goal="Another goal")
    assert list(error.value.fields) == ["goal"]
    services.update_item(item, by=process_owner, implementation_notes="Half done.")
    assert Item.objects.get(pk=item.pk).implementation_notes == "Half done."


def test_a_review_action_raises_one_item_once(process_owner, customer_a):
    action = review_action(by=process_owner, customer=customer_a)
    assert list(services.open_review_actions(process_owner)) == [action]
    first = services.raise_from_review_action(action, by=process_owner)
    again = services.raise_from_review_action(action, by=process_owner)
    assert again.pk == first.pk
    assert Item.objects.count() == 1
    assert first.source == ItemSource.REVIEW_ACTION
    assert first.source_key == f"slm-action:{action.pk}"
    assert first.review_action_id == action.pk
    assert first.customer == customer_a
    assert first.owner == process_owner
    assert first.title == "Shorten outage recovery"
    assert list(services.open_review_actions(process_owner)) == []


def test_customers_see_only_their_organisations_items(
    process_owner, customer_a, customer_b, customer_user, other_customer_user
):
    mine = make_item(process_owner, customer=customer_a)
    make_item(process_owner, customer=customer_b)
    internal = make_item(process_owner)
    assert list(selectors.items_for(customer_user)) == [mine]
    assert mine.pk not in {i.pk for i in selectors.items_for(other_customer_user)}
    assert internal.pk in {i.pk for i in selectors.items_for(process_owner)}


def test_on_time_counts(process_owner, quality_manager, customer_a, customer_b):
    closed_item(
        process_owner,
        quality_manager,
        customer=customer_a,
        closed_on=datetime.date(2026, 10, 5),
        due=datetime.date(2026, 10, 9),
    )
    closed_item(
        process_owner,
        quality_manager,
        customer=customer_b,
        closed_on=datetime.date(2026, 10, 20),
        due=datetime.date(2026, 10, 9),
    )
    since, until = aware(OCT[0], 0), aware(datetime.date(2026, 11, 1), 0)
    assert selectors.on_time_counts(user=process_owner, since=since, until=until) == (1, 2)
    assert selectors.on_time_counts(
        user=process_owner, since=since, until=until, customer=customer_b
    ) == (0, 1)
