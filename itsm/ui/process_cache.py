"""Parts of the page shell kept per process (issue 10 item 2): the menu entries a kind of
user may open (``context_processors``) and the trails of pages without a record
(``breadcrumbs``). Both hold URLs made by ``reverse()``, so their key also names the URL
configuration in force (settings, the thread's URL conf, the script prefix); a bounded store,
emptied when full (the keys are few: kinds of user, languages and list paths)."""

from __future__ import annotations

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf


class UrlCache:
    """Values per key and URL configuration, at most *limit* of them."""

    def __init__(self, limit: int):
        self._values: dict[tuple, object] = {}
        self._limit = limit

    @staticmethod
    def _full(key: tuple) -> tuple:
        return (*key, settings.ROOT_URLCONF, get_urlconf(), get_script_prefix())

    def get(self, key: tuple):
        """The value kept for *key*, or ``None``."""
        return self._values.get(self._full(key))

    def put(self, key: tuple, value):
        """Keep *value* for *key*; returns it."""
        if len(self._values) >= self._limit:
            self._values.clear()
        self._values[self._full(key)] = value
        return value
