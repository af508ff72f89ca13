"""Login protection (django-axes): failed sign-ins are counted per account and per address;
past ``ITSM_LOGIN_FAILURE_LIMIT`` the account or address is locked for
``ITSM_LOGIN_LOCKOUT_MINUTES``. The login page then says so (HTTP 429) instead of checking
the password; API requests with a bad token count as failures of their address and get the
API's error shape with code ``throttled``.
"""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _


def lockout_message() -> str:
    minutes = max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))
    return _(
        "Too many failed sign-in attempts for this account or from this address. "
        "Try again in {minutes} minutes, or ask an administrator to unlock it."
    ).format(minutes=minutes)


def lockout_response(request, original_response=None, credentials=None):
    """``AXES_LOCKOUT_CALLABLE``: the login page with the lockout message, or an API error."""
    if request.path.startswith("/api/"):
        from itsm.core.api.errors import error_body

        return JsonResponse(error_body("throttled", lockout_message()), status=429)
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    context = {
        "form": AuthenticationForm(request, initial={"username": username[:150]}),
        "lockout_message": lockout_message(),
        "next": request.POST.get("next") or request.GET.get("next", ""),
    }
    return render(request, "registration/login.html", context, status=429)


class LoginProtectionBackend(AxesStandaloneBackend):
    """django-axes' backend, first in ``AUTHENTICATION_BACKENDS``: refuses a locked account or
    address before any password is checked. A sign-in always carries its request (login
    page, admin); an ``authenticate()`` call without one is a programmatic check (a test
    client's ``login()``, a management command) and is left to the other backends."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
