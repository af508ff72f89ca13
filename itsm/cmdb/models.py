"""CMDB records: classes with typed attributes, configuration items, typed relations, and
configuration audits against discovery snapshots (R-CMDB-01…06)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from itsm.cmdb.choices import (
    AUDIT_MACHINE,
    CI_MACHINE,
    CMDB_WRITERS,
    AttributeType,
    AuditStatus,
    CIStatus,
    Criticality,
    DifferenceDecision,
    DifferenceKind,
)
from itsm.core.models import DomainModel, Organisation
from itsm.core.policy import ADMIN, STAFF, ModelPolicy


class BilingualNameMixin(models.Model):
    """Names entered by administrators in both languages; ``label`` picks the active one."""

    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        language = get_language() or ""
        if language.startswith("zh"):
            return self.name_zh or self.name_en
        return self.name_en or self.name_zh


class CIClass(BilingualNameMixin, DomainModel):
    """A kind of configuration item (server, database, business service, SLA …) with its own
    attribute definitions. Built-in classes are seeded; administrators may add more."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    description = models.TextField(_("description"), blank=True)
    icon = models.CharField(_("icon"), max_length=40, blank=True)
    is_hardware = models.BooleanField(
        _("hardware"),
        default=False,
        help_text=_("Physical equipment that can be backed by the spare-parts store."),
    )
    is_business_service = models.BooleanField(
        _("business service"),
        default=False,
        help_text=_("CIs of this class are business services counted in impact analysis."),
    )
    is_agreement = models.BooleanField(
        _("agreement"),
        default=False,
        help_text=_("CIs of this class are agreements (SLA, OLA, UC) counted in impact analysis."),
    )
    is_builtin = models.BooleanField(_("built-in"), default=False, editable=False)
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    policy = ModelPolicy(add=CMDB_WRITERS, change=CMDB_WRITERS, delete=ADMIN)

    class Meta:
        verbose_name = _("CI class")
        verbose_name_plural = _("CI classes")
        ordering = ("order", "code")


