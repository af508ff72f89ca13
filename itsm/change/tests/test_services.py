"""Requests for change through their lifecycle: raising, assessment (impact, risk), approval
(change manager, CAB quorum, veto, four eyes), implementation, failure and review."""

from __future__ import annotations

from datetime import timedelta

import pytest

from itsm.change.choices import ApprovalPath, ChangeKind, ChangeStatus, RiskLevel, Vote
from itsm.change.models import Approval, Change, RiskQuestion
from itsm.change.services import approval, assessment, changes, config
from itsm.change.tests.factories import at, ci, make_change, make_template, relate
from itsm.core.errors import Forbidden, FourEyes, InvalidTransition, ValidationFailed
from itsm.core.timeline import TimelineEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def questionnaire(manager):
    """Two questions; thresholds: low from 0, medium from 4 (manager), high from 8 (CAB)."""
    q1 = config.create_question(
        by=manager,
        order=1,
        text="Has the change been tested?",
        answers=[{"label": "Yes", "weight": 0}, {"label": "No", "weight": 5}],
    )
    q2 = config.create_question(
        by=manager,
        order=2,
        text="Is a business service interrupted?",
        answers=[{"label": "No", "weight": 0}, {"label": "Yes", "weight": 4}],
    )
    config.set_threshold(by=manager, level="low", min_score=0, approval_path="change_manager")
    config.set_threshold(by=manager, level="medium", min_score=4, approval_path="change_manager")
    config.set_threshold(by=manager, level="high", min_score=8, approval_path="cab")
    return q1, q2


@pytest.fixture
def cab(manager, cab_members):
    return config.create_board(by=manager, code="cab", name="CAB", quorum=2, members=cab_members)


def _low() -> dict:
    """The lowest-risk answer to every question."""
    return {str(pk): 0 for pk in RiskQuestion.objects.values_list("pk", flat=True)}


def _assessed(requester, *, answers=None, cis=()):
    change = changes.submit(make_change(requester, cis=cis), by=requester)
    return assessment.assess(change, by=requester, answers=answers or _low())


# --- raising --------------------------------------------------------------------------------------


def test_normal_change_is_numbered_and_starts_as_draft(requester):
    change = make_change(requester, title="Patch the ERP")
    assert change.number.startswith("CHG-")
    assert (change.status, change.kind, change.requester, change.owner) == (
        ChangeStatus.DRAFT,
        ChangeKind.NORMAL,
        requester,
        requester,
    )
    assert (
        TimelineEntry.objects.filter(
            object_id=change.pk, content_type__model="change", verb="created"
        ).count()
        == 1
    )


def test_standard_change_copies_its_template_and_is_scheduled_without_approval(requester):
    template = make_template(test_plan="Check the login page.")
    change = changes.create_change(
        by=requester,
        kind=ChangeKind.STANDARD,
        title="Monthly OS patch",
        template=template,
        planned_start=at(10, 22),
    )
    assert (change.implementation_plan, change.test_plan) == (
        "Follow the runbook.",
        "Check the login page.",
    )
    assert change.planned_end == at(10, 23, 30)  # the template's 90 minutes
    change = changes.schedule_standard(change, by=requester)
    assert (change.status, change.approval_path) == (ChangeStatus.SCHEDULED, ApprovalPath.NONE)
    with pytest.raises(InvalidTransition):
        changes.submit(
            changes.create_change(
                by=requester,
                kind="standard",
                title="x",
                template=template,
                planned_start=at(12, 1),
            ),
            by=requester,
        )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "standard"}, "template"),
        ({"kind": "urgent"}, "kind"),
        ({"planned_start": at(10, 22), "planned_end": at(10, 21)}, "planned_end"),
        ({"planned_start": at(10, 22)}, "planned_end"),
        ({"title": ""}, "title"),
    ],
)
def test_bad_input_names_the_field(requester, fields, field):
    values = {"kind": "normal", "title": "Patch", **fields}
    with pytest.raises(ValidationFailed) as error:
        changes.create_change(by=requester, **values)
    assert list(error.value.fields) == [field]


