"""Records of event management (集中监控, R-EVT): alert sources with their secret, rules that
map alerts to CIs and services and decide what happens, the monitoring points of seed 000
§3.5, and the alerts received.

The only writer is ``itsm.events.services``. An alert is stored once per (source,
fingerprint, start): every further delivery of it is one UPDATE of its count and last-seen
time. Alerts carry no field history (a hot write path: a repeat is a counter, not an edit).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from itsm.core.models import DomainModel, Organisation
from itsm.core.models.base import TimeStampedModel
from itsm.core.policy import ANYONE, STAFF, ModelPolicy
from itsm.core.querysets import RestrictedQuerySet
from itsm.events.choices import (
    ALERT_MACHINE,
    DEFAULT_PRIORITY_MAP,
    EVENT_MANAGERS,
    AlertStatus,
    AuthMethod,
    CIMatch,
    PointCategory,
    RecoveryAction,
    RuleAction,
    Severity,
    SourceKind,
)


def _default_priority_map() -> dict:
    return dict(DEFAULT_PRIORITY_MAP)


class AlertSource(DomainModel):
    """A monitoring system that posts alerts to its own endpoint with its own secret: a bearer
    token (only its SHA-256 is kept) or an HMAC-SHA256 key (kept: the signature is computed
    again for every delivery)."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=SourceKind.choices)
    auth = models.CharField(
        _("authentication"), max_length=10, choices=AuthMethod.choices, default=AuthMethod.BEARER
    )
    token_hash = models.CharField(_("token hash"), max_length=64, blank=True, editable=False)
    hmac_key = models.CharField(_("HMAC key"), max_length=128, blank=True, editable=False)
    is_active = models.BooleanField(_("active"), default=True)
    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The customer of the incidents when the CI has none."),
    )
    default_service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("default service"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    default_ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        verbose_name=_("default configuration item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.TextField(_("note"), blank=True)

    # provider-owned configuration: customers never see sources
    policy = ModelPolicy(
        view=STAFF,
        add=EVENT_MANAGERS,
        change=EVENT_MANAGERS,
        delete=EVENT_MANAGERS,
        internal_fields=("token_hash", "hmac_key"),
    )

    class Meta:
        verbose_name = _("alert source")
        verbose_name_plural = _("alert sources")
        ordering = ("name", "id")

    def __str__(self) -> str:
        return self.name


class MonitoringPoint(DomainModel):
    """A monitoring point (监控点) of the seed 000 §3.5 catalogue: what is watched on which CI,
    with its warning and critical thresholds; an alert names the point that fired by its
    ``alertname`` (or a ``monitoring_point`` label holding the code)."""

    code = models.CharField(_("code"), max_length=40, unique=True)
    category = models.CharField(_("category"), max_length=20, choices=PointCategory.choices)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        verbose_name=_("configuration item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    alertname = models.CharField(
        _("alert name"),
        max_length=100,
        blank=True,
        help_text=_("The alertname label (or Zabbix trigger name) this point fires as."),
    )
    metric = models.CharField(_("metric"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    warning_threshold = models.DecimalField(
        _("warning threshold"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    critical_threshold = models.DecimalField(
        _("critical threshold"), max_digits=14, decimal_places=3, null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)
    note = models.TextField(_("note"), blank=True)

    policy = ModelPolicy(
        view=STAFF, add=EVENT_MANAGERS, change=EVENT_MANAGERS, delete=EVENT_MANAGERS
    )

    class Meta:
        verbose_name = _("monitoring point")
        verbose_name_plural = _("monitoring points")
        ordering = ("category", "code")
        indexes = [models.Index(fields=["alertname", "ci"], name="events_point_alertname")]

    def __str__(self) -> str:
        return f"{self.code} {self.label}"

    @property
    def label(self) -> str:
        if (get_language() or "").startswith("zh"):
            return self.name_zh or self.name_en
        return self.name_en or self.name_zh


class AlertRule(DomainModel):
    """What to do with an alert (R-EVT-02), the first active rule in ``position`` order whose
    labels all match: which CI (by a label's value) and service it concerns, whether it opens
    an incident, joins the open one or is only recorded, the priority for each severity,
    flapping detection and what a recovery does."""

    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    source = models.ForeignKey(
        AlertSource,
        verbose_name=_("source"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="rules",
        help_text=_("Empty: alerts of every source."),
    )
    match_labels = models.JSONField(
        _("matching labels"),
        default=dict,
        blank=True,
        help_text=_(
            'Label → value that an alert must all carry, e.g. {"env": "prod"}; a value '
            '"*" only asks that the label be present. Empty: every alert.'
        ),
    )
    ci_label = models.CharField(
        _("CI label"),
        max_length=60,
        default="instance",
        blank=True,
        help_text=_("The label (or Zabbix tag, or host) whose value finds the CI."),
    )
    ci_match = models.CharField(
        _("CI found by"), max_length=20, choices=CIMatch.choices, default=CIMatch.IDENTIFIER
    )
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        verbose_name=_("configuration item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("When given, every matching alert concerns this CI."),
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    action = models.CharField(
        _("action"), max_length=20, choices=RuleAction.choices, default=RuleAction.OPEN_INCIDENT
    )
    priority_map = models.JSONField(
        _("priority by severity"),
        default=_default_priority_map,
        blank=True,
        help_text=_('Severity → priority, e.g. {"critical": "p1", "warning": "p3"}.'),
    )
    flap_changes = models.PositiveIntegerField(
        _("flapping: state changes"),
        default=4,
        help_text=_(
            "This many firings and recoveries of one alert within the minutes below "
            "mark it flapping: one incident, not resolved by a recovery. 0: off."
        ),
    )
    flap_minutes = models.PositiveIntegerField(_("flapping: within minutes"), default=30)
    on_recovery = models.CharField(
        _("on recovery"),
        max_length=20,
        choices=RecoveryAction.choices,
        default=RecoveryAction.AUTO_RESOLVE,
    )

    policy = ModelPolicy(
        view=STAFF, add=EVENT_MANAGERS, change=EVENT_MANAGERS, delete=EVENT_MANAGERS
    )

    class Meta:
        verbose_name = _("alert rule")
        verbose_name_plural = _("alert rules")
        ordering = ("position", "id")

    def __str__(self) -> str:
        return self.name


class Alert(TimeStampedModel):
    """An alert received (告警): one row per (source, fingerprint, start), whatever the number
    of deliveries (``repeat_count``, ``last_seen``). It shows the CI, service and monitoring
    point it concerns, the incident it opened or joined, and whether it was suppressed (a
    maintenance window or an approved change on the CI) or is flapping."""

    source = models.ForeignKey(
        AlertSource, verbose_name=_("source"), on_delete=models.CASCADE, related_name="alerts"
    )
    fingerprint = models.CharField(_("fingerprint"), max_length=128)
    starts_at = models.DateTimeField(_("started"))
    ends_at = models.DateTimeField(_("ended"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=AlertStatus.choices, default=AlertStatus.FIRING
    )
    alertname = models.CharField(_("alert name"), max_length=200, blank=True)
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.WARNING
    )
    labels = models.JSONField(_("labels"), default=dict, blank=True)
    annotations = models.JSONField(_("annotations"), default=dict, blank=True)
    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ci = models.ForeignKey(
        "cmdb.ConfigurationItem",
        verbose_name=_("configuration item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    service = models.ForeignKey(
        "catalog.Service",
        verbose_name=_("service"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    monitoring_point = models.ForeignKey(
        MonitoringPoint,
        verbose_name=_("monitoring point"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="alerts",
    )
    rule = models.ForeignKey(
        AlertRule,
        verbose_name=_("rule"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    ticket = models.ForeignKey(
        "desk.Ticket",
        verbose_name=_("incident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    repeat_count = models.PositiveIntegerField(_("deliveries"), default=1)
    last_seen = models.DateTimeField(_("last seen"))
    suppressed = models.BooleanField(_("suppressed"), default=False)
    suppression_reason = models.CharField(_("suppression reason"), max_length=300, blank=True)
    flapping = models.BooleanField(_("flapping"), default=False)
    outcome = models.CharField(
        _("outcome"),
        max_length=300,
        blank=True,
        help_text=_("What was done with the alert, or why no incident was opened."),
    )

    objects = RestrictedQuerySet.as_manager()

    # customers see the alerts of their own CIs, without the monitoring internals
    policy = ModelPolicy(
        view=ANYONE,
        add=frozenset(),
        change=frozenset(),
        delete=frozenset(),
        tenant_field="customer",
        internal_fields=("labels", "annotations", "rule", "source", "outcome"),
    )
    state_machine = ALERT_MACHINE

    class Meta:
        verbose_name = _("alert")
        verbose_name_plural = _("alerts")
        ordering = ("-id",)
        constraints = [
            models.UniqueConstraint(
                fields=["source", "fingerprint", "starts_at"], name="events_alert_once"
            )
        ]
        indexes = [
            models.Index(fields=["status", "id"], name="events_alert_status"),
            models.Index(fields=["customer", "id"], name="events_alert_customer"),
            models.Index(fields=["ci", "id"], name="events_alert_ci"),
            models.Index(fields=["last_seen", "id"], name="events_alert_last_seen"),
        ]

    def __str__(self) -> str:
        return self.summary or self.alertname or self.fingerprint
