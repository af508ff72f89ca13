"""Demo data of capacity management (a step of ``itsm demo``; idempotent, through services).

Runs after the CMDB, catalogue and change demos: four metrics with 90 days of samples every six
hours up to now — the e-banking database's disk usage growing towards its warning threshold
(forecast to reach it in about ten days), the e-banking API's CPU with a weekly pattern (the
seasonal method), the core switch's uplink (shared, flat) and a web server's free memory
(lower is worse) — and two capacity plans, one approved and one draft linked to a change.
"""

from __future__ import annotations

import math
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from itsm.capacity import services
from itsm.capacity.choices import Direction, ForecastMethod, PlanStatus
from itsm.capacity.models import Metric
from itsm.catalog import selectors as catalog_selectors
from itsm.change import selectors as change_selectors
from itsm.cmdb import selectors as cmdb_selectors
from itsm.core.models import User

DAYS = 90
STEP_HOURS = 6


def _noise(i: int) -> float:
    """A deterministic wobble in [-1, 1]."""
    return math.sin(i * 12.9898) * 0.6 + math.sin(i * 4.1414) * 0.4


def _disk(day: float, i: int) -> float:
    # 52 % ninety days ago, +0.28 points a day: 77.2 % now, 80 % in ten days
    return 52 + 0.28 * day + 0.3 * _noise(i)


def _cpu(day: float, i: int) -> float:
    # a weekly pattern (busy on weekdays, quiet at the weekend) on a slow rise
    weekday = int(day) % 7
    pattern = (6, 8, 8, 7, 5, -14, -20)[weekday]
    return 45 + 0.12 * day + pattern + 1.5 * _noise(i)


def _uplink(day: float, i: int) -> float:
    return 40 + 3 * _noise(i)


def _memory(day: float, i: int) -> float:
    # 14 GB free ninety days ago, losing 0.05 GB a day
    return 14 - 0.05 * day + 0.2 * _noise(i)


SPECS = [
    # (key, name, unit, CI identifier, service code, direction, warning, critical, method, fn)
    (
        "hx-mysql-ebank:disk_used_percent",
        "磁盘使用率 Disk usage",
        "%",
        "hx-mysql-ebank",
        "SVC-DB-01",
        Direction.UP,
        80.0,
        90.0,
        ForecastMethod.AUTO,
        _disk,
    ),
    (
        "hx-ebank-api:cpu_percent",
        "CPU 使用率 CPU usage",
        "%",
        "hx-ebank-api",
        "SVC-APP-01",
        Direction.UP,
        75.0,
        90.0,
        ForecastMethod.AUTO,
        _cpu,
    ),
    (
        "core-sw-01:uplink_percent",
        "上行链路带宽利用率 Uplink bandwidth",
        "%",
        "core-sw-01",
        "SVC-NET-01",
        Direction.UP,
        70.0,
        85.0,
        ForecastMethod.LINEAR,
        _uplink,
    ),
    (
        "hx-web-01:memory_free_gb",
        "可用内存 Free memory",
        "GB",
        "hx-web-01",
        "",
        Direction.DOWN,
        4.0,
        2.0,
        ForecastMethod.AUTO,
        _memory,
    ),
]


def load_capacity() -> int:
    """Create the demo's metrics, samples and plans once; return how many records were
    created."""
    users = {u.username: u for u in User.objects.filter(username__in=["engineer", "slm"])}
    engineer, slm = users.get("engineer"), users.get("slm")
    if engineer is None or slm is None or Metric.objects.exists():
        return 0
    cis = {
        ci.identifier: ci
        for ci in cmdb_selectors.all_cis().filter(identifier__in=[s[3] for s in SPECS])
    }
    svcs = {s.code: s for s in catalog_selectors.all_services()}
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    start = now - timedelta(days=DAYS)
    created = 0
    metrics = {}
    for key, name, unit, ci_id, svc, direction, warning, critical, method, fn in SPECS:
        ci, service = cis.get(ci_id), svcs.get(svc)
        if ci is None and service is None:
            continue
        metric = services.create_metric(
            by=engineer,
            name=name,
            unit=unit,
            key=key,
            ci=ci,
            service=service,
            direction=direction,
            warning_threshold=warning,
            critical_threshold=critical,
            forecast_method=method,
        )
        metrics[key] = metric
        rows = []
        for i in range(DAYS * 24 // STEP_HOURS + 1):
            at = start + timedelta(hours=STEP_HOURS * i)
            day = (at - start).total_seconds() / 86400
            rows.append({"at": at, "value": round(fn(day, i), 2)})
        services.record_samples(by=engineer, samples=rows, metric=metric)
        created += 1 + len(rows)
    today = timezone.localdate()
    db, app = svcs.get("SVC-DB-01"), svcs.get("SVC-APP-01")
    if db is not None:
        plan = services.create_plan(
            by=engineer,
            service=db,
            title="数据库存储扩容 Database storage 2026",
            period_start=today.replace(month=1, day=1),
            period_end=today.replace(month=12, day=31),
            current_demand="网银数据库磁盘使用率约 77 %，每天增长约 0.28 个百分点。"
            "E-banking database disk at about 77 %, growing 0.28 points a day.",
            forecast_demand="按当前趋势约十天后达到告警阈值 80 %。"
            "At the current trend it reaches the 80 % warning threshold in about ten days.",
            upgrade_due=today + timedelta(days=30),
            upgrade_cost=Decimal(48000),
            upgrade_description="为 hx-mysql-ebank 增加 2 TB SSD。Add 2 TB of SSD.",
            metrics=[m for k, m in metrics.items() if k.startswith("hx-mysql")],
        )
        services.move_plan(plan, PlanStatus.APPROVED, by=slm, note="同意 Approved")
        created += 1
    if app is not None:
        changes = list(change_selectors.changes_for(engineer).order_by("id")[:1])
        services.create_plan(
            by=engineer,
            service=app,
            title="网银应用容量评估 E-banking application capacity",
            period_start=today,
            period_end=today + timedelta(days=180),
            current_demand="工作日 CPU 峰值约 70 %。Weekday CPU peaks at about 70 %.",
            forecast_demand="",
            changes_effect="新版本预计降低 10 % CPU。The new version should cut CPU by 10 %.",
            changes=changes,
            metrics=[m for k, m in metrics.items() if k.startswith("hx-ebank-api")],
        )
        created += 1
    return created
