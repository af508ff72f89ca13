"""Demo data of release management (a step of ``itsm demo``; idempotent, through services).

Runs after the change demo: a deployed release of an approved change with a new application
version written to the CMDB, a rolled-back one, and a major release in testing that bundles the
change awaiting CAB approval (the newest release, first in the list).
"""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from itsm.change import selectors as change_selectors
from itsm.change import services as change_services
from itsm.change.choices import ChangeKind, ChangeStatus
from itsm.cmdb import selectors as cmdb_selectors
from itsm.core.models import User
from itsm.releases import services
from itsm.releases.choices import ReleaseKind
from itsm.releases.models import Release


def _approved_change(*, by, manager, title: str, ci, when):
    """A normal change on *ci*, assessed low and approved by the change manager."""
    change = change_services.create_change(
        by=by,
        kind=ChangeKind.NORMAL,
        title=title,
        category="application",
        implementation_plan="按发布计划 As per the release plan",
        backout_plan="回滚到上一版本 Roll back to the previous version",
        planned_start=when,
        planned_end=when + timedelta(hours=2),
        cis=[ci],
        implementer=by,
    )
    change_services.move(change, ChangeStatus.ASSESSMENT, by=by)
    change_services.assess(change, by=by, answers=_low_answers(manager))
    change_services.request_approval(change, by=by)
    change.refresh_from_db()
    if change.status == ChangeStatus.APPROVAL:
        change_services.decide(change, by=manager, vote="approve", comment="同意 Approved")
    change.refresh_from_db()
    return change


def _low_answers(user) -> dict[str, int]:
    """The first answer (the lowest risk) to each question the change demo's assessed changes
    answered."""
    assessed = (
        change_selectors.changes_for(user)
        .exclude(risk_answers={})
        .order_by("id")
        .values_list("risk_answers", flat=True)[:1]
    )
    return {key: 0 for key in (list(assessed) or [{}])[0]}


def load_releases() -> int:
    """Create the demo's releases once; return how many were created."""
    users = {u.username: u for u in User.objects.filter(username__in=["cmdb", "engineer"])}
    manager, engineer = users.get("cmdb"), users.get("engineer")
    cis = {
        ci.identifier: ci
        for ci in cmdb_selectors.all_cis().filter(identifier__in=["hx-ebank-api", "hx-web-01"])
    }
    if manager is None or engineer is None or len(cis) < 2:
        return 0
    if Release.objects.exists():
        return 0
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    created = 0

    # a deployed minor release: the e-banking API goes to 5.2.1
    app = cis["hx-ebank-api"]
    change = _approved_change(
        by=engineer,
        manager=manager,
        title="网银后台服务 5.2.1 E-banking API 5.2.1",
        ci=app,
        when=now - timedelta(days=3),
    )
    if change.status != ChangeStatus.SCHEDULED:
        return 0  # the change demo's questionnaire did not run
    release = services.create_release(
        by=engineer,
        kind=ReleaseKind.MINOR,
        title="网银后台月度发布 E-banking API monthly release",
        version_label="5.2.1",
        planned_at=now - timedelta(days=3),
        changes=[change],
        manager=manager,
        deployment_plan="1. 停止节点 Stop the node\n2. 部署包 Deploy the package\n3. 启动 Start",
        rollback_plan="重新部署 5.2.0 Redeploy 5.2.0",
        ci_versions={str(app.pk): "5.2.1"},
    )
    services.start_testing(release, by=engineer)
    services.record_test(release, by=engineer, subject="回归测试 Regression test", result="passed")
    services.request_decision(release, by=engineer)
    services.decide(release, by=manager, decision="go", comment="测试通过 Tests passed, go")
    services.deploy(release, by=engineer)
    services.succeed(release, by=engineer, note="按计划完成 Deployed as planned")
    created += 1

    # an emergency release rolled back
    web = cis["hx-web-01"]
    hotfix = change_services.create_change(
        by=engineer,
        kind=ChangeKind.EMERGENCY,
        title="网银 Web 紧急补丁 Online banking web hotfix",
        category="application",
        implementation_plan="热修复 Hotfix",
        backout_plan="恢复旧包 Restore the old package",
        planned_start=now - timedelta(days=1),
        planned_end=now - timedelta(days=1) + timedelta(hours=1),
        cis=[web],
        implementer=engineer,
    )
    change_services.move(hotfix, ChangeStatus.ASSESSMENT, by=engineer)
    change_services.assess(hotfix, by=engineer, answers=_low_answers(manager))
    change_services.request_approval(hotfix, by=engineer)
    hotfix.refresh_from_db()
    if hotfix.status == ChangeStatus.APPROVAL:
        for voter in _emergency_voters(hotfix, exclude=engineer):
            change_services.decide(hotfix, by=voter, vote="approve", comment="紧急同意 Approved")
            hotfix.refresh_from_db()
            if hotfix.status != ChangeStatus.APPROVAL:
                break
    hotfix.refresh_from_db()
    if hotfix.status == ChangeStatus.SCHEDULED:
        emergency = services.create_release(
            by=engineer,
            kind=ReleaseKind.EMERGENCY,
            title="网银紧急修复 Online banking hotfix",
            version_label="5.2.1-hf1",
            planned_at=now - timedelta(days=1),
            changes=[hotfix],
            manager=manager,
            deployment_plan="替换 Web 包 Replace the web package",
            rollback_plan="恢复旧包 Restore the old package",
        )
        services.decide(
            emergency, by=manager, decision="go", comment="紧急发布 Emergency release, go"
        )
        services.deploy(emergency, by=engineer)
        services.roll_back(
            emergency,
            by=engineer,
            outcome_note="登录失败,已回退 Log-in failed; rolled back",
        )
        created += 1

    # a change being implemented: the authorising change of CMDB and agreement edits
    upkeep = _approved_change(
        by=engineer,
        manager=manager,
        title="配置与协议维护 CMDB and agreement upkeep",
        ci=app,
        when=now - timedelta(hours=1),
    )
    if upkeep.status == ChangeStatus.SCHEDULED:
        change_services.move(upkeep, ChangeStatus.IMPLEMENTING, by=engineer)

    # a major release in testing, bundling the change awaiting CAB approval
    waiting = list(
        change_selectors.changes_for(manager)
        .filter(status=ChangeStatus.APPROVAL)
        .order_by("id")[:1]
    )
    major = services.create_release(
        by=engineer,
        kind=ReleaseKind.MAJOR,
        title="网银 6.0 大版本发布 Online banking 6.0",
        version_label="6.0.0",
        planned_at=now + timedelta(days=10),
        changes=waiting,
        manager=manager,
        deployment_plan="分批上线 Staged roll-out",
        rollback_plan="切回旧集群 Switch back to the old cluster",
    )
    if waiting:
        services.start_testing(major, by=engineer)
        services.record_test(
            major,
            by=engineer,
            subject="性能测试 Performance test",
            result="failed",
            note="峰值响应 3 秒 Peak response 3 s",
        )
    return created + 1


def _emergency_voters(change, *, exclude) -> list:
    board = getattr(change, "board", None)
    if board is None:
        return []
    return [m for m in board.members.all() if m.pk != exclude.pk]
