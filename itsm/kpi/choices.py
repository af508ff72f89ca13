"""Choices of the KPI catalogue: units, directions, periods, scopes and the status of a figure
against its target. ``Unit`` is also the unit of an agreement's targets (``slm.Target.unit``),
so a target and the KPI it sets a goal for speak the same unit."""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from itsm.core.choices import ChoiceSet, with_colours


class Unit(ChoiceSet):
    PERCENT = "percent", pgettext_lazy("unit", "Percent (%)")
    COUNT = "count", pgettext_lazy("unit", "Count")
    MINUTES = "minutes", pgettext_lazy("unit", "Minutes")
    HOURS = "hours", pgettext_lazy("unit", "Hours")
    DAYS = "days", pgettext_lazy("unit", "Days")
    SCORE = "score", pgettext_lazy("unit", "Score")


#: the short symbol written after a value ("99.9 %", "30 min"); empty for plain numbers
UNIT_SYMBOLS: dict[str, str | Promise] = {
    Unit.PERCENT: "%",
    Unit.COUNT: "",
    Unit.MINUTES: pgettext_lazy("unit symbol", "min"),
    Unit.HOURS: pgettext_lazy("unit symbol", "h"),
    Unit.DAYS: pgettext_lazy("unit symbol", "d"),
    Unit.SCORE: "",
}


def unit_symbol(unit: str) -> str:
    """The symbol of *unit* in the active language ("" for none or an unknown value)."""
    return str(UNIT_SYMBOLS.get(unit, ""))


class Direction(ChoiceSet):
    HIGHER = "higher", _("Higher is better")
    LOWER = "lower", _("Lower is better")


class Period(ChoiceSet):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Quarter")
    YEAR = "year", _("Year")


class Scope(ChoiceSet):
    """Whom a figure describes: one customer's records, or the provider as a whole (shown to
    provider staff only, the same whichever customer is chosen)."""

    CUSTOMER = "customer", _("Per customer")
    PROVIDER = "provider", _("Provider-wide")


class KpiStatus(ChoiceSet):
    MET = "met", _("Met")
    NOT_MET = "not_met", _("Not met")
    NO_DATA = "no_data", _("No data")
    NO_TARGET = "no_target", _("No target")


with_colours(
    KpiStatus, {"met": "green", "not_met": "red", "no_data": "secondary", "no_target": "secondary"}
)
