"""Record lists shared by every module: columns, sorted keyset paging, column choice and
CSV/Excel export (:class:`RecordListView`; see ``views.py``)."""

from itsm.core.lists.columns import Column, by_language
from itsm.core.lists.paging import KeysetPage, Sort, keyset_page
from itsm.core.lists.views import LIST_PARAMS, RecordListView

__all__ = [
    "Column",
    "KeysetPage",
    "LIST_PARAMS",
    "RecordListView",
    "Sort",
    "by_language",
    "keyset_page",
]
