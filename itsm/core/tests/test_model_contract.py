"""Meta-tests over the model registry and the source (issue 9, item 2): the module contract of
``docs/architecture.md`` holds for every model and module, today's and the next ones. Each
check has a companion test proving it fails, naming the model or file, on a broken example.
The checks live in ``core/testing/contracts.py``."""

from __future__ import annotations

from django.db import models
from django.test.utils import isolate_apps

from itsm.core.choices import ChoiceSet
from itsm.core.policy import ModelPolicy
from itsm.core.statemachine import StateMachine, Transition
from itsm.core.testing import contracts


def _report(problems) -> str:
    return "\n".join(str(p) for p in problems)


# --- 1. every status field has a declared state machine ---------------------------------------


def test_every_model_with_a_status_declares_its_state_machine():
    problems = contracts.missing_state_machines()
    assert not problems, _report(problems)


def test_the_registry_includes_the_status_models_of_every_module():
    """The check above really walks today's models (not an empty list)."""
    labels = {m._meta.label for m in contracts.domain_models() if contracts.status_field(m)}
    assert {
        "catalog.Service",
        "cmdb.ConfigurationItem",
        "cmdb.ConfigurationAudit",
        "slm.Agreement",
        "slm.Requirement",
        "slm.ReviewMeeting",
        "slm.ActionItem",
        "clocks.SlaTestTicket",
        "clocks.Clock",  # its field is named ``state``
    } <= labels
    assert not any(label.startswith("slm.Historical") for label in labels)


class _Status(ChoiceSet):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


@isolate_apps("itsm.core")
def test_a_status_without_a_machine_fails_naming_the_model():
    class BrokenTicket(models.Model):  # noqa: DJ008
        status = models.CharField(max_length=20, choices=_Status.choices, default="open")
        policy = ModelPolicy()

        class Meta:
            app_label = "core"

    class BrokenClock(models.Model):  # noqa: DJ008
        state = models.CharField(max_length=20, choices=_Status.choices, default="open")
        policy = ModelPolicy()

        class Meta:
            app_label = "core"

    problems = contracts.missing_state_machines([BrokenTicket, BrokenClock])
    assert len(problems) == 2
    assert problems[0].startswith("core.BrokenTicket has a status field “status”")
    assert problems[1].startswith("core.BrokenClock has a status field “state”")


@isolate_apps("itsm.core")
def test_a_machine_on_another_field_unknown_states_or_start_fails_naming_the_model():
    class WrongField(models.Model):  # noqa: DJ008
        status = models.CharField(max_length=20, choices=_Status.choices, default="open")
        state_machine = StateMachine(field="phase", initial="open", transitions=[])

        class Meta:
            app_label = "core"

    class UnknownState(models.Model):  # noqa: DJ008
        status = models.CharField(max_length=20, choices=_Status.choices, default="open")
        state_machine = StateMachine(
            field="status",
            initial="open",
            transitions=[Transition(("open", "parked"), "closed", "close")],
        )

        class Meta:
            app_label = "core"

    class WrongStart(models.Model):  # noqa: DJ008
        status = models.CharField(max_length=20, choices=_Status.choices, default="closed")
        state_machine = StateMachine(field="status", initial="open", transitions=[])

        class Meta:
            app_label = "core"

    assert contracts.missing_state_machines([WrongField, UnknownState, WrongStart]) == [
        "core.WrongField's state machine drives “phase”, not its status field “status”",
        "core.UnknownState's state machine names states that are not choices of “status”: parked",
        "core.WrongStart's “status” starts at “closed” but its state machine at “open”",
    ]


# --- 2. every domain model declares a policy --------------------------------------------------


def test_every_domain_model_declares_a_policy():
    problems = contracts.missing_policies()
    assert not problems, _report(problems)


@isolate_apps("itsm.core")
def test_a_model_without_a_policy_fails_naming_it():
    class Unguarded(models.Model):  # noqa: DJ008
        name = models.CharField(max_length=20)

        class Meta:
            app_label = "core"

    class Guarded(models.Model):  # noqa: DJ008
        name = models.CharField(max_length=20)
        policy = ModelPolicy()

        class Meta:
            app_label = "core"

    problems = contracts.missing_policies([Unguarded, Guarded])
    assert len(problems) == 1
    assert problems[0].startswith("core.Unguarded declares no ModelPolicy")


def test_the_policy_allow_list_names_existing_models():
    """An allow-listed model that was renamed or removed must leave the list."""
    labels = {m._meta.label for m in contracts.domain_models()}
    assert contracts.POLICY_NOT_NEEDED <= labels
    assert contracts.STATUS_WITHOUT_MACHINE <= labels


# --- 3. only services write -------------------------------------------------------------------


def test_only_services_and_core_mechanisms_write():
    problems = contracts.direct_writes()
    assert not problems, "writes outside services modules:\n" + _report(problems)


def test_the_writer_allow_list_names_existing_modules():
    for path in contracts.WRITERS_ALLOWED:
        assert (contracts.SOURCE_ROOT / path).is_file(), path


BROKEN_VIEW = """\
from itsm.slm.models import Requirement


def requirement_agree(request, pk):
    requirement = Requirement.objects.get(pk=pk)
    requirement.status = "agreed"
    requirement.save()
    Requirement.objects.filter(pk=pk).update(status="agreed")
    Requirement.objects.create(title="x")
    requirement.targets.all().delete()
    form.save(commit=False)
    data = {}
    data.update(status="agreed")
    return requirement
"""


def test_the_write_scan_finds_each_kind_of_write_with_file_and_line():
    assert [str(w) for w in contracts.writes_in(BROKEN_VIEW, "slm/views.py")] == [
        "slm/views.py:7: requirement.save()",
        "slm/views.py:8: Requirement.objects.filter(pk=pk).update(status='agreed')",
        "slm/views.py:9: Requirement.objects.create(title='x')",
        "slm/views.py:10: requirement.targets.all().delete()",
    ]


def test_a_write_outside_services_fails_naming_the_file(tmp_path):
    app = tmp_path / "slm"
    (app / "services").mkdir(parents=True)
    (app / "tests").mkdir()
    (app / "migrations").mkdir()
    for allowed in ("services.py", "services/reviews.py", "tests/test_x.py", "migrations/0001.py"):
        (app / allowed).write_text(BROKEN_VIEW)
    (app / "views.py").write_text(BROKEN_VIEW)
    (app / "selectors.py").write_text("def read(x):\n    return x.filter(a=1).first()\n")
    problems = contracts.direct_writes(tmp_path)
    assert {w.path for w in problems} == {"slm/views.py"}
    assert str(problems[0]) == "slm/views.py:7: requirement.save()"
