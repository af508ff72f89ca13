"""Template helpers of the UI shell: icons, badges and labels, and the shell's URLs kept per
process (``{% route %}``, ``{% asset %}``)."""

from __future__ import annotations

from django import template
from django.core.signals import setting_changed
from django.templatetags.static import static
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from itsm.ui.process_cache import UrlCache

register = template.Library()

#: URLs of ``{% route %}`` (names without arguments) and ``{% asset %}`` (static files)
_ROUTES = UrlCache(512)
_ASSETS: dict[str, str] = {}


@register.simple_tag
def route(name: str, optional: bool = False) -> str:
    """``{% url name %}`` for a URL without arguments, reversed once per process and URL
    configuration (about 30 µs each otherwise, a dozen on every page: issue 10). With
    ``optional=True`` a name that is not routed gives "" instead of raising (as
    ``{% url … as var %}`` does); ``{% route "x" as var %}`` keeps it in a variable."""
    key = (name,)
    url = _ROUTES.get(key)
    if url is None:
        try:
            url = reverse(name)
        except NoReverseMatch:
            if not optional:
                raise
            url = ""
        _ROUTES.put(key, url)
    return url


@register.simple_tag
def asset(path: str) -> str:
    """``{% static path %}``, worked out once per process (and settings)."""
    url = _ASSETS.get(path)
    if url is None:
        url = _ASSETS[path] = static(path)
    return url


def _forget_assets(setting, **kwargs) -> None:
    if setting in ("STATIC_URL", "STORAGES"):
        _ASSETS.clear()


setting_changed.connect(_forget_assets)

