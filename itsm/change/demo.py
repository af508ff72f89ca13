"""Demo data of change management (a step of ``itsm demo``; idempotent, through services).

The risk questionnaire and its thresholds, a CAB and an emergency CAB, two standard change
templates, a weekly maintenance window on a host and a global freeze, and changes in several
states on the CMDB demo's CIs: a draft, a scheduled standard change, a normal change awaiting
CAB approval with a conflict two hops away, a closed one and a failed one rolled back; for the
calendar and the CAB, a weekly database maintenance window, a freeze today and tomorrow's CAB
meeting with its agenda.
"""

from __future__ import annotations

from datetime import time, timedelta

from django.utils import timezone

from itsm.change.choices import ApprovalPath, ChangeKind, WindowKind
from itsm.change.models import (
    AdvisoryBoard,
    CabMeeting,
    Change,
    ChangeTemplate,
    RiskQuestion,
    Window,
)
from itsm.change.services import approval, assessment, changes, config, meetings
from itsm.cmdb import selectors as cmdb_selectors
from itsm.core.models import User

QUESTIONS = [
    (
        "变更是否经过测试? Has the change been tested in a test environment?",
        [("是 Yes", 0), ("部分 Partly", 2), ("否 No", 5)],
    ),
    (
        "是否中断业务服务? Does it interrupt a business service?",
        [("否 No", 0), ("短暂 Briefly", 3), ("是 Yes", 5)],
    ),
    (
        "回退是否复杂? Is the back-out complex?",
        [("否 No", 0), ("是 Yes", 3)],
    ),
]
THRESHOLDS = [
    ("low", 0, ApprovalPath.CHANGE_MANAGER),
    ("medium", 4, ApprovalPath.CHANGE_MANAGER),
    ("high", 8, ApprovalPath.CAB),
]
TEMPLATES = [
    (
        "os-patch",
        "月度操作系统补丁 Monthly OS patch",
        "software",
        "1. 快照 Snapshot\n2. 安装补丁 Install patches\n3. 重启 Reboot",
        "恢复快照 Restore the snapshot",
        "检查服务 Check the services",
        120,
    ),
    (
        "cert-renew",
        "证书更新 Certificate renewal",
        "security",
        "替换证书并重载 Replace the certificate and reload",
        "恢复旧证书 Restore the old certificate",
        "浏览器访问检查 Check in a browser",
        30,
    ),
]


