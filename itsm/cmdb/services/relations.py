"""Typed, directed relations between CIs: class rules, no duplicates, cycles allowed (R-CMDB-03)."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from itsm.cmdb.models import (
    CIClass,
    ConfigurationItem,
    Relation,
    RelationType,
)
from itsm.cmdb.services._common import (
    _by,
    _full_clean,
    _refuse_unknown,
    _save,
)
from itsm.core.errors import ValidationFailed
from itsm.core.timeline import record_event

# --- relations --------------------------------------------------------------------------------


def _class_problem(relation_type: RelationType, source_class, target_class) -> dict:
    errors: dict[str, list[str]] = {}
    sources = {c.pk: c for c in relation_type.source_classes.all()}
    targets = {c.pk: c for c in relation_type.target_classes.all()}
    if sources and source_class.pk not in sources:
        errors["source"] = [
            _("A “{type}” relation cannot start from a {cls}; allowed: {allowed}.").format(
                type=relation_type.label,
                cls=source_class.label,
                allowed=", ".join(c.label for c in sources.values()),
            )
        ]
    if targets and target_class.pk not in targets:
        errors["target"] = [
            _("A “{type}” relation cannot point to a {cls}; allowed: {allowed}.").format(
                type=relation_type.label,
                cls=target_class.label,
                allowed=", ".join(c.label for c in targets.values()),
            )
        ]
    return errors


def _check_existing_relations(ci: ConfigurationItem, new_class: CIClass) -> None:
    relations = Relation.objects.filter(source=ci) | Relation.objects.filter(target=ci)
    for relation in relations.select_related("type", "source__ci_class", "target__ci_class"):
        source_class = new_class if relation.source_id == ci.pk else relation.source.ci_class
        target_class = new_class if relation.target_id == ci.pk else relation.target.ci_class
        if _class_problem(relation.type, source_class, target_class):
            raise ValidationFailed(
                fields={
                    "ci_class": [
                        _(
                            "The relation “{type}” with {other} does not allow this class; "
                            "remove it first."
                        ).format(
                            type=relation.type.label,
                            other=relation.target
                            if relation.source_id == ci.pk
                            else relation.source,
                        )
                    ]
                }
            )


def create_relation(
    *,
    source: ConfigurationItem,
    target: ConfigurationItem,
    type: RelationType,
    by,
    note: str = "",
    change_reference: str = "",
) -> Relation:
    """Relate *source* —type→ *target* (source depends on target). Refuses a CI related to
    itself, classes the type does not allow and a duplicate; cycles are allowed."""
    errors: dict[str, list[str]] = {}
    if not isinstance(source, ConfigurationItem):
        errors["source"] = [_("This field is required.")]
    if not isinstance(target, ConfigurationItem):
        errors["target"] = [_("This field is required.")]
    if not isinstance(type, RelationType):
        errors["type"] = [_("This field is required.")]
    if errors:
        raise ValidationFailed(fields=errors)
    if source.pk == target.pk:
        raise ValidationFailed(
            fields={"target": [_("A configuration item cannot be related to itself.")]}
        )
    errors = _class_problem(type, source.ci_class, target.ci_class)
    if errors:
        raise ValidationFailed(fields=errors)
    change_reference = (change_reference or "").strip()
    with transaction.atomic():
        if Relation.objects.filter(source=source, target=target, type=type).exists():
            raise ValidationFailed(
                _("This relation already exists."),
                fields={
                    "target": [
                        _("{source} already has the relation “{type}” to {target}.").format(
                            source=source, type=type.label, target=target
                        )
                    ]
                },
                code="duplicate",
            )
        relation = Relation(
            source=source,
            target=target,
            type=type,
            note=(note or "").strip(),
            change_reference=change_reference,
        )
        _full_clean(relation, checked=("source", "target", "type"))  # the duplicate: above
        relation._change_reason = change_reference
        _by(relation, by).save()
        _record_relation_event(relation, "relation_added", by=by, change_reference=change_reference)
    return relation


def _record_relation_event(relation: Relation, event: str, *, by, change_reference: str) -> None:
    """The timeline row of *event* on both ends of *relation* (each names the other end)."""
    source, target = relation.source, relation.target
    data = {
        "relation": relation.pk,
        "type": relation.type.code,
        "change_reference": change_reference,
    }
    for ci, direction, other in ((source, "out", target), (target, "in", source)):
        record_event(
            ci,
            event,
            by=by,
            note=change_reference,
            data={**data, "direction": direction, "other": other.pk, "other_number": other.number},
        )


def delete_relation(relation: Relation, *, by, change_reference: str = "") -> None:
    """Remove a relation; both CIs' timelines record it, the relation's history keeps it."""
    change_reference = (change_reference or "").strip()
    with transaction.atomic():
        _record_relation_event(
            relation, "relation_removed", by=by, change_reference=change_reference
        )
        relation.change_reference = change_reference
        relation._change_reason = change_reference
        _by(relation, by).delete()


def update_relation(
    relation: Relation, *, by, version: int | None = None, change_reference: str = "", **fields
) -> Relation:
    """Change a relation's note (its ends and type never change: delete and add instead)."""
    _refuse_unknown(fields, frozenset({"note"}))
    with transaction.atomic():
        if "note" in fields:
            relation.note = (fields["note"] or "").strip()
        relation.change_reference = (change_reference or "").strip()
        relation._change_reason = relation.change_reference
        _save(relation, by, version)
        record_event(relation, "updated", by=by, note=relation.change_reference)
    return relation
