"""Demo data of problem management, made through the services once: a problem manager, three
detection rules and a detection run over the demo incidents (proposals waiting for a
decision), and problems in each state with known errors, one published as an article."""

from __future__ import annotations

from django.db.models import Count

from itsm.core import services as core_services
from itsm.core.choices import Priority, Role
from itsm.core.models import Organisation, User
from itsm.problems.choices import CauseCategory, Dimension, ProblemStatus, RcaMethod
from itsm.problems.models import DetectionRule, Problem
from itsm.problems.services import detection, known_errors, problems

MANAGER = "problem"
RULES = [
    ("同一配置项重复事件 Repeat incidents on one CI", Dimension.CI, 3, 7),
    ("同一服务重复事件 Repeat incidents on one service", Dimension.SERVICE, 6, 7),
    ("同一分类重复事件 Repeat incidents in one category", Dimension.CATEGORY, 8, 3),
]


def _manager() -> tuple[User | None, int]:
    user = User.objects.filter(username=MANAGER).first()
    if user is not None:
        return user, 0
    provider = Organisation.objects.filter(code="provider").first()
    if provider is None:
        return None, 0
    from itsm.core.demo import DEMO_PASSWORD

    user = core_services.create_user(
        username=MANAGER,
        organisation=provider,
        password=DEMO_PASSWORD,
        roles=(Role.PROBLEM_MANAGER, Role.ENGINEER_L2),
        display_name="孙丽 Sun Li",
        email=f"{MANAGER}@demo.itsm.local",
    )
    return user, 1


def _incident_groups(limit: int) -> list[list]:
    """Groups of up to three demo incidents sharing a category, the largest first (not linked
    yet); a small demo (the tests' 30 tickets) has groups of one or two."""
    from itsm.desk import selectors as desk
    from itsm.desk.choices import TicketKind

    incidents = desk.all_tickets().filter(kind=TicketKind.INCIDENT, category__isnull=False)
    categories = (
        incidents.values_list("category")
        .annotate(n=Count("id"))
        .order_by("-n", "category")
        .values_list("category", flat=True)[:limit]
    )
    return [
        list(incidents.filter(category=category).order_by("-opened_at", "-id")[:3])
        for category in categories
    ]


def load_problems() -> int:
    """Create the problem demo once; return how many records were created."""
    manager, created = _manager()
    if manager is None:
        return 0
    if not DetectionRule.objects.exists():
        for name, dimension, threshold, window in RULES:
            detection.create_rule(
                by=manager, name=name, dimension=dimension, threshold=threshold, window_days=window
            )
            created += 1
    if Problem.objects.exists():
        return created
    groups = _incident_groups(5)
    if len(groups) < 4:
        return created
    engineer = User.objects.filter(username="engineer").first() or manager

    # new: raised from three incidents, not analysed yet
    problems.create_problem(
        by=engineer,
        title="打印服务间歇性失败 Print service fails intermittently",
        priority=Priority.P3,
        manager=manager,
        incidents=groups[0],
    )
    # investigating, with the analysis under way
    investigating = problems.create_problem(
        by=manager,
        title="邮件发送延迟 Outgoing mail delayed at peak hours",
        description="Mail leaves the relay up to 30 minutes late between 09:00 and 10:00.",
        priority=Priority.P2,
        manager=manager,
        incidents=groups[1],
        rca_method=RcaMethod.FISHBONE,
    )
    problems.move_problem(investigating, to=ProblemStatus.INVESTIGATING, by=manager)
    # known error: root cause and workaround recorded (its known error record is made)
    known = problems.create_problem(
        by=manager,
        title="VPN 客户端断线 VPN client drops after 10 minutes",
        description="VPN 用户每 10 分钟断线一次，必须重新连接。"
        "Users on the VPN lose the connection every 10 minutes and must reconnect.",
        priority=Priority.P2,
        manager=manager,
        incidents=groups[2],
    )
    problems.move_problem(known, to=ProblemStatus.INVESTIGATING, by=manager)
    problems.move_problem(
        known,
        to=ProblemStatus.KNOWN_ERROR,
        by=manager,
        rca_method=RcaMethod.FIVE_WHYS,
        root_cause="防火墙在 600 秒后丢弃空闲的 IPsec 会话，客户端不发送保活。"
        "The firewall drops idle IPsec sessions after 600 s; the client sends no keep-alive.",
        cause_category=CauseCategory.CONFIGURATION,
        workaround="在 VPN 客户端高级设置中启用“每 60 秒发送保活”。"
        "Enable “Send keep-alive every 60 s” in the VPN client's advanced settings.",
    )
    known_error = known.known_errors.first()
    if known_error is not None:
        from django.apps import apps

        if apps.is_installed("itsm.knowledge"):
            from django.utils import translation

            with translation.override("zh-hans"):  # the article's headings in Chinese
                known_errors.publish_article(known_error, by=manager)
    # resolved through a change
    resolved = problems.create_problem(
        by=manager,
        title="数据库表空间满 Oracle tablespace full every month end",
        priority=Priority.P1,
        manager=manager,
        incidents=groups[3],
    )
    problems.move_problem(resolved, to=ProblemStatus.INVESTIGATING, by=manager)
    problems.move_problem(
        resolved,
        to=ProblemStatus.RESOLVED,
        by=manager,
        rca_method=RcaMethod.KEPNER_TREGOE,
        root_cause="月末批处理把审计记录写入 USERS 表空间，且未开启自动扩展。"
        "Month-end batch jobs write audit rows into USERS; autoextend was off.",
        cause_category=CauseCategory.CAPACITY,
        workaround="批处理前手工添加数据文件。Add a datafile by hand before the batch.",
        fix="审计记录迁移到独立表空间并开启自动扩展。"
        "Audit rows moved to their own tablespace with autoextend on.",
    )
    # a known error recorded on its own (a supplier's documented defect)
    known_errors.create_known_error(
        by=manager,
        title="打印机固件 2.1 卡纸误报 Printer firmware 2.1 reports false paper jams",
        symptoms="打印机显示错误 41.2（卡纸），但纸路中没有纸。"
        "The printer shows error 41.2 (paper jam) with no paper in the path.",
        workaround="重启打印机；供应商固件 2.2 已修复。"
        "Power-cycle the printer; the supplier's firmware 2.2 fixes it.",
        root_cause="供应商固件 2.1 的缺陷（传感器去抖）。"
        "Defect in the supplier's firmware 2.1 (sensor debounce).",
    )
    created += 6
    made = detection.detect()
    return created + made["made"]
