"""New model instances built as rows read from the database are (``core.writes``)."""

from __future__ import annotations

from typing import Any

from django.db.models import DEFERRED, signals

#: what a default may be shared as, unchanged, by every new instance
_IMMUTABLE = (type(None), str, int, bool, float)
#: per model: (the positional values' template, [(index, name, attname, default maker)], the
#: names the keyword arguments may use), or None when ``Model(**values)`` builds it instead
_PLANS: dict[Any, tuple | None] = {}


def _plan(model) -> tuple | None:
    try:
        return _PLANS[model]
    except KeyError:
        pass
    meta = model._meta
    plan = None
    if not meta.abstract and not any(f.generated for f in meta.concrete_fields):
        template: list = []
        makers: list = []
        names: set[str] = set()
        for index, field in enumerate(meta.concrete_fields):
            names.update((field.name, field.attname))
            value = DEFERRED
            if not field.has_db_default() and (
                not field.has_default() or not (callable(field.default) or field.is_relation)
            ):
                value = field.get_default()
                if not isinstance(value, _IMMUTABLE):
                    value = DEFERRED
            template.append(value)
            if value is DEFERRED:
                makers.append((index, field.name, field.attname, field.get_default))
        plan = (tuple(template), tuple(makers), frozenset(names))
    _PLANS[model] = plan
    return plan


def new_row(model, /, **values):
    """``model(**values)``: the same instance, built as Django builds a row it read — its
    fields' values in order, the defaults worked out once per model where they are constants
    — then *values* set as ``Model.__init__`` sets them (a related object through its
    descriptor). ``Model.__init__`` looks each field up among the keyword arguments and asks
    it for its default (about half of building a clock or a ticket). A name that is not a
    concrete field's, a value ``DEFERRED``, or a receiver of ``pre_init``/``post_init`` for
    *model*, gets ``model(**values)`` itself."""
    plan = _plan(model)
    if (
        plan is None
        or not plan[2].issuperset(values)
        or (signals.pre_init.receivers and signals.pre_init.has_listeners(model))
        or (signals.post_init.receivers and signals.post_init.has_listeners(model))
    ):
        return model(**values)
    template, makers, _names = plan
    args = list(template)
    for index, name, attname, make in makers:
        if name not in values and attname not in values:
            args[index] = make()
    obj = model(*args)
    for name, value in values.items():
        if value is DEFERRED:  # left unset, where the template may have set a default
            return model(**values)
        setattr(obj, name, value)
    return obj
