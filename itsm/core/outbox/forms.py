"""Forms of the outbox UI: notification channels (the URL is checked against SSRF)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from itsm.core.form_helpers import TablerFormMixin
from itsm.core.outbox.models import NotificationChannel


class NotificationChannelForm(TablerFormMixin, forms.ModelForm):
    """Create or edit a channel. An empty secret on edit keeps the stored one."""

    secret = forms.CharField(
        label=_("secret"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=NotificationChannel._meta.get_field("secret").help_text,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = NotificationChannel
        fields = ["name", "kind", "url", "secret", "is_active", "notes"]
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["secret"].help_text = _("Leave empty to keep the stored secret.")

    def clean_secret(self):
        secret = self.cleaned_data.get("secret", "")
        if not secret and self.instance.pk:
            return self.instance.secret
        return secret

    def channel_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}
