"""Comparing a snapshot with the CMDB: missing, unexpected and drifted CIs."""

from __future__ import annotations

from dataclasses import dataclass

from itsm.cmdb.audit.snapshot import (
    SnapshotItem,
    _comparable,
)
from itsm.cmdb.choices import (
    AttributeType,
    CIStatus,
    DifferenceKind,
)
from itsm.cmdb.models import (
    AuditDifference,
    ConfigurationItem,
)

# --- comparison -------------------------------------------------------------------------------


@dataclass
class _Comparison:
    differences: list[AuditDifference]
    checked: int
    matched: int


def _compare(items: list[SnapshotItem], scope_codes: set[str]) -> _Comparison:
    cis = list(
        ConfigurationItem.objects.filter(ci_class__code__in=scope_codes)
        .exclude(status=CIStatus.RETIRED)
        .select_related("ci_class")
        .prefetch_related("ci_class__attribute_definitions")
        .order_by("pk")
    )
    by_identifier = {ci.identifier.strip().casefold(): ci for ci in cis if ci.identifier.strip()}
    by_name: dict[tuple[str, str], list[ConfigurationItem]] = {}
    for ci in cis:
        by_name.setdefault((ci.ci_class.code, ci.name.strip().casefold()), []).append(ci)
    pairs: dict[int, tuple[ConfigurationItem, SnapshotItem]] = {}
    unmatched: list[SnapshotItem] = []
    for item in items:
        match = by_identifier.get(item.identifier.casefold()) if item.identifier else None
        if match is not None and match.pk not in pairs:
            pairs[match.pk] = (match, item)
        else:
            unmatched.append(item)
    unexpected: list[SnapshotItem] = []
    for item in unmatched:
        candidates = [
            ci
            for ci in by_name.get((item.class_code, item.name.casefold()), [])
            if ci.pk not in pairs and (not ci.identifier.strip() or not item.identifier)
        ]
        if candidates:
            pairs[candidates[0].pk] = (candidates[0], item)
        else:
            unexpected.append(item)

    differences: list[AuditDifference] = []
    matched = 0
    for ci, item in sorted(pairs.values(), key=lambda pair: pair[0].pk):
        found = _drifts(ci, item)
        if not found:
            matched += 1
        differences.extend(found)
    missing = [ci for ci in cis if ci.pk not in pairs]
    for ci in missing:
        differences.append(
            AuditDifference(
                kind=DifferenceKind.MISSING,
                ci=ci,
                identifier=ci.identifier,
                name=ci.name,
                class_code=ci.ci_class.code,
                cmdb_value={"number": ci.number, "status": ci.status},
            )
        )
    for item in unexpected:
        differences.append(
            AuditDifference(
                kind=DifferenceKind.UNEXPECTED,
                identifier=item.identifier,
                name=item.name,
                class_code=item.class_code,
                discovered_value={"name": item.name, "attributes": item.attributes},
            )
        )
    checked = len(pairs) + len(missing) + len(unexpected)
    return _Comparison(differences, checked, matched)


def _drifts(ci: ConfigurationItem, item: SnapshotItem) -> list[AuditDifference]:
    def drift(attribute, cmdb_value, discovered_value):
        return AuditDifference(
            kind=DifferenceKind.DRIFTED,
            ci=ci,
            identifier=ci.identifier or item.identifier,
            name=ci.name,
            class_code=ci.ci_class.code,
            attribute=attribute,
            cmdb_value=cmdb_value,
            discovered_value=discovered_value,
        )

    found: list[AuditDifference] = []
    if ci.ci_class.code != item.class_code:
        found.append(drift("class", ci.ci_class.code, item.class_code))
    if ci.name.strip().casefold() != item.name.casefold():
        found.append(drift("name", ci.name, item.name))
    if item.identifier and not ci.identifier.strip():
        found.append(drift("identifier", ci.identifier, item.identifier))
    definitions = {d.key: d for d in ci.ci_class.attribute_definitions.all()}
    stored = ci.attributes if isinstance(ci.attributes, dict) else {}
    for key, value in item.attributes.items():
        definition = definitions.get(key)
        attr_type = definition.type if definition is not None else AttributeType.STRING
        if _comparable(attr_type, stored.get(key)) != _comparable(attr_type, value):
            found.append(drift(f"attributes.{key}", stored.get(key), value))
    return found
