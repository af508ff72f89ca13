"""Forms of the business-calendar pages. They validate input; services do the writing."""

from __future__ import annotations

import re
from datetime import time

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.core.calendars.choices import DayKind, Weekday
from itsm.core.calendars.models import MAX_YEAR, MIN_YEAR, BusinessCalendar
from itsm.core.form_helpers import TablerFormMixin, style_form

_SPAN_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*[-–~]\s*(\d{1,2}):(\d{2})\s*$")


class CalendarForm(TablerFormMixin, forms.ModelForm):
    class Meta:
        model = BusinessCalendar
        fields = ["code", "name", "time_zone", "holiday_region", "is_active", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}


class IntervalsForm(TablerFormMixin, forms.Form):
    """One text field per weekday: ``09:00-12:00, 13:30-18:00`` (empty = not working)."""

    def __init__(self, *args, calendar: BusinessCalendar | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        current: dict[int, list[str]] = {}
        if calendar is not None and calendar.pk:
            for row in calendar.intervals.all():
                current.setdefault(row.weekday, []).append(
                    "{}-{}".format(row.start.strftime("%H:%M"), row.end.strftime("%H:%M"))
                )
        for weekday, label in Weekday.CHOICES:
            self.fields[f"day_{weekday}"] = forms.CharField(
                label=label,
                required=False,
                initial=", ".join(current.get(weekday, [])),
                # one hint below the seven fields (calendar_form.html), not seven copies
                widget=forms.TextInput(attrs={"aria-describedby": "intervals-hint"}),
            )
        style_form(self)  # the weekday fields were added after the mixin styled the form

    def clean(self):
        super().clean()
        data = self.cleaned_data
        intervals = []
        for weekday, _label in Weekday.CHOICES:
            text = data.get(f"day_{weekday}") or ""
            for part in filter(None, (p.strip() for p in re.split(r"[,;，]", text))):
                match = _SPAN_RE.match(part)
                try:
                    if not match:
                        raise ValueError
                    h1, m1, h2, m2 = (int(g) for g in match.groups())
                    start, end = time(h1, m1), time(h2 % 24 if h2 == 24 and m2 == 0 else h2, m2)
                except ValueError:
                    self.add_error(
                        f"day_{weekday}",
                        _("“{value}” is not a span like 09:00-12:00.").format(value=part),
                    )
                    continue
                intervals.append({"weekday": weekday, "start": start, "end": end})
        data["intervals"] = intervals
        return data


class DayForm(TablerFormMixin, forms.Form):
    date = forms.DateField(label=_("date"), widget=forms.DateInput())
    kind = forms.ChoiceField(label=_("kind"), choices=DayKind.choices)
    name = forms.CharField(label=_("name"), max_length=100, required=False)


class YearForm(TablerFormMixin, forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=MIN_YEAR, max_value=MAX_YEAR)


class ImportForm(YearForm):
    file = forms.FileField(
        label=_("CSV file"), help_text=_("Columns date,kind,name; kind is holiday or workday.")
    )


class SeedForm(TablerFormMixin, forms.Form):
    years = forms.CharField(
        label=_("years"),
        required=False,
        help_text=_("e.g. 2025, 2026; empty loads every year not loaded yet"),
    )

    def clean_years(self):
        text = self.cleaned_data.get("years") or ""
        parts = [p for p in re.split(r"[\s,;，]+", text) if p]
        years = []
        for part in parts:
            if not part.isdigit() or not MIN_YEAR <= int(part) <= MAX_YEAR:
                raise forms.ValidationError(_("“{value}” is not a year.").format(value=part))
            years.append(int(part))
        return years or None


class ComputeForm(TablerFormMixin, forms.Form):
    start = forms.DateTimeField(label=_("start"), widget=forms.DateTimeInput())
    hours = forms.DecimalField(
        label=_("working hours"), min_value=0, max_value=87840, decimal_places=2
    )
