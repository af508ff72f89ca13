"""The order form and fulfilment tasks of a service item (服务项的申请表单与履行任务).

A service item that customers order from the portal carries two JSON lists:

``form_fields`` — the questions of its order form, in order::

    [{"name": "cpu", "label_zh": "CPU 核数", "label_en": "CPU cores", "type": "number",
      "required": true, "choices": []}, ...]

``name`` is a slug (lower-case letters, digits, ``_``; unique in the item) under which the
answer is stored on the request (``Ticket.form_data``); at least one label is given, the
reader's language is shown and the other one stands in for a missing one; ``type`` is one of
:data:`FIELD_TYPES`; only a ``choice`` field has ``choices`` (and must have at least one).

``fulfilment_tasks`` — the steps a request of the item is fulfilled by::

    [{"title": "Create the virtual machine", "group": "server"}, ...]

``group`` is optional: the code of the provider team the task goes to.

The catalogue's services validate both lists (:func:`clean_form_fields`,
:func:`clean_fulfilment_tasks`) and name the entry at fault ("Form field 2: a choice field
needs choices."). The item's edit page writes them one line per entry
(:func:`parse_form_fields`, :func:`format_form_fields` and the same for tasks)::

    name | 标签 | Label | type | required | choice1;choice2
    title | group code
"""

from __future__ import annotations

import re

from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from itsm.core.errors import ValidationFailed

TEXT = "text"
TEXTAREA = "textarea"
NUMBER = "number"
DATE = "date"
CHOICE = "choice"
YESNO = "yesno"
#: the types of an order-form field, with their labels
FIELD_TYPES = {
    TEXT: pgettext_lazy("order form field type", "Text"),
    TEXTAREA: pgettext_lazy("order form field type", "Long text"),
    NUMBER: pgettext_lazy("order form field type", "Number"),
    DATE: pgettext_lazy("order form field type", "Date"),
    CHOICE: pgettext_lazy("order form field type", "Choice"),
    YESNO: pgettext_lazy("order form field type", "Yes / no"),
}
#: other spellings the line editor accepts for a type
TYPE_ALIASES = {"yes-no": YESNO, "yes/no": YESNO, "bool": YESNO, "boolean": YESNO}

NAME = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
MAX_FIELDS = 50
MAX_TASKS = 50
MAX_LABEL = 200
MAX_CHOICE = 200
MAX_CHOICES = 100
MAX_TITLE = 200

#: words of the "required" column of the line editor
REQUIRED_WORDS = {"required", "yes", "y", "true", "1", "必填", "是"}
OPTIONAL_WORDS = {"", "optional", "no", "n", "false", "0", "选填", "否"}

FIELD_KEYS = ("name", "label_zh", "label_en", "type", "required", "choices")
TASK_KEYS = ("title", "group")


def _fail(field: str, number: int, message) -> ValidationFailed:
    if field == "form_fields":
        text = _("Form field {n}: {problem}").format(n=number, problem=message)
    else:
        text = _("Fulfilment task {n}: {problem}").format(n=number, problem=message)
    return ValidationFailed(fields={field: [str(text)]})


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


# --- validation (the services call these) ----------------------------------------------------


