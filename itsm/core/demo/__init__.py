"""The demo data set loaded by ``itsm demo`` and ``make run``.

Every step goes through services and checks what exists first, so running it again adds
nothing. Later modules add their own demo steps to ``DEMO_STEPS``.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db import transaction

from itsm.core import services
from itsm.core.choices import OrganisationKind, Role
from itsm.core.models import Organisation, Team, User

DEMO_PASSWORD = "Itsm-demo-2026!"

DEMO_LOGINS = [
    ("admin", DEMO_PASSWORD, "administrator / 系统管理员"),
    ("agent", DEMO_PASSWORD, "service desk agent / 服务台"),
    ("engineer", DEMO_PASSWORD, "line-2 engineer / 二线工程师"),
    ("customer", DEMO_PASSWORD, "customer end user (Huaxin Bank) / 客户用户"),
    ("slm", DEMO_PASSWORD, "service level manager / 服务级别经理"),
    (
        "maintainer",
        DEMO_PASSWORD,
        "agreement maintainer, second service level manager (four eyes) / 协议维护人",
    ),
    ("cmdb", DEMO_PASSWORD, "configuration manager / 配置经理"),
    ("problem", DEMO_PASSWORD, "problem manager / 问题经理"),
]

ORGANISATIONS = [
    ("provider", "华运信息技术服务有限公司 (Huayun IT Services)", OrganisationKind.PROVIDER),
    ("huaxin-bank", "华信银行 (Huaxin Bank)", OrganisationKind.CUSTOMER),
    ("city-hospital", "市第一人民医院 (City No.1 Hospital)", OrganisationKind.CUSTOMER),
    ("east-logistics", "东方物流集团 (East Logistics)", OrganisationKind.CUSTOMER),
    ("dawn-hardware", "曙光硬件维保 (Dawn Hardware Maintenance)", OrganisationKind.SUPPLIER),
]

# Assignment groups of seed 002: desktop, server, network, database, application.
TEAMS = [
    ("desktop", "桌面支持组 (Desktop support)"),
    ("server", "服务器组 (Server group)"),
    ("network", "网络组 (Network group)"),
    ("database", "数据库组 (Database group)"),
    ("application", "应用支持组 (Application support)"),
]

USERS = [
    # username, organisation code, display name, roles, teams
    ("admin", "provider", "系统管理员 Admin", (Role.ADMINISTRATOR,), ()),
    ("agent", "provider", "王静 Wang Jing", (Role.SERVICE_DESK,), ("desktop",)),
    (
        "engineer",
        "provider",
        "李强 Li Qiang",
        (Role.ENGINEER_L2, Role.GROUP_LEADER),
        ("server", "database"),
    ),
    (
        "slm",
        "provider",
        "张敏 Zhang Min",
        (Role.SERVICE_LEVEL_MANAGER, Role.AGREEMENT_MAINTAINER, Role.PROCESS_OWNER),
        (),
    ),
    # drafts services and agreements for the slm user to review and sign (four eyes); as a
    # second service level manager, reviews and signs what slm drafts
    (
        "maintainer",
        "provider",
        "吴伟 Wu Wei",
        (Role.AGREEMENT_MAINTAINER, Role.SERVICE_LEVEL_MANAGER),
        (),
    ),
    (
        "cmdb",
        "provider",
        "赵磊 Zhao Lei",
        (Role.CONFIGURATION_MANAGER, Role.CHANGE_MANAGER),
        ("network",),
    ),
    ("customer", "huaxin-bank", "陈晨 Chen Chen (Huaxin Bank)", (Role.CUSTOMER_USER,), ()),
    ("bank-contact", "huaxin-bank", "刘洋 Liu Yang (Huaxin Bank)", (Role.CUSTOMER_CONTACT,), ()),
    ("hospital", "city-hospital", "周婷 Zhou Ting (City Hospital)", (Role.CUSTOMER_USER,), ()),
    ("supplier", "dawn-hardware", "孙浩 Sun Hao (Dawn Hardware)", (Role.SUPPLIER_CONTACT,), ()),
]


def _organisations() -> int:
    created = 0
    for code, name, kind in ORGANISATIONS:
        if not Organisation.objects.filter(code=code).exists():
            services.create_organisation(code=code, name=name, kind=kind)
            created += 1
    return created


def _people() -> int:
    created = 0
    orgs = {o.code: o for o in Organisation.objects.all()}
    provider = orgs["provider"]
    for code, name in TEAMS:
        if not Team.objects.filter(code=code).exists():
            services.create_team(code=code, name=name, organisation=provider)
            created += 1
    teams = {t.code: t for t in Team.objects.all()}
    for username, org_code, display, roles, team_codes in USERS:
        if User.objects.filter(username=username).exists():
            continue
        user = services.create_user(
            username=username,
            organisation=orgs[org_code],
            password=DEMO_PASSWORD,
            roles=roles,
            display_name=display,
            email=f"{username}@demo.itsm.local",
        )
        for team_code in team_codes:
            team = teams[team_code]
            services.set_team_members(team, members=[*team.members.all(), user])
        created += 1
    return created


def _calendars() -> int:
    from itsm.core.calendars.demo import load_calendars

    return load_calendars()


#: Ordered steps; each returns how many records it created. Domain apps add theirs with
#: ``register_demo_step`` in ``AppConfig.ready`` (so they run in INSTALLED_APPS order).
DEMO_STEPS: list[Callable[[], int]] = [_organisations, _people, _calendars]


def register_demo_step(step: Callable[[], int]) -> None:
    """Append a domain app's demo step (idempotent, through services) once."""
    if step not in DEMO_STEPS:
        DEMO_STEPS.append(step)


def load_demo() -> int:
    created = 0
    for step in DEMO_STEPS:
        with transaction.atomic():
            created += step()
    return created