def test_customer_cannot_be_implementer(requester, customer_user):
    with pytest.raises(ValidationFailed) as error:
        make_change(requester, implementer=customer_user)
    assert list(error.value.fields) == ["implementer"]


def test_submit_needs_the_plans_and_the_window(requester):
    change = changes.create_change(by=requester, kind="normal", title="No plan")
    with pytest.raises(ValidationFailed) as error:
        changes.submit(change, by=requester)
    assert set(error.value.fields) == {
        "implementation_plan",
        "backout_plan",
        "planned_start",
        "planned_end",
    }


def test_content_is_frozen_after_assessment(requester, questionnaire, manager):
    change = _assessed(requester, answers=_low())
    change = assessment.request_approval(change, by=requester)
    with pytest.raises(InvalidTransition):
        changes.update_change(change, by=requester, title="Another")


# --- assessment -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("answers", "level", "path"),
    [
        ((0, 0), RiskLevel.LOW, ApprovalPath.CHANGE_MANAGER),
        ((0, 1), RiskLevel.MEDIUM, ApprovalPath.CHANGE_MANAGER),
        ((1, 1), RiskLevel.HIGH, ApprovalPath.CAB),
    ],
)
def test_risk_score_selects_level_and_path(requester, questionnaire, answers, level, path):
    q1, q2 = questionnaire
    change = _assessed(requester, answers={str(q1.pk): answers[0], str(q2.pk): answers[1]})
    assert (change.risk_score, change.risk_level, change.approval_path) == (
        q1.answers[answers[0]]["weight"] + q2.answers[answers[1]]["weight"],
        level,
        path,
    )


def test_emergency_change_takes_the_emergency_cab(requester, questionnaire):
    q1, q2 = questionnaire
    change = changes.submit(make_change(requester, kind=ChangeKind.EMERGENCY), by=requester)
    change = assessment.assess(change, by=requester, answers={str(q1.pk): 0, str(q2.pk): 0})
    assert change.approval_path == ApprovalPath.EMERGENCY_CAB


def test_unanswered_question_is_named(requester, questionnaire):
    q1, q2 = questionnaire
    change = changes.submit(make_change(requester), by=requester)
    with pytest.raises(ValidationFailed) as error:
        assessment.assess(change, by=requester, answers={str(q1.pk): 0, str(q2.pk): 7})
    assert error.value.fields == {f"q{q2.pk}": ["Choose one of the answers."]}


def test_impact_lists_services_customers_and_slas_with_their_paths(
    requester, questionnaire, customer_a, customer_b
):
    from itsm.cmdb import services as cmdb
    from itsm.slm.models import Agreement, Target
    from itsm.slm.services.agreements import create_agreement

    vm = ci("vm-1", "virtual_machine")
    app = ci("erp", customer=customer_a)
    bs = ci("ERP service", "business_service", customer=customer_a)
    other = ci("other app", customer=customer_b)  # depends on nothing of the change
    relate(app, vm, "runs_on")
    relate(bs, app, "uses")
    sla_ci = ci("SLA Gold", "agreement", customer=customer_a)
    relate(sla_ci, bs, "covers")
    agreement = create_agreement(kind="sla", title="Gold", by=None, customer=customer_a)
    Agreement.objects.filter(pk=agreement.pk).update(ci=sla_ci)
    Target.objects.create(
        agreement=agreement, metric="availability", target_value="99.9", unit="percent"
    )
    assert cmdb.get_class("agreement").is_agreement
    change = _assessed(requester, answers={}, cis=[vm])
    impact = change.impact
    assert [(s["number"], s["path"]) for s in impact["business_services"]] == [
        (bs.number, [vm.number, app.number, bs.number])
    ]
    assert [(a["number"], a["path"], a["availability"]) for a in impact["agreements"]] == [
        (
            agreement.number,
            [vm.number, app.number, bs.number, sla_ci.number],
            [{"value": "99.900", "unit": "percent"}],
        )
    ]
    assert [c["name"] for c in impact["customers"]] == ["Customer A"]
    assert list(change.customers.all()) == [customer_a]
    assert other.pk not in [n for n in impact.get("cis", [])]


# --- approval -------------------------------------------------------------------------------------


