"""Column mapping (file column → ticket field) and the value mappings of an incident export.

Headers are recognised as ServiceNow (list export and the audit/event log), iTop, GLPI and
the BPIC 2013 (Volvo IT) log name them, in English and Chinese; the user corrects the guess
on the mapping page. States and priorities are mapped value by value: the defaults below
recognise the usual words and ServiceNow's "3 - Moderate" form; a state mapped to nothing
makes its rows bad rows.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

from itsm.core.choices import Priority
from itsm.core.errors import ValidationFailed
from itsm.desk.choices import DEFAULT_PRIORITY_MATRIX, Channel, TicketStatus
from itsm.desk.imports.choices import BAD_STATE, TARGETS, target_label

#: header words of each target (compared case-insensitively, spaces, "_" and "-" ignored)
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "number": (
        "number",
        "srnumber",
        "ref",
        "reference",
        "ticketnumber",
        "incidentnumber",
        "编号",
        "工单号",
        "事件编号",
        "单号",
    ),
    "state": ("incidentstate", "state", "status", "状态"),
    "sub_state": ("substatus", "substate", "子状态"),
    "sequence": ("sysmodcount", "modcount", "updatecount"),
    "opened_at": (
        "openedat",
        "opened",
        "opendate",
        "openingdate",
        "startdate",
        "createdat",
        "创建时间",
        "开单时间",
        "报告时间",
    ),
    "updated_at": (
        "sysupdatedat",
        "changedate+time",
        "changedatetime",
        "updatedat",
        "lastupdate",
        "更新时间",
    ),
    "updated_by": ("sysupdatedby", "resource", "updatedby", "更新人"),
    "title": ("shortdescription", "title", "summary", "subject", "标题", "摘要"),
    "description": ("description", "描述"),
    "priority": ("priority", "优先级"),
    "impact": ("impact", "srlatestimpact", "影响", "影响度"),
    "urgency": ("urgency", "紧急度"),
    "category": ("category", "分类", "类别"),
    "subcategory": ("subcategory", "子分类"),
    "group": ("assignmentgroup", "involvedst", "team", "group", "处理组", "派单组"),
    "assignee": ("assignedto", "assignee", "agent", "处理人"),
    "ci": ("cmdbci", "ci", "configurationitem", "配置项"),
    "caller": ("callerid", "caller", "requester", "contact", "报告人", "联系人"),
    "channel": ("contacttype", "channel", "origin", "requestsource", "渠道", "来源"),
    "made_sla": ("madesla", "slamet", "sla达成"),
    "reassignment_count": ("reassignmentcount", "重派次数"),
    "reopen_count": ("reopencount", "重开次数"),
    "resolved_at": ("resolvedat", "resolutiondate", "解决时间"),
    "closed_at": ("closedat", "closuredate", "closedate", "关闭时间"),
}

#: state words of the usual tools → ticket status (folded, see ``_fold``)
DEFAULT_STATES: dict[str, str] = {
    "new": TicketStatus.NEW,
    "open": TicketStatus.NEW,
    "queued": TicketStatus.ASSIGNED,
    "assigned": TicketStatus.ASSIGNED,
    "active": TicketStatus.IN_PROGRESS,
    "inprogress": TicketStatus.IN_PROGRESS,
    "accepted": TicketStatus.IN_PROGRESS,
    "accepted/inprogress": TicketStatus.IN_PROGRESS,
    "processing(assigned)": TicketStatus.ASSIGNED,
    "processing(planned)": TicketStatus.IN_PROGRESS,
    "awaitinguserinfo": TicketStatus.PENDING_CUSTOMER,
    "pending": TicketStatus.PENDING_CUSTOMER,
    "onhold": TicketStatus.PENDING_CUSTOMER,
    "awaitingvendor": TicketStatus.PENDING_SUPPLIER,
    "awaitingproblem": TicketStatus.PENDING_CHANGE,
    "awaitingevidence": TicketStatus.PENDING_CUSTOMER,
    "accepted/wait": TicketStatus.PENDING_CUSTOMER,
    "accepted/wait-user": TicketStatus.PENDING_CUSTOMER,
    "accepted/wait-vendor": TicketStatus.PENDING_SUPPLIER,
    "accepted/wait-implementation": TicketStatus.PENDING_CHANGE,
    "accepted/wait-customer": TicketStatus.PENDING_CUSTOMER,
    "accepted/assigned": TicketStatus.ASSIGNED,
    "queued/awaitingassignment": TicketStatus.ASSIGNED,
    "resolved": TicketStatus.RESOLVED,
    "solved": TicketStatus.RESOLVED,
    "completed": TicketStatus.RESOLVED,
    "completed/resolved": TicketStatus.RESOLVED,
    "completed/closed": TicketStatus.CLOSED,
    "completed/cancelled": TicketStatus.CANCELLED,
    "completed/inprogress": TicketStatus.RESOLVED,
    "closed": TicketStatus.CLOSED,
    "cancelled": TicketStatus.CANCELLED,
    "canceled": TicketStatus.CANCELLED,
    "unmatched": TicketStatus.CLOSED,
    "unmatched/unmatched": TicketStatus.CLOSED,
    "新建": TicketStatus.NEW,
    "处理中": TicketStatus.IN_PROGRESS,
    "已解决": TicketStatus.RESOLVED,
    "已关闭": TicketStatus.CLOSED,
}

_PRIORITY_WORDS = {
    "critical": Priority.P1,
    "urgent": Priority.P1,
    "veryhigh": Priority.P1,
    "major": Priority.P1,
    "high": Priority.P2,
    "medium": Priority.P3,
    "moderate": Priority.P3,
    "normal": Priority.P3,
    "low": Priority.P4,
    "planning": Priority.P4,
    "verylow": Priority.P4,
    "紧急": Priority.P1,
    "高": Priority.P2,
    "中": Priority.P3,
    "低": Priority.P4,
}
_LEVEL_WORDS = {
    "major": "1",
    "critical": "1",
    "high": "1",
    "medium": "2",
    "moderate": "2",
    "low": "3",
    "高": "1",
    "中": "2",
    "低": "3",
}
_CHANNELS = {
    "phone": Channel.PHONE,
    "ivr": Channel.PHONE,
    "电话": Channel.PHONE,
    "email": Channel.EMAIL,
    "e-mail": Channel.EMAIL,
    "邮件": Channel.EMAIL,
    "selfservice": Channel.PORTAL,
    "portal": Channel.PORTAL,
    "web": Channel.PORTAL,
    "monitoring": Channel.MONITORING,
    "event": Channel.MONITORING,
}
_EMPTY = {"", "?", "null", "none", "n/a", "-"}


def _fold(text: str) -> str:
    return re.sub(r"[\s_\-]+", "", str(text)).casefold()


def empty(value: str) -> bool:
    """``?`` and the like are empty cells."""
    return value.strip().casefold() in _EMPTY


def default_mapping(headers: list[str]) -> dict[str, str]:
    """Header → target guessed from the header (unrecognised headers map to "")."""
    aliases: dict[str, str] = {}
    for target, words in HEADER_ALIASES.items():
        for word in words:
            aliases.setdefault(_fold(word), target)
        aliases.setdefault(_fold(target), target)
        aliases.setdefault(_fold(target_label(target)), target)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for header in headers:
        target = aliases.get(_fold(header), "")
        if target in used:
            target = ""
        if target:
            used.add(target)
        mapping[header] = target
    return mapping


def check_mapping(mapping, headers: list[str]) -> dict[str, str]:
    """A mapping from the user, checked; each problem reported on ``mapping``."""
    if not isinstance(mapping, dict):
        raise ValidationFailed(
            fields={"mapping": [_("Send the mapping as an object: column → field.")]}
        )
    problems: list[str] = []
    used: dict[str, str] = {}
    cleaned: dict[str, str] = dict.fromkeys(headers, "")
    for column, target in mapping.items():
        target = target.strip() if isinstance(target, str) else target
        if column not in headers:
            problems.append(_("The file has no column “{column}”.").format(column=column))
            continue
        if not target:
            continue
        if target not in TARGETS:
            problems.append(
                _("Column “{column}”: unknown field “{target}”.").format(
                    column=column, target=target
                )
            )
            continue
        if target in used:
            problems.append(
                _("Columns “{first}” and “{second}” are both mapped to “{target}”.").format(
                    first=used[target], second=column, target=target_label(target)
                )
            )
            continue
        used[target] = column
        cleaned[column] = target
    for required in ("number", "state", "opened_at"):
        if required not in used and not (required == "opened_at" and "updated_at" in used):
            problems.append(_("Map a column to “{target}”.").format(target=target_label(required)))
    if problems:
        raise ValidationFailed(_("The column mapping is not valid."), fields={"mapping": problems})
    return cleaned


def default_state(value: str) -> str:
    """The ticket status of a source state by its usual words, "" when unknown."""
    folded = _fold(value)
    if folded in DEFAULT_STATES:
        return DEFAULT_STATES[folded]
    head = folded.split("/", 1)[0]
    return DEFAULT_STATES.get(head, "")


def default_priority(value: str) -> str:
    """ "3 - Moderate" → p3, "P2" → p2, "High" → p2; "" when not recognised."""
    text = value.strip()
    match = re.match(r"^[Pp]?\s*([1-5])\b", text)
    if match:
        return f"p{min(int(match.group(1)), 4)}"
    return _PRIORITY_WORDS.get(_fold(text), "")


def level(value: str) -> str:
    """Impact or urgency "2 - Medium", "High", "1" → "1" … "3"; "" when not recognised."""
    match = re.match(r"^\s*([1-5])\b", value)
    if match:
        return str(min(int(match.group(1)), 3))
    return _LEVEL_WORDS.get(_fold(value), "")


def priority_of(impact: str, urgency: str) -> str:
    if impact and urgency:
        return str(DEFAULT_PRIORITY_MATRIX.get((impact, urgency), ""))
    return ""


def channel(value: str) -> str:
    return str(_CHANNELS.get(_fold(value), Channel.CONSOLE))


def state_choices() -> list[tuple[str, str]]:
    return [(BAD_STATE, _("— bad row (not imported) —"))] + [
        (str(value), str(label)) for value, label in TicketStatus.choices
    ]


def priority_choices() -> list[tuple[str, str]]:
    return [("", _("— none —"))] + [(str(v), str(label)) for v, label in Priority.choices]


def boolean(value: str) -> bool | None:
    folded = _fold(value)
    if folded in ("true", "yes", "y", "1", "是"):
        return True
    if folded in ("false", "no", "n", "0", "否"):
        return False
    return None


_DATE = re.compile(
    r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?)?"
    r"\s*(Z|[+\-]\d{2}:?\d{2})?$"
)


@lru_cache(maxsize=200_000)
def parse_date(text: str, day_first: bool, zone_name: str) -> datetime | None:
    """A date and time of an export: ISO (``2010-03-31T15:59:42+01:00``), or day-first
    ``29/2/2016 01:16`` (month-first when *day_first* is off), in *zone_name* when it carries
    no offset. ``None`` when it is no date (the caller reports the row)."""
    match = _DATE.match(text.strip())
    if not match:
        return None
    a, b, c, hour, minute, second, offset = match.groups()
    try:
        if len(a) == 4:
            year, month, day = int(a), int(b), int(c)
        elif len(c) == 4:
            year = int(c)
            day, month = (int(a), int(b)) if day_first else (int(b), int(a))
        else:
            return None
        if offset:
            iso = "{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}{}".format(
                year,
                month,
                day,
                int(hour or 0),
                int(minute or 0),
                int(second or 0),
                "+00:00" if offset == "Z" else offset,
            )
            return datetime.fromisoformat(iso)
        return datetime(
            year,
            month,
            day,
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=ZoneInfo(zone_name),
        )
    except ValueError:
        return None
