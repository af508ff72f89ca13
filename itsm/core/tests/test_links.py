"""``core.links``: a link by id answers as ``reverse`` does, under any script prefix and
URLconf, and falls back to ``reverse`` where the id is not written as it is."""

from __future__ import annotations

import types

from django.http import HttpResponse
from django.urls import (
    get_script_prefix,
    path,
    register_converter,
    reverse,
    set_script_prefix,
    set_urlconf,
)

from itsm.core.links import id_url
from itsm.core.lists.columns import _link_maker


class _Padded:
    regex = "[0-9]+"

    def to_python(self, value):
        return int(value)

    def to_url(self, value):
        return f"{value:08d}"


register_converter(_Padded, "test-links-padded")


def _view(request, pk):  # pragma: no cover - only reversed
    return HttpResponse()


_URLS = types.ModuleType("test_links_urls")
_URLS.urlpatterns = [  # type: ignore[attr-defined]
    path("plain/<int:pk>/", _view, name="plain"),
    path("padded/<test-links-padded:pk>/", _view, name="padded"),
]


def test_id_url_answers_as_reverse():
    for pk in (1, 42, 10**15, "7"):
        assert id_url("desk:ticket_detail", pk) == reverse("desk:ticket_detail", args=[pk])
    assert _link_maker("desk:ticket_detail")(5) == reverse("desk:ticket_detail", args=[5])


def test_id_url_follows_the_script_prefix_and_the_urlconf():
    before = get_script_prefix()
    try:
        set_script_prefix("/itsm/")
        assert id_url("desk:ticket_detail", 9) == reverse("desk:ticket_detail", args=[9])
        assert id_url("desk:ticket_detail", 9).startswith("/itsm/")
    finally:
        set_script_prefix(before)
    assert not id_url("desk:ticket_detail", 9).startswith("/itsm/")
    try:
        set_urlconf(_URLS)
        assert id_url("plain", 3) == "/plain/3/"
        assert id_url("padded", 3) == "/padded/00000003/" == reverse("padded", args=[3])
        assert _link_maker("padded")(12) == "/padded/00000012/"
    finally:
        set_urlconf(None)