def test_change_manager_approves_with_comment(requester, questionnaire, manager):
    change = assessment.request_approval(_assessed(requester, answers=_low()), by=requester)
    with pytest.raises(ValidationFailed) as error:
        approval.decide(change, by=manager, vote=Vote.APPROVE, comment=" ")
    assert list(error.value.fields) == ["comment"]
    change = approval.decide(change, by=manager, vote=Vote.APPROVE, comment="Low risk, go.")
    assert change.status == ChangeStatus.SCHEDULED
    decision = Approval.objects.get(change=change)
    assert (decision.approver, decision.vote, decision.comment, decision.round) == (
        manager,
        Vote.APPROVE,
        "Low risk, go.",
        1,
    )


def test_nobody_approves_their_own_change(provider, questionnaire, manager, manager2):
    change = make_change(manager)  # the change manager raises it
    change = changes.submit(change, by=manager)
    change = assessment.assess(change, by=manager, answers=_low())
    change = assessment.request_approval(change, by=manager)
    with pytest.raises(FourEyes):
        approval.decide(change, by=manager, vote=Vote.APPROVE, comment="Mine.")
    change = approval.decide(change, by=manager2, vote=Vote.REJECT, comment="Not now.")
    assert change.status == ChangeStatus.REJECTED


def test_only_a_change_manager_decides_on_the_manager_path(requester, questionnaire, cab_members):
    change = assessment.request_approval(_assessed(requester, answers=_low()), by=requester)
    with pytest.raises(Forbidden):
        approval.decide(change, by=cab_members[0], vote=Vote.APPROVE, comment="ok")


def _high_risk(requester, questionnaire):
    q1, q2 = questionnaire
    change = _assessed(requester, answers={str(q1.pk): 1, str(q2.pk): 1})
    return assessment.request_approval(change, by=requester)


def test_cab_decides_at_quorum_by_majority(requester, questionnaire, cab, cab_members, manager):
    change = _high_risk(requester, questionnaire)
    assert change.board == cab
    with pytest.raises(Forbidden):  # not a member
        approval.decide(change, by=manager, vote=Vote.APPROVE, comment="ok")
    change = approval.decide(change, by=cab_members[0], vote=Vote.APPROVE, comment="Fine.")
    assert change.status == ChangeStatus.APPROVAL  # one vote of a quorum of two
    with pytest.raises(ValidationFailed):  # once per round
        approval.decide(change, by=cab_members[0], vote=Vote.REJECT, comment="Changed my mind.")
    change = approval.decide(change, by=cab_members[1], vote=Vote.APPROVE, comment="Agreed.")
    assert change.status == ChangeStatus.SCHEDULED


def test_cab_tie_rejects(requester, questionnaire, cab, cab_members):
    change = _high_risk(requester, questionnaire)
    approval.decide(change, by=cab_members[0], vote=Vote.APPROVE, comment="Fine.")
    change = approval.decide(change, by=cab_members[1], vote=Vote.REJECT, comment="Too risky.")
    assert change.status == ChangeStatus.REJECTED


def test_cab_veto_rejects_at_once(requester, questionnaire, cab, cab_members, manager):
    config.update_board(cab, by=manager, veto=True, quorum=3)
    change = _high_risk(requester, questionnaire)
    change = approval.decide(change, by=cab_members[2], vote=Vote.REJECT, comment="No.")
    assert change.status == ChangeStatus.REJECTED


def test_cab_path_needs_an_active_board(requester, questionnaire):
    q1, q2 = questionnaire
    change = _assessed(requester, answers={str(q1.pk): 1, str(q2.pk): 1})
    with pytest.raises(ValidationFailed) as error:
        assessment.request_approval(change, by=requester)
    assert list(error.value.fields) == ["approval_path"]


def test_moving_the_window_while_awaiting_approval_starts_a_new_round(
    requester, questionnaire, cab, cab_members
):
    change = _high_risk(requester, questionnaire)
    approval.decide(change, by=cab_members[0], vote=Vote.APPROVE, comment="Fine.")
    change = changes.reschedule(
        change, by=requester, planned_start=at(20, 22), planned_end=at(20, 23)
    )
    assert change.approval_round == 2
    change = approval.decide(change, by=cab_members[0], vote=Vote.APPROVE, comment="Still fine.")
    assert change.status == ChangeStatus.APPROVAL  # the first round's vote does not count


