"""Reads of the CMDB: attribute display rows, a CI's relations, a CI as it was at a past
date (R-CMDB-02) and impact analysis (R-CMDB-04).

Several helpers add functions to this module: append new functions below, do not reorder.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from itsm.cmdb.choices import AttributeType, attribute_choice_label
from itsm.cmdb.models import AttributeDefinition, CIClass, ConfigurationItem, Relation, RelationType
from itsm.core import policy
from itsm.core.errors import NotFound
from itsm.core.formatting import datetime_text


@dataclass(frozen=True)
class AttributeRow:
    """One attribute of a CI for display: label in the active language, value, unit."""

    key: str
    label: str
    value: object
    display: str
    unit: str
    type: str
    defined: bool


def _display(definition: AttributeDefinition | None, value) -> str:
    if value is None or value == "":
        return ""
    if definition is not None and definition.type == AttributeType.BOOLEAN:
        return str(_("Yes")) if value else str(_("No"))
    if definition is not None and definition.type == AttributeType.CHOICE:
        return attribute_choice_label(value)
    return str(value)


def attribute_rows(ci_class: CIClass, attributes: dict | None, *, definitions=None) -> list:
    """The class's attributes in definition order (empty ones included), then any stored
    key the class no longer defines (kept so that nothing is hidden)."""
    attributes = attributes or {}
    if definitions is None:
        definitions = list(ci_class.attribute_definitions.all())
    rows = []
    for definition in definitions:
        value = attributes.get(definition.key)
        rows.append(
            AttributeRow(
                definition.key,
                definition.label,
                value,
                _display(definition, value),
                definition.unit,
                definition.type,
                True,
            )
        )
    known = {d.key for d in definitions}
    for key in sorted(set(attributes) - known):
        value = attributes[key]
        rows.append(AttributeRow(key, key, value, _display(None, value), "", "", False))
    return rows


@dataclass(frozen=True)
class RelationRow:
    """A relation seen from one CI: the type's label for that direction and the other CI
    (``None`` when the user may not see it, e.g. shared infrastructure for a customer)."""

    relation: Relation
    direction: str  # "out" (this CI is the source) or "in"
    label: str
    other: ConfigurationItem | None
    other_class: CIClass | None


def relations_of(ci: ConfigurationItem, user=None) -> tuple[list, list]:
    """Outgoing and incoming relations of *ci* (the caller may view *ci*): one query each
    way plus the visibility check; the other CI is masked when *user* may not view it."""
    base = Relation.objects.select_related(
        "type", "source__ci_class", "target__ci_class", "source__customer", "target__customer"
    )
    outgoing = list(base.filter(source=ci).order_by("type__code", "target__name", "id"))
    incoming = list(base.filter(target=ci).order_by("type__code", "source__name", "id"))
    others = {r.target_id for r in outgoing} | {r.source_id for r in incoming}
    visible = others
    if user is not None:
        visible = set(
            policy.restrict(ConfigurationItem.objects.all(), user, "view")
            .filter(pk__in=others)
            .values_list("pk", flat=True)
        )
    out_rows = [
        RelationRow(
            r,
            "out",
            r.type.label,
            r.target if r.target_id in visible else None,
            r.target.ci_class,
        )
        for r in outgoing
    ]
    in_rows = [
        RelationRow(
            r,
            "in",
            r.type.reverse_label,
            r.source if r.source_id in visible else None,
            r.source.ci_class,
        )
        for r in incoming
    ]
    return out_rows, in_rows


@dataclass
class CIAsOf:
    """A CI as it was at ``when``: the historical version, its attributes and relations."""

    when: datetime
    ci: ConfigurationItem  # the historical instance (field values at ``when``)
    record: Any  # the HistoricalConfigurationItem row in force at ``when`` (simple_history)
    ci_class: CIClass
    attributes: list = field(default_factory=list)
    outgoing: list = field(default_factory=list)  # RelationRow (relation as it was)
    incoming: list = field(default_factory=list)

    @property
    def changed_by(self):
        return self.record.history_user

    @property
    def changed_at(self) -> datetime:
        return self.record.history_date

    @property
    def change_reference(self) -> str:
        return self.ci.change_reference

    @property
    def version(self) -> int:
        return self.ci.version


def ci_as_of(ci: ConfigurationItem, when: datetime, *, user=None) -> CIAsOf:
    """*ci* as it was at *when* (django-simple-history), with the relations that existed
    then. Raises ``NotFound`` when the CI did not exist yet."""
    record = (
        ci.history.filter(history_date__lte=when)
        .select_related("history_user")
        .order_by("-history_date", "-history_id")
        .first()
    )
    if record is None or record.history_type == "-":
        raise NotFound(
            _("This configuration item did not exist at {when}.").format(when=datetime_text(when))
        )
    old = record.instance
    ci_class = CIClass.objects.get(pk=old.ci_class_id)
    relations = list(
        Relation.history.filter(Q(source_id=ci.pk) | Q(target_id=ci.pk), history_date__lte=when)
        .latest_of_each()
        .as_instances()
    )
    other_ids = {r.target_id if r.source_id == ci.pk else r.source_id for r in relations}
    others = ConfigurationItem.objects.select_related("ci_class").in_bulk(other_ids)
    visible = set(others)
    if user is not None:
        visible = set(
            policy.restrict(ConfigurationItem.objects.all(), user, "view")
            .filter(pk__in=other_ids)
            .values_list("pk", flat=True)
        )
    types = RelationType.objects.in_bulk({r.type_id for r in relations})
    outgoing, incoming = [], []
    for relation in sorted(relations, key=lambda r: (r.type_id, r.pk)):
        relation_type = types[relation.type_id]  # a relation always has a type
        relation.type = relation_type
        if relation.source_id == ci.pk:
            other = others.get(relation.target_id)
            outgoing.append(
                RelationRow(
                    relation,
                    "out",
                    relation_type.label,
                    other if relation.target_id in visible else None,
                    other.ci_class if other else None,
                )
            )
        else:
            other = others.get(relation.source_id)
            incoming.append(
                RelationRow(
                    relation,
                    "in",
                    relation_type.reverse_label,
                    other if relation.source_id in visible else None,
                    other.ci_class if other else None,
                )
            )
    return CIAsOf(
        when=when,
        ci=old,
        record=record,
        ci_class=ci_class,
        attributes=attribute_rows(ci_class, old.attributes),
        outgoing=outgoing,
        incoming=incoming,
    )


# --- impact analysis (R-CMDB-04): implemented in ``itsm.cmdb.impact`` (helper H2) --------------
from itsm.cmdb.impact import (  # noqa: E402, F401
    DIRECTIONS,
    ImpactCustomer,
    ImpactEdge,
    ImpactNode,
    ImpactResult,
    impact,
)

# --- configuration audit (R-CMDB-05): accuracy KPI (helper H3) --------------------------------


def configuration_accuracy(*, since: datetime | None = None, until: datetime | None = None):
    """Configuration accuracy of the closed audits closed in [since, until): the CIs that
    matched discovery exactly / the CIs checked (sum over the audits; see ``itsm.cmdb.audit``).
    ``None`` when no closed audit checked anything in the period."""
    from django.db.models import Sum

    from itsm.cmdb.choices import AuditStatus
    from itsm.cmdb.models import ConfigurationAudit

    audits = ConfigurationAudit.objects.filter(status=AuditStatus.CLOSED)
    if since is not None:
        audits = audits.filter(closed_at__gte=since)
    if until is not None:
        audits = audits.filter(closed_at__lt=until)
    totals = audits.aggregate(checked=Sum("checked_count"), matched=Sum("matched_count"))
    if not totals["checked"]:
        return None
    return (totals["matched"] or 0) / totals["checked"]


# --- configuration accuracy KPI (itsm.cmdb.kpis) ------------------------------------------------


def configuration_accuracy_counts(*, user, since: datetime, until: datetime) -> tuple[int, int]:
    """``(CIs matching, CIs checked)`` summed over the closed audits *user* may view closed in
    [since, until): the numerator and denominator of :func:`configuration_accuracy`. Audits
    compare the whole CMDB (or a class) with a discovery snapshot, so the figure is
    provider-wide: it has no customer breakdown, and customer users see no audit."""
    from django.db.models import Sum

    from itsm.cmdb.choices import AuditStatus
    from itsm.cmdb.models import ConfigurationAudit

    totals = (
        ConfigurationAudit.objects.restrict(user, "view")
        .filter(status=AuditStatus.CLOSED, closed_at__gte=since, closed_at__lt=until)
        .aggregate(checked=Sum("checked_count"), matched=Sum("matched_count"))
    )
    return totals["matched"] or 0, totals["checked"] or 0


# --- the surface other apps read (catalog, slm, ui): they never import ``cmdb.models`` ---------


def cis_for(user, action: str = "view") -> QuerySet[ConfigurationItem]:
    """The configuration items *user* may *action* (``restrict``)."""
    return ConfigurationItem.objects.restrict(user, action)


def all_cis() -> QuerySet[ConfigurationItem]:
    """Every configuration item, unrestricted: for services and jobs acting for the system
    (an agreement's own CI, the demo); pages and pickers use :func:`cis_for`."""
    return ConfigurationItem.objects.all()


def relations_from(ci: ConfigurationItem, relation_type: RelationType) -> QuerySet[Relation]:
    """The relations of *relation_type* whose source is *ci* (unrestricted)."""
    return Relation.objects.filter(source=ci, type=relation_type)


def audits_for(user, action: str = "view") -> QuerySet:
    """The configuration audits *user* may *action* (``restrict``)."""
    from itsm.cmdb.models import ConfigurationAudit

    return ConfigurationAudit.objects.restrict(user, action)
