"""States, shapes, mapping targets and timeline verbs of historic ticket import."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from itsm.core.choices import ChoiceSet, with_colours
from itsm.core.statemachine import StateMachine, Transition


class ImportStatus(ChoiceSet):
    UPLOADED = "uploaded", _("Uploaded")
    CHECKED = "checked", _("Checked")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


with_colours(
    ImportStatus,
    {
        "uploaded": "secondary",
        "checked": "azure",
        "queued": "yellow",
        "running": "orange",
        "done": "green",
        "failed": "red",
    },
)

IMPORT_MACHINE = StateMachine(
    field="status",
    initial=ImportStatus.UPLOADED,
    transitions=[
        Transition(
            (ImportStatus.UPLOADED, ImportStatus.CHECKED),
            ImportStatus.CHECKED,
            "check",
            _("Dry run"),
        ),
        Transition(ImportStatus.CHECKED, ImportStatus.UPLOADED, "remap", _("Change the mapping")),
        Transition(
            ImportStatus.CHECKED,
            ImportStatus.QUEUED,
            "queue",
            _("Import"),
            confirm=_("The tickets are written as imported history; this cannot be undone."),
        ),
        Transition(ImportStatus.QUEUED, ImportStatus.RUNNING, "start", _("Start")),
        Transition(ImportStatus.RUNNING, ImportStatus.DONE, "finish", _("Finish")),
        Transition(
            (ImportStatus.QUEUED, ImportStatus.RUNNING), ImportStatus.FAILED, "fail", _("Fail")
        ),
    ],
)


class ImportShape(ChoiceSet):
    ROWS = "rows", _("One row per incident")
    EVENTS = "events", _("Event log (one row per update)")


#: what a file column can be mapped to
TARGETS = (
    "number",
    "state",
    "sub_state",
    "sequence",
    "opened_at",
    "updated_at",
    "updated_by",
    "title",
    "description",
    "priority",
    "impact",
    "urgency",
    "category",
    "subcategory",
    "group",
    "assignee",
    "ci",
    "caller",
    "channel",
    "made_sla",
    "reassignment_count",
    "reopen_count",
    "resolved_at",
    "closed_at",
)


def target_label(target: str) -> str:
    """The translated label of a mapping target."""
    return str(
        {
            "number": _("Number"),
            "state": _("State"),
            "sub_state": _("Sub-state"),
            "sequence": _("Update sequence"),
            "opened_at": _("Opened at"),
            "updated_at": _("Updated at"),
            "updated_by": _("Updated by"),
            "title": _("Summary"),
            "description": _("Description"),
            "priority": _("Priority"),
            "impact": _("Impact"),
            "urgency": _("Urgency"),
            "category": _("Category"),
            "subcategory": _("Subcategory"),
            "group": _("Assignment group"),
            "assignee": _("Assignee"),
            "ci": _("Configuration item"),
            "caller": _("Caller"),
            "channel": _("Channel"),
            "made_sla": _("SLA met"),
            "reassignment_count": _("Reassignment count"),
            "reopen_count": _("Reopen count"),
            "resolved_at": _("Resolved at"),
            "closed_at": _("Closed at"),
        }.get(target, target)
    )


#: what to do with group and category names the product does not know
class UnknownValues(ChoiceSet):
    CREATE = "create", _("Create them")
    IGNORE = "ignore", _("Leave the field empty")


#: the value the state map gives a state whose incidents are bad rows
BAD_STATE = "bad"
