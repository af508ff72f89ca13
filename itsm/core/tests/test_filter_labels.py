"""Filter labels follow the reader's language (issue 8 item 6: "Kind" in a zh-Hans page).

A filter without a label gets one from its model field only on a FilterSet instance; but the
OpenAPI schema reads ``base_filters[…].field``, which builds and keeps the class-level form
field without a label, and every later form shows the field *name* ("Kind") in any language.
The core FilterSet gives such filters the field's lazy verbose name."""

from __future__ import annotations

from django.utils import translation

from itsm.core.filtersets import OrganisationFilterSet


def _labels() -> tuple[str, str]:
    fields = OrganisationFilterSet().form.fields
    return str(fields["kind"].label), str(fields["is_active"].label)


def test_derived_filter_labels_are_read_in_each_language():
    with translation.override("en"):
        # what drf-spectacular does when it describes the list's query parameters
        OrganisationFilterSet.base_filters["kind"].field  # noqa: B018
        assert _labels() == ("Kind", "Active")
    with translation.override("zh-hans"):
        assert _labels() == ("类型", "启用")
    with translation.override("en"):
        assert _labels() == ("Kind", "Active")