# Outline icons from Tabler Icons (MIT, https://tabler.io/icons), inlined so no icon font is
# shipped. Add a name here to use it in NAV_ITEMS or templates.
ICONS = {
    "home": '<path d="M5 12l-2 0l9 -9l9 9l-2 0"/><path d="M5 12v7a2 2 0 0 0 2 2h10a2 2 0 0 0 2 '
    '-2v-7"/><path d="M9 21v-6a2 2 0 0 1 2 -2h2a2 2 0 0 1 2 2v6"/>',
    "building": '<path d="M3 21l18 0"/><path d="M9 8l1 0"/><path d="M9 12l1 0"/><path d="M9 16l1 '
    '0"/><path d="M14 8l1 0"/><path d="M14 12l1 0"/><path d="M14 16l1 0"/><path d="M5 21v-16a2 '
    '2 0 0 1 2 -2h10a2 2 0 0 1 2 2v16"/>',
    "users": '<path d="M5 7a4 4 0 1 0 8 0a4 4 0 1 0 -8 0"/><path d="M3 21v-2a4 4 0 0 1 4 -4h4a4 4 '
    '0 0 1 4 4v2"/><path d="M16 3.13a4 4 0 0 1 0 7.75"/><path d="M21 21v-2a4 4 0 0 0 -3 -3.85"/>',
    "users-group": '<path d="M10 13a2 2 0 1 0 4 0a2 2 0 0 0 -4 0"/><path d="M8 21v-1a2 2 0 0 1 2 '
    '-2h4a2 2 0 0 1 2 2v1"/><path d="M15 5a2 2 0 1 0 4 0a2 2 0 0 0 -4 0"/><path d="M17 10h2a2 2 '
    '0 0 1 2 2v1"/><path d="M5 5a2 2 0 1 0 4 0a2 2 0 0 0 -4 0"/><path d="M3 13v-1a2 2 0 0 1 2 '
    '-2h2"/>',
    "calendar": '<path d="M4 7a2 2 0 0 1 2 -2h12a2 2 0 0 1 2 2v12a2 2 0 0 1 -2 2h-12a2 2 0 0 1 -2 '
    '-2v-12z"/><path d="M16 3v4"/><path d="M8 3v4"/><path d="M4 11h16"/>',
    "send": '<path d="M10 14l11 -11"/><path d="M21 3l-6.5 18a.55 .55 0 0 1 -1 0l-3.5 -7l-7 -3.5a.55'
    ' .55 0 0 1 0 -1l18 -6.5"/>',
    "history": '<path d="M12 8l0 4l2 2"/><path d="M3.05 11a9 9 0 1 1 .5 4m-.5 5v-5h5"/>',
    "world": '<path d="M3 12a9 9 0 1 0 18 0a9 9 0 0 0 -18 0"/><path d="M3.6 9h16.8"/><path d="M3.6 '
    '15h16.8"/><path d="M11.5 3a17 17 0 0 0 0 18"/><path d="M12.5 3a17 17 0 0 1 0 18"/>',
    "plus": '<path d="M12 5l0 14"/><path d="M5 12l14 0"/>',
    "edit": '<path d="M7 7h-1a2 2 0 0 0 -2 2v9a2 2 0 0 0 2 2h9a2 2 0 0 0 2 -2v-1"/>'
    '<path d="M20.385 6.585a2.1 2.1 0 0 0 -2.97 -2.97l-8.415 8.385v3h3l8.385 -8.415z"/>'
    '<path d="M16 5l3 3"/>',
    "logout": '<path d="M14 8v-2a2 2 0 0 0 -2 -2h-7a2 2 0 0 0 -2 2v12a2 2 0 0 0 2 2h7a2 2 0 0 0 2 '
    '-2v-2"/><path d="M9 12h12l-3 -3"/><path d="M18 15l3 -3"/>',
    "briefcase": '<path d="M3 9a2 2 0 0 1 2 -2h14a2 2 0 0 1 2 2v9a2 2 0 0 1 -2 2h-14a2 2 0 0 1 -2 '
    '-2l0 -9"/><path d="M8 7v-2a2 2 0 0 1 2 -2h4a2 2 0 0 1 2 2v2"/>',
    "list-details": '<path d="M13 5h8"/><path d="M13 9h5"/><path d="M13 15h8"/><path d="M13 19h5"/>'
    '<path d="M3 5a1 1 0 0 1 1 -1h4a1 1 0 0 1 1 1v4a1 1 0 0 1 -1 1h-4a1 1 0 0 1 -1 -1z"/>'
    '<path d="M3 15a1 1 0 0 1 1 -1h4a1 1 0 0 1 1 1v4a1 1 0 0 1 -1 1h-4a1 1 0 0 1 -1 -1z"/>',
    "file-certificate": '<path d="M14 3v4a1 1 0 0 0 1 1h4"/><path d="M17 21h-10a2 2 0 0 1 -2 -2v-14'
    'a2 2 0 0 1 2 -2h7l5 5v11a2 2 0 0 1 -2 2z"/><path d="M9 9l1 0"/><path d="M9 13l6 0"/>'
    '<path d="M9 17l6 0"/>',
    "chart-bar": '<path d="M3 13a1 1 0 0 1 1 -1h4a1 1 0 0 1 1 1v6a1 1 0 0 1 -1 1h-4a1 1 0 0 1 -1 '
    '-1z"/><path d="M15 9a1 1 0 0 1 1 -1h4a1 1 0 0 1 1 1v10a1 1 0 0 1 -1 1h-4a1 1 0 0 1 -1 -1z"/>'
    '<path d="M9 5a1 1 0 0 1 1 -1h4a1 1 0 0 1 1 1v14a1 1 0 0 1 -1 1h-4a1 1 0 0 1 -1 -1z"/>'
    '<path d="M4 20h14"/>',
    "topology-star": '<path d="M8 18a2 2 0 1 0 -4 0a2 2 0 0 0 4 0z"/>'
    '<path d="M20 6a2 2 0 1 0 -4 0a2 2 0 0 0 4 0z"/>'
    '<path d="M8 6a2 2 0 1 0 -4 0a2 2 0 0 0 4 0z"/>'
    '<path d="M20 18a2 2 0 1 0 -4 0a2 2 0 0 0 4 0z"/>'
    '<path d="M14 12a2 2 0 1 0 -4 0a2 2 0 0 0 4 0z"/><path d="M7.5 7.5l3 3"/>'
    '<path d="M7.5 16.5l3 -3"/><path d="M13.5 13.5l3 3"/><path d="M16.5 7.5l-3 3"/>',
    "clock": '<path d="M3 12a9 9 0 1 0 18 0a9 9 0 0 0 -18 0"/><path d="M12 7v5l3 3"/>',
    "list-check": '<path d="M3.5 5.5l1.5 1.5l2.5 -2.5"/><path d="M3.5 11.5l1.5 1.5l2.5 -2.5"/>'
    '<path d="M3.5 17.5l1.5 1.5l2.5 -2.5"/><path d="M11 6l9 0"/><path d="M11 12l9 0"/>'
    '<path d="M11 18l9 0"/>',
    "calendar-event": '<path d="M4 7a2 2 0 0 1 2 -2h12a2 2 0 0 1 2 2v12a2 2 0 0 1 -2 2h-12a2 2 0 0 '
    '1 -2 -2z"/><path d="M16 3l0 4"/><path d="M8 3l0 4"/><path d="M4 11l16 0"/>'
    '<path d="M8 15h2v2h-2z"/>',
    "settings": '<path d="M10.325 4.317c.426 -1.756 2.924 -1.756 3.35 0a1.724 1.724 0 0 0 2.573 '
    "1.066c1.543 -.94 3.31 .826 2.37 2.37a1.724 1.724 0 0 0 1.065 2.572c1.756 .426 1.756 2.924 0 "
    "3.35a1.724 1.724 0 0 0 -1.066 2.573c.94 1.543 -.826 3.31 -2.37 2.37a1.724 1.724 0 0 0 -2.572 "
    "1.065c-.426 1.756 -2.924 1.756 -3.35 0a1.724 1.724 0 0 0 -2.573 -1.066c-1.543 .94 -3.31 -.826 "
    "-2.37 -2.37a1.724 1.724 0 0 0 -1.065 -2.572c-1.756 -.426 -1.756 -2.924 0 -3.35a1.724 1.724 "
    '0 0 0 1.066 -2.573c-.94 -1.543 .826 -3.31 2.37 -2.37c1 .608 2.296 .07 2.572 -1.065z"/>'
    '<path d="M9 12a3 3 0 1 0 6 0a3 3 0 0 0 -6 0"/>',
    "activity": '<path d="M3 12h4l3 8l4 -16l3 8h4"/>',
    "alert-triangle": '<path d="M12 9v4"/><path d="M10.363 3.591l-8.106 13.534a1.914 1.914 0 0 0 '
    '1.636 2.871h16.214a1.914 1.914 0 0 0 1.636 -2.87l-8.106 -13.536a1.914 1.914 0 0 0 -3.274 0z"/>'
    '<path d="M12 16h.01"/>',
    "gauge": '<path d="M3 12a9 9 0 1 0 18 0a9 9 0 1 0 -18 0"/><path d="M11 12a1 1 0 1 0 2 0a1 1 0 '
    '1 0 -2 0"/><path d="M13.41 10.59l2.59 -2.59"/><path d="M7 12a5 5 0 0 1 5 -5"/>',
    "upload": '<path d="M4 17v2a2 2 0 0 0 2 2h12a2 2 0 0 0 2 -2v-2"/><path d="M7 9l5 -5l5 5"/>'
    '<path d="M12 4l0 12"/>',
    "target": '<path d="M11 12a1 1 0 1 0 2 0a1 1 0 1 0 -2 0"/>'
    '<path d="M7 12a5 5 0 1 0 10 0a5 5 0 1 0 -10 0"/>'
    '<path d="M3 12a9 9 0 1 0 18 0a9 9 0 1 0 -18 0"/>',
    "trending-up": '<path d="M3 17l6 -6l4 4l8 -8"/><path d="M14 7l7 0l0 7"/>',
}
_DEFAULT_ICON = '<path d="M3 12a9 9 0 1 0 18 0a9 9 0 1 0 -18 0"/>'


@register.simple_tag
def icon(name: str, css_class: str = "icon"):
    """An inline SVG icon (``{% icon "home" %}``); unknown names draw a circle."""
    body = ICONS.get(name, _DEFAULT_ICON)
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="{}" width="24" height="24" '
        'viewBox="0 0 24 24" stroke-width="2" stroke="currentColor" fill="none" '
        'stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">{}</svg>',
        css_class,
        mark_safe(body),  # constants above, never user input
    )


@register.simple_tag
def choice_badge(choices_cls, value):
    """A Tabler badge for a ``ChoiceSet`` value, in the colour the choices class declares."""
    labels = dict(choices_cls.choices)
    return format_html(
        '<span class="badge bg-{}-lt">{}</span>',
        choices_cls.colour(value),
        labels.get(value, value),
    )


# Labels of timeline verbs written by core services; other apps' verbs fall back to the verb.
@register.simple_tag
def history_url(obj) -> str:
    """The read-only history page of any record: ``{% history_url object %}``."""
    from django.urls import reverse

    meta = obj._meta
    return reverse("core:history", args=[meta.app_label, meta.model_name, obj.pk])