def clean_form_fields(value) -> list[dict]:
    """The order-form fields *value* normalised (every key present, stripped texts), or
    ``ValidationFailed`` on ``form_fields`` naming the entry and the problem."""
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise ValidationFailed(fields={"form_fields": [str(_("Give a list of form fields."))]})
    if len(value) > MAX_FIELDS:
        raise ValidationFailed(
            fields={
                "form_fields": [str(_("At most {n} form fields.").format(n=MAX_FIELDS))],
            }
        )
    cleaned: list[dict] = []
    seen: set[str] = set()
    for number, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            raise _fail("form_fields", number, _("give the field as an object."))
        unknown = sorted(set(entry) - set(FIELD_KEYS))
        if unknown:
            raise _fail(
                "form_fields",
                number,
                _("unknown key “{key}”.").format(key=unknown[0]),
            )
        name = _text(entry.get("name"))
        if not NAME.match(name):
            raise _fail(
                "form_fields",
                number,
                _(
                    "the name must start with a lower-case letter and hold only lower-case "
                    "letters, digits and _ (at most 50)."
                ),
            )
        if name in seen:
            raise _fail(
                "form_fields", number, _("the name “{name}” is used twice.").format(name=name)
            )
        seen.add(name)
        label_zh, label_en = _text(entry.get("label_zh")), _text(entry.get("label_en"))
        if not label_zh and not label_en:
            raise _fail("form_fields", number, _("give a Chinese or an English label."))
        if len(label_zh) > MAX_LABEL or len(label_en) > MAX_LABEL:
            raise _fail(
                "form_fields",
                number,
                _("a label has at most {n} characters.").format(n=MAX_LABEL),
            )
        kind = _text(entry.get("type")).lower()
        kind = TYPE_ALIASES.get(kind, kind)
        if kind not in FIELD_TYPES:
            raise _fail(
                "form_fields",
                number,
                _("unknown type “{type}”; use one of: {allowed}.").format(
                    type=entry.get("type", ""), allowed=", ".join(FIELD_TYPES)
                ),
            )
        required = entry.get("required", False)
        if not isinstance(required, bool):
            raise _fail("form_fields", number, _("“required” is true or false."))
        choices = entry.get("choices") or []
        if not isinstance(choices, list | tuple) or not all(isinstance(c, str) for c in choices):
            raise _fail("form_fields", number, _("give the choices as a list of texts."))
        choices = [c.strip() for c in choices]
        if kind == CHOICE:
            if not choices or any(not c for c in choices):
                raise _fail("form_fields", number, _("a choice field needs choices."))
            if len(set(choices)) != len(choices):
                raise _fail("form_fields", number, _("a choice is given twice."))
            if len(choices) > MAX_CHOICES or any(len(c) > MAX_CHOICE for c in choices):
                raise _fail(
                    "form_fields",
                    number,
                    _("at most {n} choices of at most {m} characters.").format(
                        n=MAX_CHOICES, m=MAX_CHOICE
                    ),
                )
        elif choices:
            raise _fail("form_fields", number, _("only a choice field has choices."))
        cleaned.append(
            {
                "name": name,
                "label_zh": label_zh,
                "label_en": label_en,
                "type": kind,
                "required": required,
                "choices": choices,
            }
        )
    return cleaned


def clean_fulfilment_tasks(value, *, group_exists) -> list[dict]:
    """The fulfilment tasks *value* normalised, or ``ValidationFailed`` on
    ``fulfilment_tasks`` naming the entry; *group_exists(code)* says whether a team has the
    code."""
    if value in (None, ""):
        return []
    if not isinstance(value, list | tuple):
        raise ValidationFailed(
            fields={"fulfilment_tasks": [str(_("Give a list of fulfilment tasks."))]}
        )
    if len(value) > MAX_TASKS:
        raise ValidationFailed(
            fields={
                "fulfilment_tasks": [str(_("At most {n} fulfilment tasks.").format(n=MAX_TASKS))]
            }
        )
    cleaned: list[dict] = []
    for number, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            raise _fail("fulfilment_tasks", number, _("give the task as an object."))
        unknown = sorted(set(entry) - set(TASK_KEYS))
        if unknown:
            raise _fail(
                "fulfilment_tasks", number, _("unknown key “{key}”.").format(key=unknown[0])
            )
        title = _text(entry.get("title"))
        if not title:
            raise _fail("fulfilment_tasks", number, _("the title is required."))
        if len(title) > MAX_TITLE:
            raise _fail(
                "fulfilment_tasks",
                number,
                _("the title has at most {n} characters.").format(n=MAX_TITLE),
            )
        group = _text(entry.get("group"))
        if group and not group_exists(group):
            raise _fail(
                "fulfilment_tasks",
                number,
                _("no group has the code “{code}”.").format(code=group),
            )
        cleaned.append({"title": title, "group": group})
    return cleaned


