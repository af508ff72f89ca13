"""Organisations, people, roles and teams (X-01, X-02)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar, cast

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import OrganisationKind, Role
from itsm.core.formatting import validate_time_zone
from itsm.core.models.base import DomainHistoricalRecords, DomainModel, TimeStampedModel
from itsm.core.policy import ADMIN_ONLY, ModelPolicy
from itsm.core.querysets import RestrictedQuerySet


class Organisation(DomainModel):
    """The provider (exactly one), a customer (需方) or a supplier (供方) organisation."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    notes = models.TextField(_("notes"), blank=True)

    # the provider's notes about an organisation are not shown to its own people
    policy = ModelPolicy(
        tenant_field="id", supplier_field="id", internal_fields=("notes",), **ADMIN_ONLY
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(kind="provider"),
                name="core_single_provider",
            )
        ]

    def __str__(self) -> str:
        return self.name


if TYPE_CHECKING:
    _UserManagerBase = UserManager["User"]
else:
    _UserManagerBase = UserManager


class RestrictedUserManager(_UserManagerBase):
    """Django's user manager whose querysets have ``.restrict(user, action)``."""

    _queryset_class = RestrictedQuerySet

    def get_queryset(self) -> RestrictedQuerySet[User]:
        # BaseManager.get_queryset builds a _queryset_class
        return cast("RestrictedQuerySet[User]", super().get_queryset())

    def restrict(self, user, action: str = "view") -> RestrictedQuerySet[User]:
        return self.get_queryset().restrict(user, action)


class User(AbstractUser):
    """A person. Belongs to exactly one organisation; holds any number of roles."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="users",
        null=True,
        blank=True,
    )
    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=[("zh-hans", "简体中文"), ("en", "English")],
        default="zh-hans",
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_(
            "IANA name such as Asia/Shanghai; empty: the installation's time zone. "
            "Every time is shown in it."
        ),
    )
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    history = DomainHistoricalRecords(excluded_fields=["password", "last_login"])

    objects: ClassVar[RestrictedUserManager] = RestrictedUserManager()

    policy = ModelPolicy(tenant_field="organisation", supplier_field="organisation", **ADMIN_ONLY)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def roles(self) -> frozenset[str]:
        """The user's role codes, loaded once per instance."""
        cached = getattr(self, "_roles_cache", None)
        if cached is None:
            if self.pk is None:
                return frozenset()
            prefetched = getattr(self, "_prefetched_objects_cache", {}).get("role_assignments")
            if prefetched is not None:  # lists prefetch roles: no query per row
                cached = frozenset(a.role for a in prefetched)
            else:
                cached = frozenset(self.role_assignments.values_list("role", flat=True))
            self._roles_cache = cached
        return cached

    def keep_roles(self, roles: Iterable[str | None]) -> None:
        """Keep *roles*, read with the user by another statement, as :attr:`roles`, so that
        it queries nothing (a ``None`` — a LEFT JOIN's row of a user without any role — is
        not a role)."""
        self._roles_cache = frozenset(role for role in roles if role)

    def has_role(self, *roles: str) -> bool:
        return self.is_superuser or bool(self.roles.intersection(roles))

    @property
    def organisation_kind(self) -> str | None:
        return self.organisation.kind if self.organisation else None


class RoleAssignment(TimeStampedModel):
    """One role held by one user (X-02: several roles per person)."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="role_assignments"
    )
    role = models.CharField(_("role"), max_length=40, choices=Role.choices)
    history = DomainHistoricalRecords()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role"], name="core_unique_user_role")
        ]

    def __str__(self) -> str:
        return f"{self.user} – {self.get_role_display()}"


class Team(DomainModel):
    """An assignment group (派单对象), e.g. desktop, server, network, database, application."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="teams",
        limit_choices_to={"kind": OrganisationKind.PROVIDER},
    )
    leader = models.ForeignKey(
        User,
        verbose_name=_("leader"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_teams",
    )
    members = models.ManyToManyField(
        User, verbose_name=_("members"), related_name="teams", blank=True
    )
    email = models.EmailField(_("e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    # Teams belong to the provider: customer and supplier users do not see them.
    policy = ModelPolicy(tenant_field=None, **ADMIN_ONLY)

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