class AttributeDefinition(BilingualNameMixin, DomainModel):
    """One typed attribute of a CI class; CI values live in ``ConfigurationItem.attributes``
    and are validated against these definitions on every write (``services``)."""

    ci_class = models.ForeignKey(
        CIClass,
        verbose_name=_("CI class"),
        on_delete=models.CASCADE,
        related_name="attribute_definitions",
    )
    key = models.SlugField(_("key"), max_length=40)
    type = models.CharField(_("type"), max_length=20, choices=AttributeType.choices)
    required = models.BooleanField(_("required"), default=False)
    choices = models.JSONField(
        _("choices"), default=list, blank=True, help_text=_("Allowed values of a choice.")
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    min_value = models.DecimalField(
        _("minimum"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    max_value = models.DecimalField(
        _("maximum"), max_digits=20, decimal_places=4, null=True, blank=True
    )
    order = models.PositiveSmallIntegerField(_("order"), default=100)

    policy = ModelPolicy(add=CMDB_WRITERS, change=CMDB_WRITERS, delete=CMDB_WRITERS)

    class Meta:
        verbose_name = _("attribute definition")
        verbose_name_plural = _("attribute definitions")
        ordering = ("ci_class", "order", "key")
        constraints = [
            models.UniqueConstraint(fields=["ci_class", "key"], name="cmdb_attribute_key_unique")
        ]


class ConfigurationItem(DomainModel):
    """A configuration item. ``customer`` empty means shared infrastructure (provider-owned,
    serving several customers): customer users never see its details."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    # no index of its own on ci_class or customer: the composite indexes below lead with them
    # and serve every lookup by the key (filters, PROTECT's check); each index more is one more
    # to write on every create and one more lock for every query that plans on this table
    ci_class = models.ForeignKey(
        CIClass,
        verbose_name=_("class"),
        on_delete=models.PROTECT,
        related_name="items",
        db_index=False,
    )
    identifier = models.CharField(
        _("identifier"),
        max_length=200,
        blank=True,
        help_text=_("Asset tag, serial number or host name that discovery tools report."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CIStatus.choices, default=CIStatus.PLANNED
    )
    criticality = models.CharField(
        _("criticality"), max_length=20, choices=Criticality.choices, default=Criticality.MEDIUM
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_cis",
    )
    customer = models.ForeignKey(
        Organisation,
        verbose_name=_("customer"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="cis",
        help_text=_("Leave empty for shared infrastructure."),
        db_index=False,
    )
    supplier = models.ForeignKey(
        Organisation,
        verbose_name=_("supplier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supplied_cis",
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    change_reference = models.CharField(
        _("authorising change"),
        max_length=40,
        blank=True,
        help_text=_("The change record that authorised this modification (e.g. CHG-000042)."),
    )

    policy = ModelPolicy(
        add=CMDB_WRITERS,
        change=CMDB_WRITERS,
        delete=ADMIN,
        tenant_field="customer",
        supplier_field="supplier",
        shared_if_unowned=True,  # a CI without a customer is shared infrastructure
    )
    state_machine = CI_MACHINE

    class Meta:
        verbose_name = _("configuration item")
        verbose_name_plural = _("configuration items")
        # The CI list (page and API) pages by keyset on (sort value, id): every column it sorts
        # on has a (column, id) index, walked in either direction while the filters are
        # checked row by row; a selective filter is served by an index that leads with its
        # column (the (class|customer, …, id) and (status|criticality, id) ones below) and the
        # few rows it finds are sorted (docs/architecture.md, "Record lists"). Text search
        # (?q=) has its own indexes, made by migration 0003 for the engine at hand (PostgreSQL
        # pg_trgm GIN, SQLite FTS5 trigram); itsm/cmdb/tests/test_list_plans.py checks the
        # plans of every filter and sort.
        indexes = [
            # class + status (+ criticality): the page of all three in id order, and their
            # capped count read from the index alone (no heap page per row: 25-42 -> 2 ms at
            # 1 000 000 CIs); class + status alone is served by its prefix (the rows sorted)
            # or, when common, by the id walk
            models.Index(
                fields=["ci_class", "status", "criticality", "id"],
                name="cmdb_ci_class_status_crit",
            ),
            # a class sorted by name: host names often start with their class ("vm-…"), so
            # the (name, id) walk would pass every other class first
            models.Index(fields=["ci_class", "name", "id"], name="cmdb_ci_class_name_id"),
            models.Index(fields=["customer", "name", "id"], name="cmdb_ci_customer_name_id"),
            models.Index(fields=["customer", "id"], name="cmdb_ci_customer_id"),
            # a customer's rows by status (+ criticality): as (class, status, criticality, id)
            models.Index(
                fields=["customer", "status", "criticality", "id"],
                name="cmdb_ci_customer_status_crit",
            ),
            models.Index(
                fields=["customer", "criticality", "id"], name="cmdb_ci_customer_criticality"
            ),
            models.Index(fields=["name", "id"], name="cmdb_ci_name_id"),
            models.Index(fields=["identifier", "id"], name="cmdb_ci_identifier_id"),
            models.Index(fields=["status", "id"], name="cmdb_ci_status_id"),
            models.Index(fields=["criticality", "id"], name="cmdb_ci_criticality_id"),
            models.Index(fields=["location", "id"], name="cmdb_ci_location_id"),
            models.Index(fields=["updated_at", "id"], name="cmdb_ci_updated_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["identifier"],
                condition=~Q(identifier=""),
                name="cmdb_ci_identifier_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class RelationType(DomainModel):
    """A directed relation kind. ``source depends on target`` in impact terms: when the target
    fails, the source is impacted (an application *runs on* a VM). Empty class lists mean any
    class may take that end."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=60)
    name_en = models.CharField(_("name (English)"), max_length=60)
    reverse_zh = models.CharField(_("reverse name (Chinese)"), max_length=60)
    reverse_en = models.CharField(_("reverse name (English)"), max_length=60)
    source_classes = models.ManyToManyField(
        CIClass, verbose_name=_("allowed source classes"), blank=True, related_name="+"
    )
    target_classes = models.ManyToManyField(
        CIClass, verbose_name=_("allowed target classes"), blank=True, related_name="+"
    )
    is_builtin = models.BooleanField(_("built-in"), default=False, editable=False)

    policy = ModelPolicy(add=CMDB_WRITERS, change=CMDB_WRITERS, delete=ADMIN)

    class Meta:
        verbose_name = _("relation type")
        verbose_name_plural = _("relation types")
        ordering = ("code",)

    def _pick(self, zh: str, en: str) -> str:
        return zh if (get_language() or "").startswith("zh") else en

    @property
    def label(self) -> str:
        return self._pick(self.name_zh, self.name_en)

    @property
    def reverse_label(self) -> str:
        return self._pick(self.reverse_zh, self.reverse_en)

    def __str__(self) -> str:
        return self.label


class Relation(DomainModel):
    """``source`` —type→ ``target``; duplicates (same pair and type) are refused, cycles are
    allowed (impact analysis handles them)."""

    #: a CI's relations as of a date are read from history by either end (``cmdb.selectors``)
    history_indexed = ("source", "target")

    # no index of their own: the unique (source, target, type) and the (target, source, type)
    # indexes lead with them (migration 0010)
    source = models.ForeignKey(
        ConfigurationItem,
        verbose_name=_("source"),
        on_delete=models.CASCADE,
        related_name="outgoing",
        db_index=False,
    )
    target = models.ForeignKey(
        ConfigurationItem,
        verbose_name=_("target"),
        on_delete=models.CASCADE,
        related_name="incoming",
        db_index=False,
    )
    type = models.ForeignKey(
        RelationType, verbose_name=_("type"), on_delete=models.PROTECT, related_name="relations"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    change_reference = models.CharField(_("authorising change"), max_length=40, blank=True)

    policy = ModelPolicy(
        add=CMDB_WRITERS, change=CMDB_WRITERS, delete=CMDB_WRITERS, tenant_field="source__customer"
    )

    class Meta:
        verbose_name = _("relation")
        verbose_name_plural = _("relations")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "type"], name="cmdb_relation_unique"
            )
        ]
        indexes = [
            models.Index(fields=["target", "source", "type"], name="cmdb_relation_target_type")
        ]

    def __str__(self) -> str:
        return f"{self.source_id} -{self.type_id}-> {self.target_id}"


class ConfigurationAudit(DomainModel):
    """One verification of the CMDB against a discovery snapshot (配置审计, R-CMDB-05)."""

    number = models.CharField(_("number"), max_length=20, unique=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    source_name = models.CharField(_("snapshot file"), max_length=200, blank=True)
    scope_class = models.ForeignKey(
        CIClass,
        verbose_name=_("class checked"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Leave empty to check every class present in the snapshot."),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=AuditStatus.choices, default=AuditStatus.OPEN
    )
    checked_count = models.PositiveIntegerField(_("CIs checked"), default=0)
    matched_count = models.PositiveIntegerField(_("CIs matching"), default=0)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("performed by"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    policy = ModelPolicy(view=STAFF, add=CMDB_WRITERS, change=CMDB_WRITERS, delete=ADMIN)
    state_machine = AUDIT_MACHINE

    class Meta:
        verbose_name = _("configuration audit")
        verbose_name_plural = _("configuration audits")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def accuracy(self) -> float | None:
        """Configuration accuracy KPI: CIs that match / CIs checked (None when none checked)."""
        if not self.checked_count:
            return None
        return self.matched_count / self.checked_count


class AuditDifference(DomainModel):
    """A difference found by an audit, accepted (CMDB updated, with history) or rejected."""

    audit = models.ForeignKey(
        ConfigurationAudit,
        verbose_name=_("audit"),
        on_delete=models.CASCADE,
        related_name="differences",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=DifferenceKind.choices)
    ci = models.ForeignKey(
        ConfigurationItem,
        verbose_name=_("configuration item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    identifier = models.CharField(_("identifier"), max_length=200, blank=True)
    name = models.CharField(_("name"), max_length=200, blank=True)
    class_code = models.CharField(_("class"), max_length=40, blank=True)
    attribute = models.CharField(_("attribute"), max_length=60, blank=True)
    cmdb_value = models.JSONField(_("CMDB value"), null=True, blank=True)
    discovered_value = models.JSONField(_("discovered value"), null=True, blank=True)
    decision = models.CharField(
        _("decision"),
        max_length=20,
        choices=DifferenceDecision.choices,
        default=DifferenceDecision.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    policy = ModelPolicy(view=STAFF, add=CMDB_WRITERS, change=CMDB_WRITERS, delete=ADMIN)

    class Meta:
        verbose_name = _("audit difference")
        verbose_name_plural = _("audit differences")
        ordering = ("audit", "kind", "id")