# --- reading ----------------------------------------------------------------------------------


def field_label(field: dict, language: str | None = None) -> str:
    """The label of an order-form field in *language* (default: the active one); the other
    language's label when this one is empty."""
    language = language or translation.get_language() or ""
    first, second = (
        ("label_zh", "label_en") if language.startswith("zh") else ("label_en", "label_zh")
    )
    return field.get(first) or field.get(second) or field.get("name", "")


def shown_answer(field: dict, value) -> str:
    """An answer as the reader sees it: yes/no in their language, the rest as stored."""
    if value is None or value == "":
        return "—"
    if field.get("type") == YESNO:
        return str(_("Yes") if value else _("No"))
    return str(value)


# --- the line editor --------------------------------------------------------------------------


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("|")]


def _lines(text: str) -> list[tuple[int, str]]:
    return [
        (number, line)
        for number, line in enumerate((text or "").splitlines(), start=1)
        if line.strip() and not line.lstrip().startswith("#")
    ]


def parse_form_fields(text: str) -> list[dict]:
    """``name | 标签 | Label | type | required | choice1;choice2`` per line → field dicts.
    Blank lines and lines starting with ``#`` are skipped. A line with too many cells or an
    unknown word in the required column raises ``ValidationFailed`` on ``form_fields`` naming
    the line; everything else is checked by :func:`clean_form_fields`."""
    fields = []
    for number, line in _lines(text):
        cells = _cells(line)
        if len(cells) > len(FIELD_KEYS):
            raise ValidationFailed(
                fields={
                    "form_fields": [
                        str(
                            _(
                                "Line {n}: at most 6 parts separated by |: name | 标签 | Label | "
                                "type | required | choices."
                            ).format(n=number)
                        )
                    ]
                }
            )
        cells += [""] * (len(FIELD_KEYS) - len(cells))
        name, label_zh, label_en, kind, required, choices = cells
        word = required.lower()
        if word not in REQUIRED_WORDS | OPTIONAL_WORDS:
            raise ValidationFailed(
                fields={
                    "form_fields": [
                        str(
                            _("Line {n}: write “required” or “optional” in the fifth part.").format(
                                n=number
                            )
                        )
                    ]
                }
            )
        fields.append(
            {
                "name": name,
                "label_zh": label_zh,
                "label_en": label_en,
                "type": kind.lower() or TEXT,
                "required": word in REQUIRED_WORDS,
                "choices": [c.strip() for c in re.split(r"[;；]", choices) if c.strip()],
            }
        )
    return fields


def format_form_fields(fields) -> str:
    """The line-editor text of *fields* (the inverse of :func:`parse_form_fields`)."""
    lines = []
    for field in fields or ():
        cells = [
            field.get("name", ""),
            field.get("label_zh", ""),
            field.get("label_en", ""),
            field.get("type", TEXT),
            "required" if field.get("required") else "optional",
        ]
        if field.get("choices"):
            cells.append(";".join(field["choices"]))
        lines.append(" | ".join(cells))
    return "\n".join(lines)


def parse_fulfilment_tasks(text: str) -> list[dict]:
    """``title | group code`` per line → task dicts (the group part is optional)."""
    tasks = []
    for number, line in _lines(text):
        cells = _cells(line)
        if len(cells) > len(TASK_KEYS):
            raise ValidationFailed(
                fields={
                    "fulfilment_tasks": [
                        str(
                            _(
                                "Line {n}: at most 2 parts separated by |: title | group code."
                            ).format(n=number)
                        )
                    ]
                }
            )
        cells += [""] * (len(TASK_KEYS) - len(cells))
        tasks.append({"title": cells[0], "group": cells[1]})
    return tasks


def format_fulfilment_tasks(tasks) -> str:
    """The line-editor text of *tasks* (the inverse of :func:`parse_fulfilment_tasks`)."""
    return "\n".join(
        f"{task.get('title', '')} | {task['group']}" if task.get("group") else task.get("title", "")
        for task in tasks or ()
    )
