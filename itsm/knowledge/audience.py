"""Who among the customers may read a row, as one column the tenancy policy can filter on.

An article is internal, for every customer, or for chosen organisations; a search document
(article, known error, ticket) likewise. ``core.policy.restrict`` filters a customer's rows
with ``tenant_field = organisation id``; a single foreign key cannot say "every customer", and
a many-to-many join would repeat rows. So the services keep an *audience* text per row:

- ``""``      provider staff only (an internal or unpublished article, an internal record);
- ``"*"``     every customer organisation;
- ``",3,7,"`` the organisations 3 and 7 (one id for a ticket: its customer).

The field's lookup ``reaches`` (``audience__reaches=<organisation id>``) is what the policy's
``tenant_field = "audience__reaches"`` applies: ``audience = '*' OR audience LIKE '%,3,%'``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models
from django.db.models import Lookup

ALL = "*"
NOBODY = ""


def audience_of(*, customer_visible: bool, organisation_ids: Iterable[int] | None) -> str:
    """The audience text: nobody unless *customer_visible*; every customer when
    *organisation_ids* is ``None`` (or empty); else those organisations."""
    if not customer_visible:
        return NOBODY
    ids = sorted({int(pk) for pk in organisation_ids or ()})
    if not ids:
        return ALL
    return "," + ",".join(str(pk) for pk in ids) + ","


class AudienceField(models.TextField):
    """The audience text (see the module docstring); filter with ``__reaches``."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", NOBODY)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "itsm.knowledge.audience.AudienceField", args, kwargs


@AudienceField.register_lookup
class Reaches(Lookup):
    """``audience__reaches=<organisation id>``: the row is for every customer or names it."""

    lookup_name = "reaches"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs = getattr(self.rhs, "pk", self.rhs)
        organisation = int(rhs) if rhs is not None else 0
        return (
            f"({lhs} = %s OR {lhs} LIKE %s)",
            [*lhs_params, ALL, f"%,{organisation},%"],
        )
