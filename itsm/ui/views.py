"""Views of the UI shell: dashboard and language switch."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import render, resolve_url
from django.utils import timezone, translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from itsm.core import services
from itsm.ui import selectors


@login_required
def dashboard(request):
    """Each role's work as counts linking to the filtered lists (``selectors.work_cards``);
    customers see their own services and SLA figures; administrators the platform's health."""
    user = request.user
    today = timezone.localdate()
    admin_cards = selectors.admin_cards(user)
    context = {
        "work_cards": selectors.work_cards(user, today=today),
        "customer_cards": selectors.customer_cards(user, today=today),
        "admin_cards": admin_cards,
        "chart": selectors.users_per_organisation(user) if admin_cards else None,
        "outbox": selectors.outbox_counts(user),
        "unconfirmed_years": selectors.unconfirmed_years(user, today),
    }
    return render(request, "ui/dashboard.html", context)


@require_POST
def set_language(request):
    """Switch the interface language: saved on the user when signed in, always in the cookie."""
    language = request.POST.get("language", "")
    if language not in dict(settings.LANGUAGES):
        return HttpResponseBadRequest(_("Unknown language."))
    if request.user.is_authenticated:
        services.set_language(request.user, language=language)
    next_url = request.POST.get("next") or request.META.get("HTTP_REFERER") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = resolve_url(settings.LOGIN_REDIRECT_URL)
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    translation.activate(language)
    return response
