"""The KPI of configuration management, declared in the KPI catalogue (R-KPI, R-CMDB-05).

Configuration accuracy (配置准确率) is the figure of the configuration audits: CIs that matched
discovery exactly / CIs checked, summed over the audits closed in the period
(:func:`itsm.cmdb.selectors.configuration_accuracy_counts`, the numerator and denominator of
``configuration_accuracy`` shown on the audit list). Audits check the whole CMDB against a
discovery snapshot, not one customer's CIs, so the KPI is provider-wide: provider staff see
the same figure whichever customer they choose, customer users do not see it.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from itsm.cmdb import selectors
from itsm.kpi.choices import Direction, Period, Scope, Unit
from itsm.kpi.registry import KPI, Measure, percent_of, register_kpi


def configuration_accuracy(*, period_start, period_end, customer, user) -> Measure:
    """Matching / checked CIs of the audits closed in the period (provider-wide: *customer*
    is not used)."""
    matched, checked = selectors.configuration_accuracy_counts(
        user=user, since=period_start, until=period_end
    )
    return Measure(percent_of(matched, checked), matched, checked)


def _report_url(period_start, period_end, customer) -> str:
    return reverse("cmdb:audit_list")


CONFIGURATION_ACCURACY = register_kpi(
    KPI(
        id="configuration_accuracy",
        name=_("Configuration accuracy"),
        description=_(
            "CIs that matched discovery exactly / CIs checked, over the configuration audits "
            "closed in the period."
        ),
        compute=configuration_accuracy,
        unit=Unit.PERCENT,
        direction=Direction.HIGHER,
        period=Period.MONTH,
        scope=Scope.PROVIDER,
        source="seed 000 §3.4 (配置管理: 配置数据的准确); R-CMDB-05",
        model="cmdb.ConfigurationAudit",
        target=None,
        report_url=_report_url,
        order=20,
    )
)
