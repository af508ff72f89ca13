"""``{% list_card %}``: the inside of a record list's card (``ui/record_list.html``), written
in Python by :func:`itsm.core.lists.rendering.list_card`."""

from __future__ import annotations

from django import template

from itsm.core.lists.rendering import list_card as _list_card

register = template.Library()


@register.simple_tag(takes_context=True)
def list_card(context):
    """The filter form, toolbar, table and pager of the list in *context* (``list``,
    ``filterset``, ``list_sort``, ``page``, ``request``, ``csrf_token``)."""
    return _list_card(context)
