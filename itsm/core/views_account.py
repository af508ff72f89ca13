"""The signed-in user's own account pages: API tokens (create, list, revoke) and the
password change. Each user manages only their own tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from itsm.core import tokens
from itsm.core.confirm import confirm_action
from itsm.core.errors import DomainError
from itsm.core.form_helpers import apply_errors
from itsm.core.models import User


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("What uses the token, such as “monitoring import”."),
    )
    expires_in_days = forms.TypedChoiceField(
        label=_("Expires in"),
        coerce=int,
        initial=90,
        choices=lambda: [  # a callable: the labels are read in the reader's language
            (days, _("{days} days").format(days=days)) for days in tokens.EXPIRY_CHOICES_DAYS
        ],
    )


@login_required
def token_list(request):
    """The user's API tokens and the form that creates one (the new token is shown once)."""
    form = TokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            token, new_token = tokens.create_token(
                User.objects.get(pk=request.user.pk),  # the model, not the lazy request.user
                name=form.cleaned_data["name"],
                days=form.cleaned_data["expires_in_days"],
            )
        except DomainError as exc:
            apply_errors(form, exc)
        else:
            form = TokenForm()
    return render(
        request,
        "account/token_list.html",
        {
            "form": form,
            "tokens": list(tokens.tokens_of(request.user)),
            "new_token": new_token,
            "max_days": tokens.max_days(),
        },
    )


@login_required
@require_POST
def token_revoke(request, pk: int):
    token = tokens.tokens_of(request.user).select_related("user").filter(pk=pk).first()
    if token is None:  # another user's token, or gone: not there
        raise Http404
    page = confirm_action(
        request,
        heading=_("Revoke the API token “{name}”?").format(name=token.name),
        consequence=_(
            "Scripts and integrations that use this token are refused from now on; "
            "the token cannot be used again."
        ),
        button=_("Revoke token"),
        cancel_url=reverse("account:tokens"),
    )
    if page is not None:
        return page
    tokens.revoke_token(token, by=token.user)
    messages.success(request, _("Token “{name}” revoked.").format(name=token.name))
    return redirect("account:tokens")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password (this revokes one's API tokens; the session is kept)."""

    template_name = "account/password_change.html"
    success_url = reverse_lazy("account:tokens")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request, _("Password changed. Your API tokens were revoked; create new ones.")
        )
        return response
