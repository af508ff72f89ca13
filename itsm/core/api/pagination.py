"""Keyset ("after this row") pagination for every list (DESIGN, PERFORMANCE)."""

from typing import Any

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from itsm.core.errors import ValidationFailed
from itsm.core.lists.paging import BadCursor, Count, KeysetPage, Sort, capped_count, keyset_page

#: values of ``?count=``
_YES, _NO = ("true", "1"), ("false", "0", "")


def _sort_keys(columns) -> list[str]:
    """``id`` and the sortable ones of a list page's *columns*: the keys ``?sort=`` takes."""
    return ["id", *(c.name for c in columns if c.sortable and c.name != "id")]


class KeysetPagination(CursorPagination):
    """Cursor pagination on ``-id`` unless a view names its own unique ordering.

    No ``COUNT(*)``: the page carries ``next``/``previous`` cursors only, so a page costs the
    same at row 5 000 000 as at row 50. A client that wants to know how many rows match asks
    with ``?count=true``: the answer then carries ``count``, counted up to
    ``ITSM_LIST_COUNT_LIMIT`` rows (10 000), and ``count_capped`` (``true``: more than
    ``count`` rows match) — never a count of every matching row.

    ``?sort=`` takes the keys of the record's HTML list (the viewset's ``list_view``: its
    sortable columns the user sees, ``-`` for descending) and ``id``; any other key answers
    400 naming ``sort``. A sorted page is the HTML list's page (``core.lists.paging``:
    ``keyset_page`` — (value, id) order, NULLs last, the same plans and indexes); its ``next``
    link carries that list's cursor (the last row's value and id), and it pages forward only
    (``previous`` is ``null``). Without ``sort`` (or with the default, ``-id``) the page is
    DRF's, as before.
    """

    ordering: str | list[str] | tuple[str, ...] = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500
    count_query_param = "count"
    sort_query_param = "sort"

    #: the page of a ``?sort=`` request (``None``: DRF's own page)
    sorted_page: KeysetPage | None = None

    def paginate_queryset(self, queryset, request, view=None):
        self.row_count: Count | None = None
        self.sorted_page = None
        wanted = request.query_params.get(self.count_query_param, "").strip().lower()
        if wanted not in _YES + _NO:
            raise ValidationFailed(fields={self.count_query_param: [str(_("Use true or false."))]})
        sort = self.requested_sort(request, view)
        if wanted in _YES:
            self.row_count = capped_count(queryset, settings.ITSM_LIST_COUNT_LIMIT)
        if sort is None:
            return super().paginate_queryset(queryset, request, view)
        self.page_size = self.get_page_size(request)
        if not self.page_size:
            return None
        self.base_url = request.build_absolute_uri()
        try:
            self.sorted_page = keyset_page(queryset, request, sort, page_size=self.page_size)
        except BadCursor:
            raise NotFound(self.invalid_cursor_message) from None
        return self.sorted_page.rows

    # --- ?sort= ----------------------------------------------------------------------------------

    def _default_sort(self) -> str:
        ordering = self.ordering
        return ordering if isinstance(ordering, str) else ",".join(ordering)

    def requested_sort(self, request, view) -> Sort | None:
        """The ``Sort`` of ``?sort=``; ``None`` for DRF's own order (no ``sort``, an empty one,
        or the default); a key the list does not offer this user answers 400."""
        text = request.query_params.get(self.sort_query_param)
        if text is None or text in ("", self._default_sort()):
            return None
        name = text[1:] if text.startswith("-") else text
        list_view = getattr(view, "list_view", None)
        page = None
        keys = ["id"]
        if list_view is not None:
            page = list_view()
            page.setup(request._request)
            keys = _sort_keys(page.available_columns())
        if name not in keys:
            message = _("Unknown sort: use one of {keys}, with “-” in front to sort descending.")
            raise ValidationFailed(
                fields={self.sort_query_param: [str(message).format(keys=", ".join(keys))]}
            )
        if page is None:
            return Sort("id", None, text.startswith("-"))
        return page.sort()  # the HTML list's own resolution of the same key (and its search)

    def sort_values(self, view) -> list[str]:
        """Every value ``?sort=`` may take on *view*'s list (OpenAPI)."""
        list_view = getattr(view, "list_view", None)
        names = _sort_keys(list_view.columns) if list_view is not None else ["id"]
        return [f"{direction}{name}" for name in names for direction in ("", "-")]

    # --- links -----------------------------------------------------------------------------------

    def get_next_link(self):
        page = self.sorted_page
        if page is None:
            return super().get_next_link()
        if page.next_cursor is None:
            return None
        return replace_query_param(self.base_url or "", self.cursor_query_param, page.next_cursor)

    def get_previous_link(self):
        if self.sorted_page is None:
            return super().get_previous_link()
        return None

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
            {
                "name": self.sort_query_param,
                "required": False,
                "in": "query",
                "description": "The order of the rows: a column of the record's list, "
                "'-' in front for descending; ties broken by id, empty values last. Default: "
                f"{self._default_sort()} (newest first). A sorted list pages forward only "
                "(previous is null). Columns only provider staff see sort only for them.",
                "schema": {"type": "string", "enum": self.sort_values(view)},
            },
        ]
