"""Services of event management (集中监控, R-EVT) — the only writers of its records.

- ``config``: alert sources (their secret made here and shown once), rules, monitoring points,
  and the authentication of a delivery;
- ``intake``: :func:`ingest`, one transaction per delivery — known alerts counted by one
  UPDATE, new ones matched (rule, CI, service, monitoring point, suppression in a maintenance
  window or an approved change, flapping) and stored by one INSERT, and only new firing alerts
  and recoveries taken to the incident (opened, joined, annotated or resolved through
  ``desk.services`` by the monitoring user);
- ``effects``: the outage of an alert's incident (``availability.services``) and the capacity
  samples of the values alerts carry (``capacity.services``).
"""

from __future__ import annotations

from itsm.events.services.config import (
    POINT_EDITABLE,
    RULE_EDITABLE,
    SIGNATURE_HEADER,
    SOURCE_EDITABLE,
    authenticate,
    create_point,
    create_rule,
    create_source,
    delete_point,
    delete_rule,
    delete_source,
    renew_secret,
    update_point,
    update_rule,
    update_source,
)
from itsm.events.services.effects import record_values, value_of
from itsm.events.services.intake import (
    MONITORING_USERNAME,
    IngestResult,
    ingest,
    monitoring_user,
)

__all__ = [
    "MONITORING_USERNAME",
    "POINT_EDITABLE",
    "RULE_EDITABLE",
    "SIGNATURE_HEADER",
    "SOURCE_EDITABLE",
    "IngestResult",
    "authenticate",
    "create_point",
    "create_rule",
    "create_source",
    "delete_point",
    "delete_rule",
    "delete_source",
    "ingest",
    "monitoring_user",
    "record_values",
    "renew_secret",
    "update_point",
    "update_rule",
    "update_source",
    "value_of",
]
