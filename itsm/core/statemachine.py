"""Declared state machines (DESIGN rule 2).

A record kind declares its states (a ``ChoiceSet``) and a ``StateMachine`` of
``Transition`` rows in its ``choices.py``; the model points at it (``state_machine = …``).
``ensure_transition`` is the one enforcement point: it raises ``InvalidTransition`` for a
move the map does not contain, ``Forbidden`` when the user holds none of the roles the
transition names, and ``ValidationFailed`` naming each required field that is empty.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from itsm.core.errors import Forbidden, InvalidTransition, ValidationFailed

ANY_STATE = "*"


@dataclass(frozen=True)
class Transition:
    """A permitted move ``source → target``.

    ``roles``: role codes allowed to make it (``None``: whoever may change the record);
    ``required``: field names that must be filled in when the move is made;
    ``confirm``: for a move that cannot be undone, the translated consequence ("what will
    happen") that the shared transition button shows on a confirmation step before it posts
    (``core/_action_form.html``, ``core.confirm.confirm_transition``); empty: no confirmation.
    """

    source: tuple[str, ...] | str
    target: str
    name: str
    label: object = ""
    roles: frozenset[str] | None = None
    required: tuple[str, ...] = field(default_factory=tuple)
    confirm: object = ""

    def starts_from(self, state: str) -> bool:
        if self.source == ANY_STATE:
            return state != self.target
        sources = (self.source,) if isinstance(self.source, str) else self.source
        return state in sources


class StateMachine:
    """The transition map of one status field."""

    def __init__(self, *, field: str, initial: str, transitions: Iterable[Transition]):
        self.field = field
        self.initial = initial
        self.transitions = tuple(transitions)
        names = [t.name for t in self.transitions]
        if len(names) != len(set(names)):
            raise ValueError("transition names must be unique within a state machine")

    def state_of(self, obj) -> str:
        return getattr(obj, self.field)

    def find(self, state: str, target: str) -> Transition | None:
        for transition in self.transitions:
            if transition.target == target and transition.starts_from(state):
                return transition
        return None

    def by_name(self, name: str) -> Transition | None:
        return next((t for t in self.transitions if t.name == name), None)

    def available(self, obj, user) -> list[Transition]:
        """Transitions *user* may make from *obj*'s current state (for buttons and the API)."""
        state = self.state_of(obj)
        return [t for t in self.transitions if t.starts_from(state) and _role_allows(t, user)]


def _role_allows(transition: Transition, user) -> bool:
    if transition.roles is None or user is None:
        return True
    return bool(user.is_superuser or (user.roles & transition.roles))


def _is_empty(value) -> bool:
    return value is None or value == "" or value == [] or value == {}


def ensure_transition(obj, target: str, *, by, machine: StateMachine | None = None) -> Transition:
    """Check that *by* may move *obj* to *target*; return the transition or raise a typed error.

    Required fields are read from *obj* as it will be saved, so callers set them first.
    """
    machine = machine or type(obj).state_machine
    state = machine.state_of(obj)
    transition = machine.find(state, target)
    if transition is None:
        raise InvalidTransition(
            _("Cannot go from “{source}” to “{target}”.").format(
                source=_label(obj, machine, state), target=_label(obj, machine, target)
            ),
            fields={machine.field: [str(_("Not allowed from the current status."))]},
        )
    if not _role_allows(transition, by):
        raise Forbidden(_("Your roles do not allow this status change."))
    missing = [name for name in transition.required if _is_empty(getattr(obj, name, None))]
    if missing:
        raise ValidationFailed(
            _("Fill in the required fields before this status change."),
            fields={name: [str(_("This field is required for this status."))] for name in missing},
        )
    return transition


def _label(obj, machine: StateMachine, value: str) -> str:
    field = type(obj)._meta.get_field(machine.field)
    return str(dict(field.flatchoices).get(value, value))
