"""The knowledge base's KPIs in the KPI catalogue (R-KB, seed 000 §4.1 工具/知识库: 知识的积累
数量, 知识的利用率, 知识的更新率, 知识的完整性, 各类知识的比重, 知识新增数量与事件、问题发生数量的
对比关系). The knowledge base serves every customer, so its figures are provider-wide."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext_lazy as _

from itsm.knowledge import selectors
from itsm.kpi.adapters import declarer, report_link
from itsm.kpi.choices import Direction, Scope, Unit
from itsm.kpi.registry import Measure, percent_of

SOURCE = "seed 000 §4.1 ({name}); R-KB"


def _ratio(numerator: int, denominator: int) -> Measure:
    return Measure(percent_of(numerator, denominator), numerator, denominator)


def new_articles(*, period_start, period_end, customer, user) -> Measure:
    count = selectors.new_articles(period_start, period_end)
    return Measure(Decimal(count), count, None)


def utilisation(*, period_start, period_end, customer, user) -> Measure:
    return _ratio(*selectors.utilisation(period_start, period_end))


def update_rate(*, period_start, period_end, customer, user) -> Measure:
    return _ratio(*selectors.update_rate(period_start, period_end))


def completeness(*, period_start, period_end, customer, user) -> Measure:
    return _ratio(*selectors.completeness(period_start, period_end))


def largest_category_share(*, period_start, period_end, customer, user) -> Measure:
    shares = selectors.category_shares(period_end)
    total = sum(n for _name, n in shares)
    return _ratio(shares[0][1] if shares else 0, total)


def articles_per_incident(*, period_start, period_end, customer, user) -> Measure:
    return _ratio(
        selectors.new_articles(period_start, period_end),
        selectors.incidents_and_problems(period_start, period_end),
    )


def report_url(period_start, period_end, customer) -> str:
    return report_link("knowledge:article_list", {})


_kpi = declarer(report_url=report_url, scope=Scope.PROVIDER, model="knowledge.Article")


NEW_ARTICLES = _kpi(
    id="kb_new_articles",
    source=SOURCE.format(name="知识的积累数量"),
    name=_("New knowledge articles"),
    description=_("Articles published for the first time in the period."),
    compute=new_articles,
    unit=Unit.COUNT,
    order=60,
)
UTILISATION = _kpi(
    id="kb_utilisation",
    source=SOURCE.format(name="知识的利用率"),
    name=_("Knowledge utilisation rate"),
    description=_(
        "Published articles marked as helpful or that solved a ticket in the period / "
        "published articles."
    ),
    compute=utilisation,
    order=61,
)
UPDATE_RATE = _kpi(
    id="kb_update_rate",
    source=SOURCE.format(name="知识的更新率"),
    name=_("Knowledge update rate"),
    description=_("Published articles whose text was revised in the period / published articles."),
    compute=update_rate,
    order=62,
)
COMPLETENESS = _kpi(
    id="kb_completeness",
    source=SOURCE.format(name="知识的完整性"),
    name=_("Knowledge completeness"),
    description=_(
        "Published articles with a category and a review date not yet passed at the end of "
        "the period / published articles."
    ),
    compute=completeness,
    order=63,
)
CATEGORY_SHARE = _kpi(
    id="kb_largest_category_share",
    source=SOURCE.format(name="各类知识的比重"),
    name=_("Share of the largest knowledge category"),
    description=_(
        "Published articles of the category holding most of them / published articles; a "
        "high share means the other kinds of knowledge are thin."
    ),
    compute=largest_category_share,
    direction=Direction.LOWER,
    order=64,
)
ARTICLES_PER_INCIDENT = _kpi(
    id="kb_articles_per_incident",
    source=SOURCE.format(name="知识新增数量与事件、问题发生数量的对比关系"),
    name=_("New articles per incident and problem"),
    description=_(
        "Articles first published in the period / incidents and problems opened in the period."
    ),
    compute=articles_per_incident,
    order=65,
)
