"""Demo data of the service desk (a step of `itsm demo`; idempotent, through services).

The category tree, the shipped priority matrix, group settings (next line, manager, leader),
dispatch rules per category with round-robin, canned responses, and a year of tickets for the
demo customers — ``ITSM_DEMO_TICKETS`` of them (2 000 by default; the test suite loads a
handful) — each logged, dispatched, worked, sometimes put on hold, returned or escalated,
resolved and confirmed or closed at its own past times through the same services the pages
use, with phone calls for phone tickets and survey answers, so reports and KPIs have a year
of figures. Random choices come from a fixed seed: every run makes the same data set.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from itsm.core import services as core_services
from itsm.core.models import Organisation, Team, User
from itsm.desk.choices import (
    CallbackOutcome,
    CallOutcome,
    Channel,
    EntryKind,
    EscalationKind,
    TicketKind,
    TicketStatus,
)
from itsm.desk.models import CannedResponse, Category, DispatchRule, GroupSettings, Ticket
from itsm.desk.services import config, contact, dispatch, entries, escalation, tickets

#: the categories' codes (two digits a level, as the service catalogue's), by the short
#: names this module uses for them
CODES = {
    "hardware": "01",
    "hardware.pc": "01.01",
    "hardware.printer": "01.02",
    "hardware.server": "01.03",
    "software": "02",
    "software.office": "02.01",
    "software.business": "02.02",
    "network": "03",
    "network.lan": "03.01",
    "network.vpn": "03.02",
    "network.wifi": "03.03",
    "database": "04",
    "account": "05",
    "account.password": "05.01",
    "account.access": "05.02",
    "question": "06",
}

CATEGORIES = [
    # short name, parent, name, kind
    ("hardware", None, "硬件 (Hardware)", ""),
    ("hardware.pc", "hardware", "台式机与笔记本 (PCs and laptops)", ""),
    ("hardware.printer", "hardware", "打印机与外设 (Printers and peripherals)", ""),
    ("hardware.server", "hardware", "服务器硬件 (Server hardware)", ""),
    ("software", None, "软件 (Software)", ""),
    ("software.office", "software", "办公软件 (Office software)", ""),
    ("software.business", "software", "业务系统 (Business applications)", ""),
    ("network", None, "网络 (Network)", ""),
    ("network.lan", "network", "局域网 (LAN)", ""),
    ("network.vpn", "network", "VPN", ""),
    ("network.wifi", "network", "无线网络 (Wi-Fi)", ""),
    ("database", None, "数据库 (Databases)", ""),
    ("account", None, "账号与权限 (Accounts and access)", TicketKind.REQUEST),
    ("account.password", "account", "密码重置 (Password reset)", TicketKind.REQUEST),
    ("account.access", "account", "权限申请 (Access request)", TicketKind.REQUEST),
    ("question", None, "使用咨询 (How-to questions)", TicketKind.CONSULTATION),
]

RULES = [
    # order, name, category, group, mode
    (
        10,
        "硬件 → 桌面支持组 (Hardware to desktop support)",
        "hardware.pc",
        "desktop",
        "round_robin",
    ),
    (
        20,
        "打印机 → 桌面支持组 (Printers to desktop support)",
        "hardware.printer",
        "desktop",
        "round_robin",
    ),
    (
        30,
        "服务器硬件 → 服务器组 (Server hardware to the server group)",
        "hardware.server",
        "server",
        "least_loaded",
    ),
    (40, "网络 → 网络组 (Network to the network group)", "network", "network", "round_robin"),
    (
        50,
        "数据库 → 数据库组 (Databases to the database group)",
        "database",
        "database",
        "least_loaded",
    ),
    (
        60,
        "业务系统 → 应用支持组 (Business applications to application support)",
        "software.business",
        "application",
        "round_robin",
    ),
    (
        70,
        "办公软件与账号 → 桌面支持组 (Office and accounts to desktop support)",
        "software.office",
        "desktop",
        "round_robin",
    ),
    (80, "账号 → 桌面支持组 (Accounts to desktop support)", "account", "desktop", "group"),
    # the rest (portal reports and catalogue orders come without a category) waits in the
    # desktop support group's queue
    (900, "其他 → 桌面支持组 (Everything else to desktop support)", None, "desktop", "group"),
]

CANNED = [
    (
        "确认收到 (Acknowledged)",
        "您好，{contact}：我们已收到您的工单 {number}，{group} 正在处理，稍后与您联系。\n— {agent}",
    ),
    (
        "请提供信息 (Need information)",
        "您好，{contact}：为处理 {number}，请提供设备编号、故障截图及发生时间。谢谢！\n— {agent}",
    ),
    (
        "已解决请确认 (Resolved, please confirm)",
        "您好，{contact}：{number}「{title}」已处理完毕，请在门户中确认；"
        "如仍有问题请直接回复本邮件。\n— {agent}",
    ),
]

TITLES = {
    "hardware.pc": [
        "笔记本无法开机 (Laptop does not start)",
        "电脑蓝屏 (PC blue screen)",
        "显示器无信号 (Monitor has no signal)",
    ],
    "hardware.printer": [
        "打印机卡纸 (Printer paper jam)",
        "打印机无法连接 (Cannot reach the printer)",
    ],
    "hardware.server": [
        "服务器硬盘告警 (Server disk alarm)",
        "服务器电源故障 (Server power supply failure)",
    ],
    "software.office": [
        "Outlook 无法收信 (Outlook does not receive mail)",
        "Office 激活失败 (Office activation fails)",
    ],
    "software.business": [
        "核心业务系统登录缓慢 (Core system login is slow)",
        "报表导出报错 (Report export fails)",
    ],
    "network.lan": ["办公区断网 (Office network is down)"],
    "network.vpn": ["VPN 频繁掉线 (VPN keeps dropping)"],
    "network.wifi": ["会议室无线信号弱 (Weak Wi-Fi in the meeting room)"],
    "database": [
        "数据库表空间不足 (Tablespace almost full)",
        "数据库连接数过高 (Too many database connections)",
    ],
    "account.password": ["重置域账号密码 (Reset domain password)"],
    "account.access": [
        "申请共享盘权限 (Access to a shared drive)",
        "开通 VPN 账号 (New VPN account)",
    ],
    "question": [
        "如何配置邮箱签名 (How to set a mail signature)",
        "如何申请新电脑 (How to request a new PC)",
    ],
}

CUSTOMERS = ("huaxin-bank", "city-hospital", "east-logistics")


def _setup(by) -> int:
    created = 0
    by_code = {c.code: c for c in Category.objects.all()}
    have = {key: by_code[code] for key, code in CODES.items() if code in by_code}
    for key, parent, name, kind in CATEGORIES:
        if key not in have:
            have[key] = config.create_category(
                by=by,
                code=CODES[key],
                name=name,
                parent=have.get(parent) if parent else None,
                kind=kind,
            )
            created += 1
    created += config.ensure_default_matrix(by=by)
    teams = {t.code: t for t in Team.objects.all()}
    people = {
        u.username: u
        for u in User.objects.filter(username__in=["engineer", "slm", "agent", "cmdb"])
    }
    if "server" in teams and teams["server"].leader_id is None and "engineer" in people:
        for code in ("server", "database"):
            team = teams[code]
            core_services.update_team(
                team, by=by, expected_version=team.version, leader=people["engineer"]
            )
    for team_code, next_line in (
        ("desktop", "server"),
        ("application", "database"),
        ("network", None),
    ):
        found = teams.get(team_code)
        if found is None or GroupSettings.objects.filter(team=found).exists():
            continue
        team = found
        config.set_group_settings(
            team,
            by=by,
            next_line=teams.get(next_line) if next_line else None,
            manager=people.get("slm"),
            chat_channel="",
        )
        created += 1
    if not DispatchRule.objects.exists():
        for order, name, category, team_code, mode in RULES:
            if team_code in teams:
                config.create_dispatch_rule(
                    by=by,
                    order=order,
                    name=name,
                    category=have[category] if category else None,
                    team=teams[team_code],
                    assign_mode=mode,
                )
                created += 1
    if not CannedResponse.objects.exists():
        for title, body in CANNED:
            entries.create_canned(by=by, title=title, body=body)
            created += 1
    return created


def _members(team, at) -> list:
    return dispatch.available_members(team, at=at) if team else []


def _one_ticket(rng: random.Random, at: datetime, ctx: dict, now: datetime) -> int:
    """Log one ticket at *at* and play its life up to *now*; return the records created."""
    customer = rng.choice(ctx["customers"])
    roll = rng.random()
    kind = (
        TicketKind.INCIDENT
        if roll < 0.6
        else TicketKind.REQUEST
        if roll < 0.9
        else TicketKind.CONSULTATION
    )
    codes = [c for c, k in ctx["kinds"].items() if not k or k == kind] or list(ctx["kinds"])
    codes = [c for c in codes if c in TITLES] or codes
    code = rng.choice(codes)
    services_ = ctx["services"].get(customer.pk) or [None]
    service = rng.choice(services_) if kind != TicketKind.CONSULTATION else None
    contacts = ctx["contacts"].get(customer.pk) or [None]
    caller = rng.choice(contacts)
    channel = rng.choices(
        [Channel.PHONE, Channel.PORTAL, Channel.EMAIL, Channel.API], weights=[5, 3, 2, 1]
    )[0]
    agent = ctx["agent"]
    ticket = tickets.create_ticket(
        by=agent if channel == Channel.PHONE else caller or agent,
        kind=kind,
        title=rng.choice(TITLES.get(code, ["支持请求 (Support request)"])),
        description="",
        customer=customer,
        contact=caller,
        contact_email="" if caller else f"it@{customer.code}.example.cn",
        channel=channel,
        category=ctx["categories"][code],
        impact=rng.choice("1223333"),
        urgency=rng.choice("1222333"),
        service=service,
        opened_at=at,
    )
    made = 1
    if channel == Channel.PHONE:
        contact.log_call(
            by=agent,
            started_at=at - timedelta(minutes=rng.randint(2, 9)),
            ended_at=at,
            outcome=CallOutcome.TICKET,
            caller=caller,
            organisation=customer,
            ticket=ticket,
        )
        made += 1
    if ticket.assignment_group_id is None:
        group = ctx["teams"]["desktop"]
        t = at + timedelta(minutes=rng.randint(3, 30))
        if t > now:
            return made
        ticket = dispatch.assign(ticket, by=agent, group=group, at=t)
    t = at + timedelta(minutes=rng.randint(5, 90))
    worker = ticket.assignee or (_members(ticket.assignment_group, t) or [agent])[0]
    if t > now:
        return made
    if rng.random() < 0.06 and ticket.assignment_group_id:
        ticket = dispatch.return_ticket(ticket, by=worker, reason="不属于本组 (Not ours)", at=t)
        t += timedelta(minutes=rng.randint(5, 40))
        other = rng.choice([g for g in ctx["teams"].values() if g.pk != worker.pk] or [None])
        ticket = dispatch.assign(ticket, by=agent, group=other or ctx["teams"]["desktop"], at=t)
        worker = (_members(ticket.assignment_group, t) or [agent])[0]
    ticket = tickets.start_work(ticket, by=worker, at=t)
    entries.add_entry(
        ticket,
        by=worker,
        kind=EntryKind.NOTE,
        body="排查中 (Investigating)",
        time_spent_minutes=rng.randint(10, 90),
        at=t + timedelta(minutes=1),
        notify=False,
    )
    t += timedelta(minutes=rng.randint(10, 240))
    if t > now:
        return made
    if rng.random() < 0.15:
        ticket = tickets.wait(
            ticket,
            on=TicketStatus.PENDING_CUSTOMER,
            by=worker,
            note="请提供截图 (Please send a screenshot)",
            at=t,
        )
        t += timedelta(hours=rng.randint(1, 30))
        if t > now:
            return made
        entries.add_entry(
            ticket,
            by=caller,
            kind=EntryKind.COMMENT,
            body="已附截图 (Screenshot attached)",
            at=t,
            notify=False,
        ) if caller else tickets.move(ticket, TicketStatus.IN_PROGRESS, by=worker, at=t)
        ticket.refresh_from_db()
    if rng.random() < 0.05 and ticket.is_open:
        try:
            escalation.escalate(
                ticket,
                kind=EscalationKind.HIERARCHICAL,
                by=worker,
                reason="客户催办 (The customer chased)",
                at=t,
            )
        except Exception:  # a group without leader or manager: nothing to escalate to
            pass
        ticket.refresh_from_db()
    t += timedelta(minutes=rng.randint(20, 60 * 30))
    if t > now:
        return made
    ticket = tickets.resolve(
        ticket,
        by=worker,
        resolution="已处理 (Done)",
        resolution_code={"incident": "solved", "request": "fulfilled"}.get(kind, "answered"),
        at=t,
    )
    ticket.refresh_from_db()
    answered = t + timedelta(hours=rng.randint(1, 48))
    if answered > now:
        return made
    survey = getattr(ticket, "survey", None)
    if survey is not None and caller is not None and rng.random() < 0.55:
        contact.answer_survey(
            survey,
            score=rng.choices([5, 4, 3, 2, 1], weights=[50, 30, 12, 5, 3])[0],
            comment="",
            channel="portal",
            by=caller,
            at=answered,
        )
    if rng.random() < 0.2:
        contact.record_callback(
            ticket,
            by=agent,
            outcome=rng.choice(
                [CallbackOutcome.SATISFIED, CallbackOutcome.SATISFIED, CallbackOutcome.UNREACHABLE]
            ),
            at=answered,
        )
    if caller is not None and rng.random() < 0.7:
        tickets.close(ticket, by=caller, at=answered)
    elif answered + timedelta(days=7) <= now:
        tickets.move(
            ticket,
            TicketStatus.CLOSED,
            by=None,
            verb="auto_closed",
            at=answered + timedelta(days=7),
        )
    return made


def load_desk() -> int:
    """Create the desk's demo once; return how many records were created."""
    by = User.objects.filter(username="admin").first()
    agent = User.objects.filter(username="agent").first()
    customers = list(Organisation.objects.filter(code__in=CUSTOMERS).order_by("code"))
    if by is None or agent is None or not customers:
        return 0  # the core demo did not run
    created = _setup(by)
    count = int(getattr(settings, "ITSM_DEMO_TICKETS", 0))
    if Ticket.objects.exists() or count <= 0:
        return created
    from itsm.catalog.selectors import published_services

    by_code = {c.code: c for c in Category.objects.all()}
    ctx: dict[str, Any] = {
        "agent": agent,
        "customers": customers,
        "categories": {key: by_code[code] for key, code in CODES.items() if code in by_code},
        "kinds": {
            key: kind
            for key, parent, _name, kind in CATEGORIES
            if not any(other_parent == key for _k, other_parent, _n, _kd in CATEGORIES)
        },
        "teams": {t.code: t for t in Team.objects.all()},
        "services": {c.pk: list(published_services(customer=c)) for c in customers},
        "contacts": {
            c.pk: list(User.objects.filter(organisation=c, is_active=True).order_by("pk"))
            for c in customers
        },
    }
    if "desktop" not in ctx["teams"] or not ctx["categories"]:
        return created
    rng = random.Random(20261130)
    now = timezone.now()
    start = now - timedelta(days=365)
    recent = max(12, count // 20)  # the queue's current work: logged in the last three days
    moments = sorted(
        [start + timedelta(seconds=rng.randint(0, 362 * 86400)) for _ in range(count - recent)]
        + [now - timedelta(seconds=rng.randint(600, 3 * 86400)) for _ in range(recent)]
    )
    for first in range(0, len(moments), 200):  # one transaction per 200 tickets: few syncs
        with transaction.atomic():
            for at in moments[first : first + 200]:
                created += _one_ticket(rng, at, ctx, now)
    return created