# --- implementation and review --------------------------------------------------------------------


def _scheduled(requester, manager, questionnaire, cis=()):
    change = changes.submit(make_change(requester, cis=cis), by=requester)
    change = assessment.assess(change, by=requester, answers=_low())
    change = assessment.request_approval(change, by=requester)
    return approval.decide(change, by=manager, vote=Vote.APPROVE, comment="Go.")


def test_implement_review_close_and_the_ci_history(requester, manager, questionnaire):
    app = ci("erp")
    change = _scheduled(requester, manager, questionnaire, cis=[app])
    change = changes.start(change, by=requester)
    assert change.actual_start is not None
    change = changes.complete(change, by=requester)
    with pytest.raises(ValidationFailed) as error:
        changes.close(change, by=requester, review_note="")
    assert list(error.value.fields) == ["review_note"]
    change = changes.close(change, by=requester, review_note="Worked as planned.")
    assert (change.status, change.rolled_back) == (ChangeStatus.CLOSED, False)
    verbs = list(
        TimelineEntry.objects.filter(object_id=app.pk, content_type__model="configurationitem")
        .order_by("id")
        .values_list("verb", "data")
    )
    assert verbs[-2:] == [
        ("change_started", {"change": change.number, "change_id": change.pk}),
        ("change_implemented", {"change": change.number, "change_id": change.pk}),
    ]


def test_failed_change_is_rolled_back_and_recorded(requester, manager, questionnaire):
    change = changes.start(_scheduled(requester, manager, questionnaire), by=requester)
    with pytest.raises(ValidationFailed) as error:
        changes.fail(change, by=requester, outcome_note="", rolled_back=True)
    assert list(error.value.fields) == ["outcome_note"]
    change = changes.fail(
        change, by=requester, outcome_note="Service did not start.", rolled_back=True
    )
    change.refresh_from_db()
    assert (change.status, change.rolled_back, change.outcome_note) == (
        ChangeStatus.FAILED,
        True,
        "Service did not start.",
    )


def test_illegal_move_is_a_typed_error(requester):
    change = make_change(requester)
    with pytest.raises(InvalidTransition):
        changes.start(change, by=requester)


def test_cancel_frees_the_window(requester):
    change = changes.submit(make_change(requester, start=at(10, 22)), by=requester)
    changes.cancel(change, by=requester)
    other = make_change(requester, start=at(10, 22))
    assert changes.check_conflicts(other) == []


# --- tenancy --------------------------------------------------------------------------------------


def test_customers_see_only_changes_affecting_them(
    requester, customer_user, other_customer_user, customer_a
):
    mine = changes.submit(
        make_change(requester, cis=[ci("a-app", customer=customer_a)]), by=requester
    )
    draft = make_change(requester, cis=[ci("a-app2", customer=customer_a)])
    make_change(requester, cis=[ci("shared")])
    assert list(Change.objects.restrict(customer_user, "view")) == [mine]
    assert draft.pk not in Change.objects.restrict(customer_user, "view").values_list(
        "pk", flat=True
    )
    assert list(Change.objects.restrict(other_customer_user, "view")) == []
    assert Change.policy.internal_fields and "internal_notes" in Change.policy.internal_fields


def test_window_validation_names_the_field(manager):
    with pytest.raises(ValidationFailed) as error:
        config.create_window(by=manager, kind="blackout", name="x", starts_at=at(1, 1))
    assert list(error.value.fields) == ["ends_at"]
    with pytest.raises(ValidationFailed) as error:
        config.create_window(
            by=manager, kind="maintenance", name="x", weekdays=[7], start_time=None
        )
    assert list(error.value.fields) == ["weekdays"]
    with pytest.raises(ValidationFailed) as error:
        config.create_window(
            by=manager,
            kind="blackout",
            name="x",
            starts_at=at(2, 1),
            ends_at=at(2, 1) - timedelta(hours=1),
        )
    assert list(error.value.fields) == ["ends_at"]
