"""The header's menu and language buttons as HTML, written in Python (``ui/base.html`` shows
``{{ nav_menu_html }}`` and ``{% language_switch %}``).

The same markup as a template loop over ``nav_menu`` with ``{% icon %}`` per entry, which cost
about 0.6 ms of every page (issue 10 item 2). The entries come from
:func:`itsm.ui.context_processors.menu`; labels are translated in the active language.
"""

from __future__ import annotations

from html import escape

from django.conf import settings
from django.urls import reverse
from django.utils.safestring import SafeString
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext as _

from itsm.core.lists.rendering import csrf_input
from itsm.ui.process_cache import UrlCache
from itsm.ui.templatetags.ui import icon


def _active(entry: dict, css: str) -> str:
    return f"{css} active" if entry["active"] else css


def _current(entry: dict) -> str:
    return ' aria-current="page"' if entry["active"] else ""


def _icon_and_label(entry: dict) -> str:
    return (
        '    <span class="nav-link-icon d-md-none d-lg-inline-block">'
        f"{icon(entry['icon'])}</span>\n"
        f'    <span class="nav-link-title">{escape(str(entry["label"]))}</span>\n'
    )


def _group(group: dict) -> str:
    children = "".join(
        f'<a class="{_active(child, "dropdown-item")}" href="{escape(child["href"])}"'
        f"{_current(child)}>{escape(str(child['label']))}</a>"
        for child in group["children"]
    )
    return (
        f'<li class="{_active(group, "nav-item dropdown")}"'
        f' data-nav-group="{escape(group["key"])}">\n'
        f'  <a class="nav-link dropdown-toggle" href="{escape(group["children"][0]["href"])}"'
        ' data-bs-toggle="dropdown" data-bs-auto-close="outside" role="button"'
        ' aria-expanded="false">\n'
        f"{_icon_and_label(group)}"
        "  </a>\n"
        f'  <div class="dropdown-menu">\n    {children}\n  </div>\n'
        "</li>"
    )


def _entry(item: dict) -> str:
    return (
        f'<li class="{_active(item, "nav-item")}">\n'
        f'  <a class="nav-link" href="{escape(item["href"])}"{_current(item)}>\n'
        f"{_icon_and_label(item)}"
        "  </a>\n"
        "</li>"
    )


def menu_html(entries: list[dict]) -> SafeString:
    """The ``<li>`` elements of the header's menu for *entries* (``menu()``'s result)."""
    return SafeString("\n".join(_group(e) if e.get("children") else _entry(e) for e in entries))


#: the language buttons around the request's CSRF token and path, per active language (and
#: languages and URL configuration)
_SWITCH = UrlCache(64)


def _switch_parts(current: str) -> tuple[str, str]:
    language = escape(str(_("Language")))
    buttons = []
    for code, _name in settings.LANGUAGES:
        active = code == current
        css = "btn-primary active" if active else "btn-outline-secondary"
        pressed = ' aria-pressed="true"' if active else ""
        name = escape(str(get_language_info(code)["name_local"]))
        buttons.append(
            f'    <button type="submit" name="language" value="{escape(code)}"'
            f' lang="{escape(code)}"\n            class="btn btn-sm {css}"'
            f"\n            {pressed}>{name}</button>"
        )
    head = (
        f'<form method="post" action="{escape(reverse("ui:set_language"))}"'
        ' class="m-0 d-flex align-items-center gap-1" data-testid="language-switch">\n'
    )
    tail = (
        f'  <span class="text-secondary" title="{language}">{icon("world")}</span>\n'
        f'  <div class="btn-group btn-group-sm" role="group" aria-label="{language}">\n'
        + "\n".join(buttons)
        + "\n  </div>\n</form>"
    )
    return head, tail


def language_switch(csrf_token, next_path: str) -> SafeString:
    """The header's language buttons (``{% language_switch %}``), as the template it replaces
    wrote them: a form posting ``language`` to ``ui:set_language``, back to *next_path*. All
    but the token and the path is written once per process for each language."""
    current = get_language()
    key = (current, *(code for code, _name in settings.LANGUAGES))
    parts = _SWITCH.get(key)
    if parts is None:
        parts = _SWITCH.put(key, _switch_parts(current))
    head, tail = parts
    return SafeString(
        f"{head}  {csrf_input(csrf_token)}\n"
        f'  <input type="hidden" name="next" value="{escape(next_path)}">\n{tail}'
    )
