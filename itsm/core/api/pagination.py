"""Keyset ("after this row") pagination for every list (DESIGN, PERFORMANCE)."""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response

from itsm.core.errors import ValidationFailed
from itsm.core.lists.paging import Count, capped_count

#: values of ``?count=``
_YES, _NO = ("true", "1"), ("false", "0", "")


class KeysetPagination(CursorPagination):
    """Cursor pagination on ``-id`` unless a view names its own unique ordering.

    No ``COUNT(*)``: the page carries ``next``/``previous`` cursors only, so a page costs the
    same at row 5 000 000 as at row 50. A client that wants to know how many rows match asks
    with ``?count=true``: the answer then carries ``count``, counted up to
    ``ITSM_LIST_COUNT_LIMIT`` rows (10 000), and ``count_capped`` (``true``: more than
    ``count`` rows match) — never a count of every matching row.
    """

    ordering: str | list[str] | tuple[str, ...] = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500
    count_query_param = "count"

    def paginate_queryset(self, queryset, request, view=None):
        self.row_count: Count | None = None
        wanted = request.query_params.get(self.count_query_param, "").strip().lower()
        if wanted not in _YES + _NO:
            raise ValidationFailed(fields={self.count_query_param: [str(_("Use true or false."))]})
        if wanted in _YES:
            self.row_count = capped_count(queryset, settings.ITSM_LIST_COUNT_LIMIT)
        return super().paginate_queryset(queryset, request, view)

    def get_paginated_response(self, data):
        body: dict[str, Any] = {"next": self.get_next_link(), "previous": self.get_previous_link()}
        if self.row_count is not None:
            body["count"] = self.row_count.value
            body["count_capped"] = self.row_count.capped
        body["results"] = data
        return Response(body)

    def get_paginated_response_schema(self, schema):
        answer = super().get_paginated_response_schema(schema)
        answer["properties"]["count"] = {
            "type": "integer",
            "description": "With ?count=true: the matching rows, counted up to a limit.",
        }
        answer["properties"]["count_capped"] = {
            "type": "boolean",
            "description": "With ?count=true: more rows than count match.",
        }
        return answer

    def get_schema_operation_parameters(self, view):
        return [
            *super().get_schema_operation_parameters(view),
            {
                "name": self.count_query_param,
                "required": False,
                "in": "query",
                "description": "true: also answer how many rows match (count, count_capped), "
                "counted up to a limit.",
                "schema": {"type": "boolean"},
            },
        ]
