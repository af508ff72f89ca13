"""``Idempotency-Key`` on API creates (X-07, DESIGN rule 6).

Same user + key + path + same body → the stored response is replayed (no second record);
same key with a different body → 422 ``idempotency_key_reused``. The record is written in the
same transaction as the created row, so a crash leaves either both or neither.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from itsm.core.errors import Unprocessable, ValidationFailed
from itsm.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 200


def _digest(data) -> str:
    if hasattr(data, "lists"):
        data = {key: values for key, values in data.lists()}
    payload = json.dumps(data, sort_keys=True, cls=JSONEncoder, ensure_ascii=False)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


if TYPE_CHECKING:
    from rest_framework.mixins import CreateModelMixin as _CreateBase
else:
    _CreateBase = object


class IdempotentCreateMixin(_CreateBase):
    def create(self, request, *args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return super().create(request, *args, **kwargs)
        key = key.strip()
        if not key or len(key) > MAX_KEY_LENGTH:
            raise ValidationFailed(
                fields={HEADER: [str(_("Must be 1 to {n} characters.")).format(n=MAX_KEY_LENGTH)]}
            )
        digest = _digest(request.data)
        replay = self._replay(request, key, digest)
        if replay is not None:
            return replay
        try:
            with transaction.atomic():
                response = super().create(request, *args, **kwargs)
                body = json.loads(json.dumps(response.data, cls=JSONEncoder))
                IdempotencyRecord.objects.create(
                    user=request.user,
                    key=key,
                    path=request.path,
                    request_hash=digest,
                    status_code=response.status_code,
                    response_body=body,
                )
        except IntegrityError:
            # A concurrent request with the same key committed first: answer as it did.
            replay = self._replay(request, key, digest)
            if replay is None:
                raise
            return replay
        return response

    def _replay(self, request, key: str, digest: str) -> Response | None:
        record = IdempotencyRecord.objects.filter(
            user=request.user, key=key, path=request.path
        ).first()
        if record is None:
            return None
        if record.request_hash != digest:
            raise Unprocessable(
                _("This Idempotency-Key was already used with a different request body."),
                code="idempotency_key_reused",
                fields={HEADER: [str(_("Already used with a different body."))]},
            )
        response = Response(record.response_body, status=record.status_code)
        response["Idempotent-Replayed"] = "true"
        return response
