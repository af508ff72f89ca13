"""Attachments leave only through here: the row is read through the user's restriction
(customers never reach internal files or other organisations'), served as a download with
``nosniff`` and a sandboxing CSP, so a browser never renders uploaded HTML or script in our
origin."""

from __future__ import annotations

from urllib.parse import quote

from django.http import Http404, HttpResponse

from itsm.desk import selectors


def attachment_response(request, pk: int) -> HttpResponse:
    row = selectors.attachments_for(request.user).defer(None).filter(pk=pk).first()
    if row is None:
        raise Http404
    response = HttpResponse(bytes(row.content), content_type="application/octet-stream")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(row.name)}"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
