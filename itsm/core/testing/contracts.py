"""The module contract as checks (issue 9, item 2): run over the model registry and the source
by ``core/tests/test_model_contract.py``, each returning one message per breach that names the
model or the file and line.

1. :func:`missing_state_machines` — a model with a status field (named ``status`` or
   ``state``) declares ``state_machine = StateMachine(field=<that field>, …)`` whose states are
   the field's choices and whose initial state is the field's default (DESIGN rule 2: states
   change only through a declared map).
2. :func:`missing_policies` — every domain model declares ``policy = ModelPolicy(…)``.
3. :func:`direct_writes` — no write to the database outside the ``services`` modules
   (``services.py`` or a module of a ``services/`` package) and the core mechanisms listed in
   :data:`WRITERS_ALLOWED`. An AST scan of the non-test source with simple heuristics:

   * ``x.save(…)`` and ``x.delete(…)`` on anything (``form.save(commit=False)`` excepted);
   * ``create``, ``update``, ``get_or_create``, ``update_or_create``, ``bulk_create``,
     ``bulk_update`` and ``delete`` called on a chain that passes a manager (``objects``,
     ``_base_manager``, ``_default_manager``) or a queryset method (``filter``, ``exclude``,
     ``all``, ``select_for_update``, ``restrict`` …). A bare ``qs.update(…)`` on a variable is
     not seen (``dict.update`` has the same name); write it as a chain or in a service.

   Tests (``tests/`` packages, ``test_*.py``), test support (``core/testing/``) and migrations
   are not scanned.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import models

from itsm.core.policy import ModelPolicy
from itsm.core.statemachine import ANY_STATE, StateMachine

SOURCE_ROOT = Path(__file__).resolve().parents[2]  # the ``itsm`` package

#: field names that hold a record's status
STATUS_FIELDS = ("status", "state")

#: models with a status field whose changes are not a user's step through a machine
STATUS_WITHOUT_MACHINE = {
    # the outbox worker moves a message pending → sending → sent/failed/dead with conditional
    # UPDATEs under a lease (core/outbox/delivery.py); nobody chooses a message's status
    "outbox.OutboxMessage",
    # a periodic job's run row: running → done/failed, written by the worker loop only
    "outbox.Job",
}

#: core mechanism tables that are not domain records: nobody reads them through
#: ``restrict`` (no page lists them by policy), so they declare no ``ModelPolicy``
POLICY_NOT_NEEDED = {
    "core.RoleAssignment",  # a user's roles: read through User, written by core.services.set_roles
    "core.NumberSequence",  # numbering counters (core/numbering.py)
    "core.ConfigStamp",  # configuration stamps, never shown (core/stamps.py)
    "core.TimelineEntry",  # timeline rows, read through the record they belong to
    "core.IdempotencyRecord",  # API idempotency keys (core/api/idempotency.py)
    "core.ApiToken",  # owned by one user, shown only to that user (core/tokens.py)
    "outbox.WorkerLease",  # the worker leader lease (core/outbox/jobs.py)
}

#: modules (relative to ``itsm/``) that write without being services: core mechanisms
WRITERS_ALLOWED = {
    "core/numbering.py": "the number counter: one atomic UPDATE … RETURNING per number",
    "core/timeline.py": "record_event writes the timeline rows for every service",
    "core/writes/record.py": "insert_record: a new record with its history and timeline rows",
    "core/writes/rows.py": "insert_rows: bulk_create's rows from a statement compiled once",
    "core/api/idempotency.py": "stores the answer of an idempotent API create",
    "core/tokens.py": "API tokens (knox): the token mechanism's own create/revoke",
    "core/outbox/delivery.py": "the outbox worker's leased claims and delivery results",
    "core/outbox/jobs.py": "periodic-job rows and the worker leader lease",
    "core/outbox/tasks.py": "housekeeping: deletes sent messages and old job rows",
}

_MANAGERS = {"objects", "_base_manager", "_default_manager"}
_QUERYSET_METHODS = {
    "all",
    "filter",
    "exclude",
    "select_for_update",
    "select_related",
    "prefetch_related",
    "only",
    "defer",
    "order_by",
    "annotate",
    "distinct",
    "using",
    "restrict",
    "none",
}
_WRITE_METHODS = {
    "create",
    "update",
    "get_or_create",
    "update_or_create",
    "bulk_create",
    "bulk_update",
    "delete",
}


def _label(model) -> str:
    return model._meta.label


def is_history_model(model) -> bool:
    from simple_history.models import HistoricalChanges

    return issubclass(model, HistoricalChanges)


def domain_models(models_: Iterable[type[models.Model]] | None = None) -> list:
    """Concrete models of the ``itsm.*`` apps, without field-history tables (django-simple-
    history's ``Historical…`` copies) and Django's automatic many-to-many through tables."""
    if models_ is None:
        models_ = apps.get_models()
    return [
        model
        for model in models_
        if getattr(model._meta.app_config, "name", "").startswith("itsm.")
        and not model._meta.abstract
        and not model._meta.proxy
        and not model._meta.auto_created
        and not is_history_model(model)
    ]


def status_field(model) -> models.Field | None:
    for name in STATUS_FIELDS:
        try:
            field = model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - FieldDoesNotExist and reverse relations alike
            continue
        if getattr(field, "concrete", False):
            return field
    return None


def missing_state_machines(models_=None) -> list[str]:
    """One message per model whose status field has no (or a wrong) declared machine."""
    problems = []
    for model in domain_models(models_):
        field = status_field(model)
        if field is None or _label(model) in STATUS_WITHOUT_MACHINE:
            continue
        machine = getattr(model, "state_machine", None)
        if not isinstance(machine, StateMachine):
            problems.append(
                f"{_label(model)} has a status field “{field.name}” but declares no "
                "StateMachine: add `state_machine = …` (see catalog/choices.py SERVICE_MACHINE)"
            )
            continue
        if machine.field != field.name:
            problems.append(
                f"{_label(model)}'s state machine drives “{machine.field}”, "
                f"not its status field “{field.name}”"
            )
            continue
        states = {value for value, _label_ in field.flatchoices}
        used = {machine.initial} | {t.target for t in machine.transitions}
        for transition in machine.transitions:
            if transition.source != ANY_STATE:
                sources = transition.source
                used |= {sources} if isinstance(sources, str) else set(sources)
        unknown = sorted(str(s) for s in used - states) if states else []
        if unknown:
            problems.append(
                f"{_label(model)}'s state machine names states that are not choices of "
                f"“{field.name}”: {', '.join(unknown)}"
            )
        elif field.has_default() and field.get_default() != machine.initial:
            problems.append(
                f"{_label(model)}'s “{field.name}” starts at “{field.get_default()}” but its "
                f"state machine at “{machine.initial}”"
            )
    return problems


def missing_policies(models_=None) -> list[str]:
    """One message per domain model without a ``ModelPolicy``."""
    return [
        f"{_label(model)} declares no ModelPolicy: add `policy = ModelPolicy(…)` "
        "(core/policy.py), or list it in POLICY_NOT_NEEDED with the reason"
        for model in domain_models(models_)
        if _label(model) not in POLICY_NOT_NEEDED
        and not isinstance(getattr(model, "policy", None), ModelPolicy)
    ]


# --- direct writes --------------------------------------------------------------------------


@dataclass(frozen=True)
class Write:
    path: str
    line: int
    call: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.call}"


def is_services_module(path: str) -> bool:
    """``…/services.py`` or any module inside a ``services/`` package."""
    parts = Path(path).parts
    return parts[-1] == "services.py" or "services" in parts[:-1]


def is_scanned(path: str) -> bool:
    """Non-test source: not tests, test support or migrations."""
    parts = Path(path).parts
    name = parts[-1]
    if name.startswith("test_") or name == "conftest.py":
        return False
    if "tests" in parts or "migrations" in parts:
        return False
    return tuple(parts[:2]) != ("core", "testing")


def _through_queryset(node: ast.expr) -> bool:
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            if node.attr in _MANAGERS or node.attr in _QUERYSET_METHODS:
                return True
            node = node.value
        else:
            return False


def writes_in(source: str, path: str) -> list[Write]:
    """The database writes the heuristics see in *source* (see the module docstring)."""
    found = []
    for node in ast.walk(ast.parse(source, filename=path)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        name = node.func.attr
        if name == "save":
            hit = not any(keyword.arg == "commit" for keyword in node.keywords)
        elif name == "delete":
            hit = True
        elif name in _WRITE_METHODS:
            hit = _through_queryset(node.func.value)
        else:
            hit = False
        if hit:
            found.append(Write(path, node.lineno, ast.unparse(node)[:120]))
    return sorted(found, key=lambda w: w.line)


def direct_writes(root: Path = SOURCE_ROOT) -> list[Write]:
    """Writes outside services modules and :data:`WRITERS_ALLOWED`, over *root*'s source."""
    found = []
    for file in sorted(root.rglob("*.py")):
        path = file.relative_to(root).as_posix()
        if not is_scanned(path) or is_services_module(path) or path in WRITERS_ALLOWED:
            continue
        found.extend(writes_in(file.read_text(encoding="utf-8"), path))
    return found
