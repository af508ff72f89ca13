"""Forms of the core UI pages. They validate input; the views hand it to ``core.services``."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import OrganisationKind, Role
from itsm.core.errors import ValidationFailed
from itsm.core.form_helpers import TablerFormMixin, apply_errors, limit_choices
from itsm.core.models import Organisation, Team, User
from itsm.core.periods import MonthPeriod, resolve_months


def month_field(label) -> forms.CharField:
    """An optional month (``YYYY-MM``), picked with the browser's month control."""
    return forms.CharField(
        label=label,
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "placeholder": _("YYYY-MM")}),
    )


class MonthRangeForm(TablerFormMixin, forms.Form):
    """A report's period, from a month to a month (either may be empty:
    ``core.periods.resolve_months`` completes them); ``cleaned_data["period"]`` is the
    :class:`~itsm.core.periods.MonthPeriod`, and a wrong month is the field's error. A report
    with more ways to name its period overrides :meth:`period`."""

    start = month_field(_("From month"))
    end = month_field(_("To month"))

    def period(self, data: dict) -> MonthPeriod:
        return resolve_months(start=data.get("start"), end=data.get("end"))

    def clean(self):
        data = super().clean() or {}
        try:
            data["period"] = self.period(data)
        except ValidationFailed as error:
            apply_errors(self, error)
        return data


class VersionedFormMixin(forms.Form):
    """Carries the version the user read, so a concurrent edit turns into a conflict."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


# --- organisations --------------------------------------------------------------------------


class OrganisationCreateForm(TablerFormMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["code", "name", "kind", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def clean_kind(self):
        # Named on the field here; otherwise the model's single-provider constraint would
        # answer with a bare constraint name. services.create_organisation enforces it too.
        kind = self.cleaned_data["kind"]
        if (
            kind == OrganisationKind.PROVIDER
            and Organisation.objects.filter(kind=OrganisationKind.PROVIDER).exists()
        ):
            raise forms.ValidationError(_("There is already a provider organisation."))
        return kind


class OrganisationEditForm(TablerFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Organisation
        fields = ["name", "notes", "is_active"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}


# --- users ----------------------------------------------------------------------------------


class RolesFieldMixin(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A person may hold several roles."),
    )


class UserCreateForm(TablerFormMixin, RolesFieldMixin, forms.ModelForm):
    password = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty for a user who signs in through a directory (LDAP, OIDC)."),
    )

    class Meta:
        model = User
        fields = ["username", "organisation", "display_name", "email", "language"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(self, "organisation", Organisation.objects.restrict(user, "view"))
        self.fields["organisation"].required = True

    def clean_password(self):
        password = self.cleaned_data.get("password")
        if password:
            password_validation.validate_password(password)
        return password


class UserEditForm(TablerFormMixin, RolesFieldMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = User
        fields = ["display_name", "email", "phone", "language", "time_zone", "is_active"]


# --- teams ----------------------------------------------------------------------------------


def _provider_staff(user):
    return (
        User.objects.restrict(user, "view")
        .filter(organisation__kind=OrganisationKind.PROVIDER, is_active=True)
        .order_by("username")
    )


class TeamCreateForm(TablerFormMixin, forms.ModelForm):
    class Meta:
        model = Team
        fields = ["code", "name", "organisation", "leader", "members", "email"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(
            self,
            "organisation",
            Organisation.objects.restrict(user, "view").filter(kind=OrganisationKind.PROVIDER),
        )
        limit_choices(self, "leader", _provider_staff(user))
        limit_choices(self, "members", _provider_staff(user))


class TeamEditForm(TablerFormMixin, VersionedFormMixin, forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "leader", "members", "email", "is_active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        limit_choices(self, "leader", _provider_staff(user))
        limit_choices(self, "members", _provider_staff(user))