def load_change() -> int:
    """Create the demo's change records once; return how many were created."""
    users = {
        u.username: u
        for u in User.objects.filter(
            username__in=["cmdb", "engineer", "admin", "slm", "maintainer", "agent"]
        )
    }
    manager, engineer = users.get("cmdb"), users.get("engineer")
    cis = dict(
        cmdb_selectors.all_cis()
        .filter(identifier__in=["esxi-01", "hx-web-01", "hx-app-01", "hx-db-01", "core-sw-01"])
        .values_list("identifier", "pk")
    )
    if manager is None or engineer is None or len(cis) < 5:
        return 0  # the core or CMDB demo did not run
    if Change.objects.exists():
        return _load_planning(manager)
    created = 0
    for order, (text, answers) in enumerate(QUESTIONS, start=1):
        if not RiskQuestion.objects.filter(text=text).exists():
            config.create_question(
                by=manager,
                order=order,
                text=text,
                answers=[{"label": label, "weight": weight} for label, weight in answers],
            )
            created += 1
    for level, score, path in THRESHOLDS:
        config.set_threshold(by=manager, level=level, min_score=score, approval_path=path)
    members = [users[name] for name in ("engineer", "slm", "admin") if name in users]
    if not AdvisoryBoard.objects.exists():
        config.create_board(
            by=manager, code="cab", name="变更咨询委员会 CAB", quorum=2, members=members
        )
        config.create_board(
            by=manager,
            code="ecab",
            name="紧急变更委员会 Emergency CAB",
            is_emergency=True,
            quorum=1,
            members=[users.get("admin") or manager],
        )
        created += 2
    for code, name, category, plan, backout, test, minutes in TEMPLATES:
        if not ChangeTemplate.objects.filter(code=code).exists():
            config.create_template(
                by=manager,
                code=code,
                name=name,
                category=category,
                implementation_plan=plan,
                backout_plan=backout,
                test_plan=test,
                duration_minutes=minutes,
            )
            created += 1
    all_cis = {ci.identifier: ci for ci in cmdb_selectors.all_cis().filter(pk__in=cis.values())}
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    if not Window.objects.exists():
        config.create_window(
            by=manager,
            kind=WindowKind.MAINTENANCE,
            name="ESXi 周日维护窗口 Sunday maintenance",
            ci=all_cis["esxi-01"],
            weekdays=[6],
            start_time=time(0),
            end_time=time(6),
        )
        config.create_window(
            by=manager,
            kind=WindowKind.BLACKOUT,
            name="季度结账冻结 Quarter-end freeze",
            starts_at=now + timedelta(days=20),
            ends_at=now + timedelta(days=23),
        )
        created += 2
    night = now.replace(hour=22) + timedelta(days=3)
    low = {str(q.pk): 0 for q in RiskQuestion.objects.all()}
    high = {str(q.pk): len(q.answers) - 1 for q in RiskQuestion.objects.all()}

    # a scheduled standard change on the host
    template = ChangeTemplate.objects.get(code="os-patch")
    standard = changes.create_change(
        by=engineer,
        kind=ChangeKind.STANDARD,
        template=template,
        title="ESXi 01 月度补丁 Monthly patch of ESXi 01",
        planned_start=night,
        cis=[all_cis["esxi-01"]],
        implementer=engineer,
    )
    changes.schedule_standard(standard, by=engineer)
    # a normal change two hops away from it (web VM → host): a conflict, CAB approval pending
    normal = changes.create_change(
        by=engineer,
        kind=ChangeKind.NORMAL,
        title="网银 Web 升级 Online banking web upgrade",
        category="application",
        reason="安全补丁 Security fix",
        implementation_plan="滚动升级 Rolling upgrade",
        backout_plan="回滚到上一版本 Roll back to the previous release",
        test_plan="冒烟测试 Smoke test",
        planned_start=night + timedelta(hours=1),
        planned_end=night + timedelta(hours=3),
        cis=[all_cis["hx-web-01"]],
        owner=engineer,
    )
    changes.submit(normal, by=engineer)
    assessment.assess(normal, by=engineer, answers=high)
    assessment.request_approval(normal, by=engineer)
    # a closed change and a failed one rolled back (last week)
    for title, ci, failed in (
        ("核心应用参数调整 Core application tuning", "hx-app-01", False),
        ("数据库版本升级 Database upgrade", "hx-db-01", True),
    ):
        past = changes.create_change(
            by=engineer,
            kind=ChangeKind.NORMAL,
            title=title,
            implementation_plan="按手册 As per the runbook",
            backout_plan="恢复备份 Restore the backup",
            planned_start=now - timedelta(days=7),
            planned_end=now - timedelta(days=7) + timedelta(hours=2),
            cis=[all_cis[ci]],
            implementer=engineer,
        )
        changes.submit(past, by=engineer)
        assessment.assess(past, by=engineer, answers=low)
        assessment.request_approval(past, by=engineer)
        approval.decide(past, by=manager, vote="approve", comment="同意 Approved")
        changes.start(past, by=engineer)
        if failed:
            changes.fail(
                past,
                by=engineer,
                outcome_note="服务无法启动,已回退 Service did not start; rolled back",
                rolled_back=True,
            )
        else:
            changes.complete(past, by=engineer)
            changes.close(past, by=engineer, review_note="按计划完成 Completed as planned")
    # a draft, raised last: the newest change, first in the list
    changes.create_change(
        by=engineer,
        kind=ChangeKind.NORMAL,
        title="核心交换机固件 Core switch firmware",
        category="network",
        cis=[all_cis["core-sw-01"]],
    )
    return created + 5 + _load_planning(manager)


def _load_planning(manager) -> int:
    """What the calendar and the CAB meetings show this week: a weekly database maintenance
    window, a freeze today, and tomorrow's CAB meeting with its agenda (the changes awaiting
    the CAB). Once."""
    if CabMeeting.objects.exists():
        return 0
    board = AdvisoryBoard.objects.filter(code="cab").first()
    database = cmdb_selectors.all_cis().filter(identifier="hx-db-01").first()
    if board is None or database is None:
        return 0
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    config.create_window(
        by=manager,
        kind=WindowKind.MAINTENANCE,
        name="数据库周六维护窗口 Database Saturday maintenance",
        ci=database,
        weekdays=[5],
        start_time=time(22),
        end_time=time(2),
    )
    config.create_window(
        by=manager,
        kind=WindowKind.BLACKOUT,
        name="核心系统备份冻结 Core backup freeze",
        starts_at=today + timedelta(hours=1),
        ends_at=today + timedelta(hours=5),
        note="备份期间禁止变更 No change during the backup",
    )
    meeting = meetings.create_meeting(
        by=manager,
        board=board,
        title="变更咨询委员会周例会 Weekly CAB meeting",
        starts_at=today + timedelta(days=1, hours=10),
        ends_at=today + timedelta(days=1, hours=11),
        location="总部 3 楼会议室 HQ 3rd floor meeting room",
        online_link="https://meet.example.com/cab-weekly",
        attendees=list(board.members.all()),
    )
    meetings.generate_agenda(meeting, by=manager)
    return 3
