"""Keyset ("after this row") pagination for every list (DESIGN, PERFORMANCE)."""

from rest_framework.pagination import CursorPagination


class KeysetPagination(CursorPagination):
    """Cursor pagination on ``-id`` unless a view names its own unique ordering.

    No ``COUNT(*)``: the page carries ``next``/``previous`` cursors only, so a page costs the
    same at row 5 000 000 as at row 50.
    """

    ordering: str | list[str] | tuple[str, ...] = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500
