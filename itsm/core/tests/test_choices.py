"""``ChoiceSet.has`` and ``choice_label``: lookups that answer as the lists of choices do."""

from __future__ import annotations

from django.utils import translation

from itsm.core.lists.columns import choice_label
from itsm.desk.choices import Priority, TicketStatus


def test_has_answers_as_the_values_do():
    for value in [*Priority.values, "P9", "", None, 3, ["P1"], {"P1": 1}]:
        try:
            expected = value in Priority.values
        except TypeError:  # pragma: no cover - a list's `in` compares, it does not hash
            expected = False
        assert Priority.has(value) is expected, value


def test_choice_label_is_the_label_or_the_value_itself():
    with translation.override("en"):
        english = choice_label(TicketStatus, TicketStatus.NEW)
        for value, label in TicketStatus.choices:
            assert choice_label(TicketStatus, value) == str(label)
        assert choice_label(TicketStatus, "gone") == "gone"
        assert choice_label(TicketStatus, None) == "None"
        assert choice_label(TicketStatus, ["new"]) == "['new']"
    with translation.override("zh-hans"):
        chinese = choice_label(TicketStatus, TicketStatus.NEW)
        assert chinese == str(TicketStatus.NEW.label) != english  # translated when shown
