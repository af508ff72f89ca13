"""Small row factories for the impact-analysis tests. They write rows directly (tests may
bypass services) with their own class and relation-type codes (``t-…``), so the tests do not
depend on the built-in classes."""

from __future__ import annotations

import itertools

from itsm.cmdb.models import CIClass, ConfigurationItem, Relation, RelationType

_numbers = itertools.count(1)


def ci_class(code="t-app", *, business_service=False, agreement=False) -> CIClass:
    found = CIClass.objects.filter(code=code).first()
    if found:
        return found
    return CIClass.objects.create(
        code=code,
        name_en=f"Class {code}",
        name_zh=f"类 {code}",
        is_business_service=business_service,
        is_agreement=agreement,
    )


def relation_type(code="t-dep") -> RelationType:
    found = RelationType.objects.filter(code=code).first()
    if found:
        return found
    return RelationType.objects.create(
        code=code,
        name_en=f"type {code}",
        name_zh=f"关系 {code}",
        reverse_en=f"reverse {code}",
        reverse_zh=f"反向 {code}",
    )


def ci(name="CI", *, cls=None, customer=None, **extra) -> ConfigurationItem:
    return ConfigurationItem.objects.create(
        number=f"TCI-{next(_numbers):06d}",
        name=name,
        ci_class=cls or ci_class(),
        customer=customer,
        **extra,
    )


def many_cis(count, *, cls=None, customers=(None,)) -> list[ConfigurationItem]:
    cls = cls or ci_class()
    rows = [
        ConfigurationItem(
            number=f"TCI-{next(_numbers):06d}",
            name=f"CI {index}",
            ci_class=cls,
            customer=customers[index % len(customers)],
        )
        for index in range(count)
    ]
    return ConfigurationItem.objects.bulk_create(rows)


def relate(source, target, kind=None) -> Relation:
    return Relation.objects.create(source=source, target=target, type=kind or relation_type())


def relate_many(pairs) -> list[Relation]:
    """*pairs*: (source id, target id, type) triples."""
    return Relation.objects.bulk_create(
        [Relation(source_id=s, target_id=t, type=kind) for s, t, kind in pairs]
    )
