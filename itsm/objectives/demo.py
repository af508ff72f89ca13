"""Demo data of management objectives (a step of ``itsm demo``; idempotent, through services).

The annual O&M objective plan of seed 004 (2016 年度运维服务指标规划) for the current year:
its policy and commitments, the company objectives (customer satisfaction 4.5, incident SLA
completion 90 %, report timeliness 100 %, fewer than 5 complaints, complaint timeliness 100 %,
service request completion 100 %) mapped to the registered KPIs where they exist
(``desk_satisfaction``, ``desk_incident_sla``, ``desk_request_completion``) and measured by
hand where not (reports, complaints: no such module yet), decomposed to a customer, a
department and a project (绩效责任书), approved by the management representative, with the
hand-entered actuals of the closed months and the misses raised as improvements; and next
year's plan as a draft.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.utils import timezone

from itsm.core import services as core_services
from itsm.core.choices import Role
from itsm.core.demo import DEMO_PASSWORD
from itsm.core.models import Organisation, Team, User
from itsm.kpi.choices import Direction, Period, Unit
from itsm.objectives import selectors, services
from itsm.objectives.choices import ObjectiveScope, PlanStatus
from itsm.objectives.models import Plan

POLICY = "客户至上、用心沟通；安全可靠、快速响应；创新高效、规范有序；建立信任、追求卓越。"
COMMITMENTS = (
    "1) 建立并传达服务管理的范围、方针和目标；\n"
    "2) 确保服务管理计划的创建、实施和保持，以支持管理方针，实现服务目标并满足服务要求；\n"
    "3) 持续向公司全体员工传达满足服务要求的重要性；\n"
    "4) 持续向公司全体员工传达满足法律法规要求和履行合同义务的重要性；\n"
    "5) 确保资源的提供；\n"
    "6) 按策划的时间间隔进行管理评审；\n"
    "7) 确保服务风险得到评估和管理。"
)
#: hand-entered monthly report timeliness (%) of the closed months: one late report in March
REPORT_TIMELINESS = {3: Decimal("95")}


def _director(provider: Organisation) -> User:
    """The management representative who approves the plan (the slm user drafts it)."""
    user = User.objects.filter(username="director").first()
    if user is None:
        user = core_services.create_user(
            username="director",
            organisation=provider,
            password=DEMO_PASSWORD,
            roles=(Role.MANAGEMENT_REPRESENTATIVE, Role.TOP_MANAGEMENT),
            display_name="郑华 Zheng Hua",
            email="director@demo.itsm.local",
        )
    return user


def load_objectives() -> int:
    """Create the demo's objective plan once; return how many records were created."""
    slm = User.objects.filter(username="slm").first()
    provider = Organisation.objects.filter(code="provider").first()
    if slm is None or provider is None or Plan.objects.exists():
        return 0
    director = _director(provider)
    year = timezone.localdate().year
    bank = Organisation.objects.filter(code="huaxin-bank").first()
    database = Team.objects.filter(code="database").first()
    plan = services.create_plan(
        by=slm,
        year=year,
        title=f"{year} 年度运维服务指标规划 O&M objective plan {year}",
        management_policy=POLICY,
        commitments=COMMITMENTS,
    )
    created = 1

    def add(**fields):
        nonlocal created
        created += 1
        return services.create_objective(by=slm, plan=plan, **fields)

    satisfaction = add(
        title="客户满意度 Customer satisfaction",
        kpi_id="desk_satisfaction",
        target=Decimal("4.5"),
        owner="项目管理部 Project management",
    )
    sla = add(
        title="事件处理按照服务级别协议完成率 Incidents within the SLA",
        kpi_id="desk_incident_sla",
        target=Decimal("90"),
        owner="运行维护部 Operations",
    )
    reports = add(
        title="服务报告交付及时率 Service reports on time",
        unit=Unit.PERCENT,
        target=Decimal("100"),
        direction=Direction.HIGHER,
        period=Period.MONTH,
        owner="运行维护部 Operations",
    )
    complaints = add(
        title="投诉数量（小于 5）Complaints (fewer than 5)",
        unit=Unit.COUNT,
        target=Decimal("4"),
        direction=Direction.LOWER,
        period=Period.YEAR,
        owner="质量部 Quality",
    )
    complaint_timeliness = add(
        title="投诉及时处理率 Complaints handled on time",
        unit=Unit.PERCENT,
        target=Decimal("100"),
        direction=Direction.HIGHER,
        period=Period.QUARTER,
        owner="质量部 Quality",
    )
    requests = add(
        title="服务请求完成率 Service requests completed",
        kpi_id="desk_request_completion",
        target=Decimal("100"),
        owner="运行维护部 Operations",
    )
    # 管理目标分解: the departments' performance responsibility statements (绩效责任书)
    if bank is not None:
        add(
            title="华信银行：事件 SLA 完成率 Huaxin Bank: incidents within the SLA",
            kpi_id="desk_incident_sla",
            target=Decimal("90"),
            scope=ObjectiveScope.CUSTOMER,
            customer=bank,
            parent=sla,
            owner="运行维护部 Operations",
        )
    if database is not None:
        add(
            title="数据库组：服务请求完成率 Database group: requests completed",
            kpi_id="desk_request_completion",
            target=Decimal("100"),
            scope=ObjectiveScope.DEPARTMENT,
            team=database,
            parent=requests,
            owner="数据库组 Database group",
        )
    add(
        title="网银运维项目：客户满意度 E-banking O&M project: satisfaction",
        kpi_id="desk_satisfaction",
        target=Decimal("4.5"),
        scope=ObjectiveScope.PROJECT,
        project="华信银行网银运维项目 Huaxin e-banking O&M",
        parent=satisfaction,
        owner="项目管理部 Project management",
    )
    services.move_plan(plan, PlanStatus.APPROVED, by=director, note="同意 Approved")
    today = timezone.localdate()
    for period in selectors.periods_of(Period.MONTH, year):
        if period.end <= today:
            value = REPORT_TIMELINESS.get(period.start.month, Decimal("100"))
            services.enter_actual(by=slm, objective=reports, period_start=period.start, value=value)
            created += 1
    for period in selectors.periods_of(Period.QUARTER, year):
        if period.end <= today:
            services.enter_actual(
                by=slm, objective=complaint_timeliness, period_start=period.start, value=100
            )
            created += 1
    services.enter_actual(
        by=slm,
        objective=complaints,
        period_start=datetime.date(year, 1, 1),
        value=2,
        note="截至目前 2 起投诉 Two complaints so far",
    )
    created += 1
    services.raise_misses(plan=plan)
    # next year's plan, still a draft: the quality manager's proposal under discussion
    draft = services.create_plan(
        by=slm,
        year=year + 1,
        title=f"{year + 1} 年度运维服务指标规划（草案）O&M objective plan {year + 1} (draft)",
        management_policy=POLICY,
        commitments=COMMITMENTS,
    )
    services.create_objective(
        by=slm,
        plan=draft,
        title="客户满意度 Customer satisfaction",
        kpi_id="desk_satisfaction",
        target=Decimal("4.6"),
        owner="项目管理部 Project management",
    )
    return created + 2
