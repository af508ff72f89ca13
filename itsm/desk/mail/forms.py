"""Forms of the desk e-mail pages; the views hand their data to the services."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import OrganisationKind
from itsm.core.form_helpers import TablerFormMixin
from itsm.core.models import Organisation
from itsm.desk.mail.models import Mailbox

FIELDS = [
    "name",
    "host",
    "port",
    "security",
    "username",
    "password",
    "folder",
    "addresses",
    "default_customer",
    "default_kind",
    "is_active",
]


class MailboxForm(TablerFormMixin, forms.ModelForm):
    """A mailbox's settings; the password is never shown back (empty on edit keeps it)."""

    password = forms.CharField(
        label=_("password"),
        required=False,
        strip=False,
        max_length=255,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=False)

    class Meta:
        model = Mailbox
        fields = FIELDS
        widgets = {"addresses": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["default_customer"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = Organisation.objects.filter(
            kind=OrganisationKind.CUSTOMER, is_active=True
        ).order_by("name")
        if self.instance.pk:
            self.fields["password"].help_text = _("Leave empty to keep the stored password.")
        else:
            self.fields["password"].required = True
            del self.fields["version"]

    def _post_clean(self):
        # the service validates the row (it is the only writer): skip ModelForm's
        # instance construction and model validation
        pass
