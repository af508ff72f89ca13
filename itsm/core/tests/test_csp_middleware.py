"""The Content-Security-Policy middleware (``core.middleware``): the settings' header, built
once, is what django-csp builds for an answer the view left alone; an answer with its own
policy, a nonce, a report-only policy or ``DEBUG`` gets django-csp's own answer."""

from __future__ import annotations

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY, NONCE
from csp.decorators import csp_exempt, csp_update
from csp.exceptions import CSPNonceError
from csp.middleware import CSPMiddleware
from csp.utils import build_policy
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from itsm.core.middleware import ContentSecurityPolicyMiddleware


def _answer(view, middleware_class=ContentSecurityPolicyMiddleware, path="/"):
    request = RequestFactory().get(path)
    return request, middleware_class(view)(request)


def _rules(response) -> set[str]:
    """The rules of the answer's policy (django-csp writes them in no fixed order)."""
    return set(response[HEADER].split("; "))


def _plain(request):
    return HttpResponse("ok")


def test_a_plain_answer_gets_the_settings_policy():
    request, response = _answer(_plain)
    assert response[HEADER] == build_policy() == _answer(_plain, CSPMiddleware)[1][HEADER]
    assert "script-src 'self'" in response[HEADER]
    with pytest.raises(CSPNonceError):  # as django-csp: no nonce once the header is written
        str(request.csp_nonce)


def test_a_view_with_its_own_policy_or_a_nonce_gets_django_csps_answer():
    updated = csp_update({"style-src-elem": ["'unsafe-inline'"]})(_plain)
    assert _answer(updated)[1][HEADER] == _answer(updated, CSPMiddleware)[1][HEADER]
    assert "style-src-elem 'self' 'unsafe-inline'" in _answer(updated)[1][HEADER]
    assert HEADER not in _answer(csp_exempt()(_plain))[1]

    def with_nonce(request):
        return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")

    with_nonces = {"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'", NONCE]}}
    with override_settings(CONTENT_SECURITY_POLICY=with_nonces):
        assert _rules(_answer(_plain)[1]) == {"default-src 'self'", "script-src 'self'"}
        response = _answer(with_nonce)[1]
        nonce = response.content.decode().split("'")[1]
        assert _rules(response) == {"default-src 'self'", f"script-src 'self' 'nonce-{nonce}'"}

    def own_header(request):
        response = HttpResponse("ok")
        response[HEADER] = "default-src 'none'"
        return response

    assert _answer(own_header)[1][HEADER] == "default-src 'none'"


def test_a_changed_setting_is_read_again():
    before = _answer(_plain)[1][HEADER]
    report_only = {"DIRECTIVES": {"default-src": ["'self'"], "report-uri": "/csp/"}}
    with override_settings(CONTENT_SECURITY_POLICY_REPORT_ONLY=report_only):
        response = _answer(_plain)[1]
        assert response[HEADER] == before
        assert response[HEADER_REPORT_ONLY] == "default-src 'self'; report-uri /csp/"
    with override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'none'"]}}):
        assert _answer(_plain)[1][HEADER] == "default-src 'none'"
    excluded = {"EXCLUDE_URL_PREFIXES": ["/open/"], "DIRECTIVES": {"default-src": ["'self'"]}}
    with override_settings(CONTENT_SECURITY_POLICY=excluded):
        assert HEADER not in _answer(_plain, path="/open/page")[1]
        assert _answer(_plain)[1][HEADER] == "default-src 'self'"
    assert HEADER_REPORT_ONLY not in _answer(_plain)[1]
    assert _answer(_plain)[1][HEADER] == before
