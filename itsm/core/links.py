"""Links to a record's page by its id, the URL around the id reversed once.

``reverse(name, args=[pk])`` matches the pattern's arguments and quotes them at every call
(a ticket's create reversed its page for the assignee's mail and the group's chat message: 2 %
of the create). :func:`id_url` reverses the route once with an id no row has, keeps the text
on both sides of it — per route, URLconf and script prefix, which are what ``reverse``'s
answer depends on — and puts the id between them; a route whose answer does not hold the id
as written (a converter that pads or encodes it: checked with a second id), or an id that is
not an integer, is reversed each time.
"""

from __future__ import annotations

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

#: an id no row has, reversed in its place
MARK = 987654321987654321

#: (route name, URLconf, script prefix) → (text before the id, text after it), or None when
#: the route's answer does not hold the id as written
_PARTS: dict[tuple, tuple[str, str] | None] = {}


def url_parts(name: str) -> tuple[str, str] | None:
    """The text of ``reverse(name, args=[id])`` before and after the id (``None``: reverse
    each id); raises ``NoReverseMatch`` as ``reverse`` does."""
    key = (name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    try:
        return _PARTS[key]
    except KeyError:
        pass
    url, mark = reverse(name, args=[MARK]), str(MARK)
    parts = None
    if url.count(mark) == 1:
        before, after = url.split(mark)
        if reverse(name, args=[1]) == f"{before}1{after}":  # not a converter that pads
            parts = (before, after)
    _PARTS[key] = parts
    return parts


def id_url(name: str, pk) -> str:
    """``reverse(name, args=[pk])``, the text around the id reversed once."""
    parts = url_parts(name) if type(pk) is int else None
    if parts is None:
        return reverse(name, args=[pk])
    return f"{parts[0]}{pk}{parts[1]}"
