"""Services of the core app: the only writers of organisations, users, roles and teams,
and the shared helpers every domain service uses (versioned save, transitions)."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from itsm.core.choices import CUSTOMER_ROLES, SUPPLIER_ROLES, OrganisationKind, Role
from itsm.core.errors import Conflict, ValidationFailed
from itsm.core.models import Organisation, RoleAssignment, Team, User
from itsm.core.statemachine import ensure_transition
from itsm.core.timeline import record_event


def set_actor(obj, by) -> None:
    """Name *by* as the author of *obj*'s next field-history row (django-simple-history).

    The history middleware only knows the user of a web request; a service also runs from the
    API with token authentication, the worker, imports and the demo, so it names its actor
    itself before saving."""
    if getattr(by, "pk", None):
        obj._history_user = by


def given_relations(obj) -> list[str]:
    """The foreign keys of *obj* set to a model instance (a row the serializer, form or service
    has already read), whose existence ``full_clean`` need not look up again: the database's
    foreign-key constraint stays the final guard against a row deleted meanwhile. A key with
    ``limit_choices_to`` or validators of its own is still checked (its lookup tests the limit)."""
    return [
        field.name
        for field in type(obj)._meta.concrete_fields
        if field.many_to_one
        and getattr(obj, field.attname) is not None
        and field.is_cached(obj)
        and not field.get_limit_choices_to()
        and not field.validators
    ]


def clean_record(obj, *, exclude: Iterable[str] = (), checked: Iterable[str] = ()) -> None:
    """``obj.full_clean()`` without the queries whose answer the caller already has.

    Every field's own checks (required, length, choices, validators) and ``obj.clean()`` run as
    in ``full_clean``; but foreign keys set to instances (:func:`given_relations`) are not
    looked up again, and the fields in *checked* — which the service has validated itself
    (e.g. a unique identifier looked up with a message naming the other record, a number from
    ``core.numbering``) — are left out of the unique and constraint checks, which would query
    them a second time. The fields in *exclude* are not validated at all (Django's meaning).
    The database's constraints remain the final guard. Raises Django's ``ValidationError``.
    """
    exclude = set(exclude)
    errors: dict = {}
    try:
        obj.clean_fields(exclude=exclude | set(given_relations(obj)))
    except DjangoValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        obj.clean()
    except DjangoValidationError as error:
        errors = error.update_error_dict(errors)
    skip = exclude | set(checked) | {name for name in errors if name != NON_FIELD_ERRORS}
    try:
        obj.validate_unique(exclude=skip)
    except DjangoValidationError as error:
        errors = error.update_error_dict(errors)
    try:
        obj.validate_constraints(exclude=skip)
    except DjangoValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise DjangoValidationError(errors)


def save_versioned(
    obj,
    *,
    expected_version: int | None,
    update_fields: list[str] | None = None,
    by=None,
    checked: Iterable[str] = (),
):
    """Save *obj* if nobody else saved it since the client read ``expected_version``.

    The row is locked (PostgreSQL ``SELECT … FOR UPDATE``; SQLite's IMMEDIATE transaction
    already holds the write lock) and its version compared; a mismatch raises ``Conflict``
    (HTTP 409) instead of silently overwriting the other edit. *by* is recorded as the author
    of the field-history row. The row is validated by :func:`clean_record` (*checked*: fields the
    service has validated itself, left out of the unique and constraint queries).
    """
    set_actor(obj, by)
    model = type(obj)
    if update_fields is not None:
        update_fields = list({*update_fields, "version", "updated_at"})
    # validated before the row is locked; no savepoint of its own: a conflict is raised after
    # the block (which has written nothing), so an enclosing transaction stays usable, and a
    # database error fails the caller's transaction as a whole
    clean_record(obj, exclude=_unchanged(obj, update_fields) or (), checked=checked)
    conflict = None
    with transaction.atomic(savepoint=False):
        current = (
            model._base_manager.select_for_update()
            .filter(pk=obj.pk)
            .values_list("version", flat=True)
        )
        current_version = current[0] if current else None
        if current_version is None:
            conflict = Conflict(_("The record no longer exists."))
        elif expected_version is not None and expected_version != current_version:
            conflict = Conflict(
                fields={
                    "version": [
                        str(_("Expected version {expected}, found {found}.")).format(
                            expected=expected_version, found=current_version
                        )
                    ]
                }
            )
        else:
            obj.version = current_version + 1
            obj.save(update_fields=update_fields)
    if conflict is not None:
        raise conflict
    return obj


def _unchanged(obj, update_fields):
    if update_fields is None:
        return None
    names = {f.name for f in type(obj)._meta.concrete_fields}
    return list(names - set(update_fields))


def transition(
    obj, target: str, *, by, note: str = "", expected_version: int | None = None, **fields
):
    """Move *obj* to *target* through its declared state machine, setting *fields* first."""
    machine = type(obj).state_machine
    with transaction.atomic():
        for name, value in fields.items():
            setattr(obj, name, value)
        source = machine.state_of(obj)
        step = ensure_transition(obj, target, by=by, machine=machine)
        setattr(obj, machine.field, target)
        save_versioned(obj, expected_version=expected_version, by=by)
        record_event(obj, step.name, by=by, note=note, data={"from": source, "to": target})
    return obj


# --- organisations, people, teams -----------------------------------------------------------


def create_organisation(
    *, code: str, name: str, kind: str, by=None, notes: str = "", is_active: bool = True
) -> Organisation:
    """Create an organisation. There is exactly one provider organisation."""
    if kind == OrganisationKind.PROVIDER and Organisation.objects.filter(kind=kind).exists():
        raise ValidationFailed(
            fields={"kind": [str(_("There is already a provider organisation."))]}
        )
    with transaction.atomic():
        org = Organisation(code=code, name=name, kind=kind, notes=notes, is_active=is_active)
        org.full_clean()
        set_actor(org, by)
        org.save()
        record_event(org, "created", by=by)
    return org


def create_user(
    *,
    username: str,
    organisation: Organisation,
    password: str | None = None,
    roles: tuple[str, ...] = (),
    email: str = "",
    display_name: str = "",
    language: str = "zh-hans",
    phone: str = "",
    is_active: bool = True,
    by=None,
    is_superuser: bool = False,
) -> User:
    """Create a user in *organisation* with *roles* (validated against its kind)."""
    _check_roles(organisation, roles)
    with transaction.atomic():
        user = User(
            username=username,
            organisation=organisation,
            email=email,
            display_name=display_name,
            language=language,
            phone=phone,
            is_active=is_active,
            is_staff=is_superuser,
            is_superuser=is_superuser,
        )
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        set_actor(user, by)
        user.save()
        set_roles(user, roles=roles, by=by)
        record_event(user, "created", by=by)
    return user


def set_roles(user: User, *, roles, by=None) -> User:
    """Replace *user*'s roles with *roles*; records what was added and removed."""
    roles = set(roles)
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationFailed(
            fields={
                "roles": [str(_("Unknown role: {role}")).format(role=", ".join(sorted(unknown)))]
            }
        )
    _check_roles(user.organisation, roles)
    with transaction.atomic():
        current = set(user.role_assignments.values_list("role", flat=True))
        for role in current - roles:
            RoleAssignment.objects.filter(user=user, role=role).delete()
        for role in sorted(roles - current):
            RoleAssignment.objects.create(user=user, role=role)
        if current != roles and by is not None:
            changes = {"added": sorted(roles - current), "removed": sorted(current - roles)}
            record_event(user, "roles_changed", by=by, data=changes)
        user.keep_roles(roles)
    return user


def _check_roles(organisation: Organisation | None, roles) -> None:
    if organisation is None:
        return
    kind = organisation.kind
    by_kind: dict[str, frozenset[Role]] = {
        OrganisationKind.CUSTOMER: CUSTOMER_ROLES,
        OrganisationKind.SUPPLIER: SUPPLIER_ROLES,
    }
    allowed = by_kind.get(kind)
    if allowed is None:  # provider: any role except customer/supplier ones
        wrong = set(roles) & (CUSTOMER_ROLES | SUPPLIER_ROLES)
    else:
        wrong = set(roles) - allowed
    if wrong:
        raise ValidationFailed(
            fields={
                "roles": [
                    str(_("Role not allowed for a {kind} organisation: {roles}")).format(
                        kind=organisation.get_kind_display(), roles=", ".join(sorted(wrong))
                    )
                ]
            }
        )


def create_team(
    *,
    code: str,
    name: str,
    organisation: Organisation,
    leader: User | None = None,
    members=(),
    email: str = "",
    by=None,
) -> Team:
    """Create an assignment group of the provider."""
    if organisation.kind != OrganisationKind.PROVIDER:
        raise ValidationFailed(
            fields={"organisation": [str(_("Teams belong to the provider organisation."))]}
        )
    with transaction.atomic():
        team = Team(code=code, name=name, organisation=organisation, leader=leader, email=email)
        team.full_clean()
        set_actor(team, by)
        team.save()
        if members:
            set_team_members(team, members=members)  # same membership rule as later edits
        record_event(team, "created", by=by)
    return team


def update_record(obj, *, by, expected_version: int | None, note: str = "", **fields):
    """Generic field update for simple reference records (organisations, teams, users)."""
    with transaction.atomic():
        for name, value in fields.items():
            setattr(obj, name, value)
        save_versioned(obj, expected_version=expected_version, by=by)
        record_event(obj, "updated", by=by, note=note, data={"fields": sorted(fields)})
    return obj


def refuse_unknown_fields(fields, allowed) -> None:
    """Raise ``ValidationFailed`` naming every field of *fields* not in *allowed* (what an
    ``update_*`` service may change): a client cannot write a field the service does not own."""
    unknown = sorted(set(fields) - set(allowed))
    if unknown:
        raise ValidationFailed(
            fields={name: [str(_("This field cannot be changed."))] for name in unknown}
        )


def _refuse_moves(obj, fields: dict, names) -> None:
    """Drop from *fields* the fixed *names* sent unchanged; refuse a change of any of them."""
    for name in names:
        if name in fields:
            value = fields.pop(name)
            if getattr(value, "pk", value) != getattr(obj, f"{name}_id", getattr(obj, name)):
                raise ValidationFailed(fields={name: [str(_("This field cannot be changed."))]})


ORGANISATION_EDITABLE = frozenset({"code", "name", "is_active", "notes"})
USER_EDITABLE = frozenset({"username", "display_name", "email", "phone", "language", "is_active"})
TEAM_EDITABLE = frozenset({"code", "name", "leader", "email", "is_active"})


def update_organisation(
    organisation: Organisation, *, by, expected_version: int | None, **fields
) -> Organisation:
    """Change an organisation's code, name, notes or active flag (its kind never changes)."""
    _refuse_moves(organisation, fields, ("kind",))
    refuse_unknown_fields(fields, ORGANISATION_EDITABLE)
    return update_record(organisation, by=by, expected_version=expected_version, **fields)


def update_user(
    user: User, *, by, expected_version: int | None, roles=None, password=None, **fields
) -> User:
    """Change a person's details; *roles* (when given) replace theirs, *password* (when given)
    is set (which revokes their API tokens). A user never moves to another organisation."""
    _refuse_moves(user, fields, ("organisation",))
    refuse_unknown_fields(fields, USER_EDITABLE)
    with transaction.atomic():
        if password:
            user.set_password(password)
        user = update_record(user, by=by, expected_version=expected_version, **fields)
        if roles is not None:
            set_roles(user, roles=roles, by=by)
    return user


def update_team(team: Team, *, by, expected_version: int | None, members=None, **fields) -> Team:
    """Change a team; *members* (when given) replace its members (provider users only)."""
    _refuse_moves(team, fields, ("organisation",))
    refuse_unknown_fields(fields, TEAM_EDITABLE)
    with transaction.atomic():
        team = update_record(team, by=by, expected_version=expected_version, **fields)
        if members is not None:
            set_team_members(team, members=members, by=by)
    return team


def set_language(user: User, *, language: str) -> User:
    """Save *user*'s interface language (one of ``settings.LANGUAGES``).

    A personal preference, so it does not bump ``version``: switching language never turns an
    administrator's concurrent edit of the same user into a conflict. The field history still
    records the change.
    """
    from django.conf import settings

    if language not in dict(settings.LANGUAGES):
        raise ValidationFailed(
            fields={"language": [str(_("Unknown language: {language}")).format(language=language)]}
        )
    if user.language != language:
        user.language = language
        set_actor(user, user)
        user.save(update_fields=["language"])
    return user


def set_team_members(team: Team, *, members, by=None) -> Team:
    """Replace *team*'s members with *members* (provider users); records who joined and left."""
    members = list(members)
    wrong = sorted(
        str(m) for m in members if m.organisation_id != team.organisation_id and not m.is_superuser
    )
    if wrong:
        raise ValidationFailed(
            fields={
                "members": [
                    str(_("Not a member of the team's organisation: {names}")).format(
                        names=", ".join(wrong)
                    )
                ]
            }
        )
    with transaction.atomic():
        current = set(team.members.values_list("pk", flat=True))
        wanted = {m.pk for m in members}
        if current != wanted:
            team.members.set(members)
            if by is not None:
                record_event(
                    team,
                    "members_changed",
                    by=by,
                    data={"added": sorted(wanted - current), "removed": sorted(current - wanted)},
                )
    return team
