"""SLA monitoring and reporting (R-SLM-06): achievement per agreement / service / customer /
month / priority, the list of breaches with their causes, and the monthly SLA execution report
(服务级别协议执行情况月报).

Definitions (also in ``docs/modules/slm-reports.en.md``):

- a clock is **measured** in a period when it has an outcome there: a stopped clock whose
  ``stopped_at`` lies in the period, or a running/paused clock that has already breached and
  whose ``breached_at`` lies in the period. Cancelled clocks and running clocks that have not
  breached are not measured (they have no outcome yet);
- a measured clock is **breached** when its ``breached`` flag is set, or it stopped with more
  business time elapsed than its goal; otherwise it is **met**;
- **achievement** = met / measured × 100, rounded half-up to one decimal (``None`` when nothing
  was measured);
- the **target achievement** is 100 % (seed 003 KPI "服务级别指标是否全部满足 100%") unless the
  agreement declares an achievement target: an "other" target whose indicator kind is
  ``TargetIndicator.SLA_ACHIEVEMENT`` (see :func:`is_achievement_target`);
- the overall figure (:func:`overall`) is the KPI ``sla_achievement`` of the KPI catalogue
  (``itsm/slm/reporting/kpis.py``).

Every figure is aggregated in the database (``values().annotate(Count(…, filter=…))``); every
query goes through ``.restrict(user, "view")``, so a customer user only ever counts their own
organisation's clocks.

This app is the layer above ``slm`` and ``slm.clocks``: it reads agreements and targets through
``slm.selectors`` and clocks through ``clocks.selectors``, so neither of them imports it.
"""

from itsm.slm.reporting.selectors.breaches import (
    BREACH_FIELDS,
    BreachRow,
    breach_count,
    breach_queryset,
    breach_row,
    breaches,
)
from itsm.slm.reporting.selectors.measures import (
    AVAILABILITY_PENDING,
    BREACH_PAGE,
    BREACHED_Q,
    DEFAULT_TARGET,
    GROUP_LABELS,
    GROUPINGS,
    MAX_MONTHS,
    MET,
    METRIC_CHOICES,
    NO_DATA,
    NOT_ANALYSED,
    NOT_MET,
    OTHER_PENDING,
    STATUS_COLOURS,
    STATUS_LABELS,
    AchievementRow,
    Totals,
    achievement,
    achievement_targets,
    add_months,
    is_achievement_target,
    last_full_month,
    measured_at_expression,
    measured_clocks,
    month_label,
    month_period,
    monthly_series,
    months_period,
    next_month,
    overall,
    parse_month,
    percent,
    period_error,
    status_for,
    totals,
)
from itsm.slm.reporting.selectors.monthly import (
    IndicatorRow,
    MonthlyReport,
    TargetRow,
    get_agreement,
    monthly_report,
)

__all__ = [
    "AVAILABILITY_PENDING",
    "AchievementRow",
    "BREACHED_Q",
    "BREACH_FIELDS",
    "BREACH_PAGE",
    "BreachRow",
    "DEFAULT_TARGET",
    "GROUPINGS",
    "GROUP_LABELS",
    "IndicatorRow",
    "MAX_MONTHS",
    "MET",
    "METRIC_CHOICES",
    "MonthlyReport",
    "NOT_ANALYSED",
    "NOT_MET",
    "NO_DATA",
    "OTHER_PENDING",
    "STATUS_COLOURS",
    "STATUS_LABELS",
    "TargetRow",
    "Totals",
    "achievement",
    "achievement_targets",
    "add_months",
    "breach_count",
    "breach_queryset",
    "breach_row",
    "breaches",
    "get_agreement",
    "is_achievement_target",
    "last_full_month",
    "measured_at_expression",
    "measured_clocks",
    "month_label",
    "month_period",
    "monthly_report",
    "monthly_series",
    "months_period",
    "next_month",
    "overall",
    "parse_month",
    "percent",
    "period_error",
    "status_for",
    "totals",
]
