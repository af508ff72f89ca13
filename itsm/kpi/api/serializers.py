"""Query and response bodies of the KPI API."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from itsm.kpi.choices import Direction, KpiStatus, Period, Scope, Unit


class KpiQuerySerializer(serializers.Serializer):
    period = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_("A month as YYYY-MM; default: the last full month."),
    )
    customer = serializers.CharField(
        required=False,
        allow_blank=True,
        help_text=_(
            "Customer organisation id. Provider staff: default every customer; a customer "
            "user: only their own organisation (another answers 404)."
        ),
    )


class CustomerBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


@extend_schema_field({"type": "string", "format": "decimal", "nullable": True})
class DecimalText(serializers.Field):
    """A number as its exact decimal text ("66.7", "5", "100"); ``null`` when absent."""

    def __init__(self, **kwargs):
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value is None else str(value)


def _number(**kwargs):
    return DecimalText(allow_null=True, **kwargs)


class KpiFigureSerializer(serializers.Serializer):
    id = serializers.CharField(source="kpi.id")
    name = serializers.CharField(source="kpi.name")
    description = serializers.CharField(source="kpi.description")
    unit = serializers.ChoiceField(source="kpi.unit", choices=Unit.choices)
    unit_symbol = serializers.CharField()
    direction = serializers.ChoiceField(source="kpi.direction", choices=Direction.choices)
    period_kind = serializers.ChoiceField(
        source="kpi.period",
        choices=Period.choices,
        help_text=_("The KPI's default reporting period."),
    )
    scope = serializers.ChoiceField(
        source="kpi.scope",
        choices=Scope.choices,
        help_text=_("provider: the same figure whichever customer is chosen."),
    )
    # the API field is called "source"; DRF's metaclass takes declared fields off the class,
    # so it does not shadow Field.source at run time
    source = serializers.CharField(source="kpi.source")  # type: ignore[assignment]
    value = _number()
    numerator = _number(source="measure.numerator")
    denominator = _number(source="measure.denominator")
    target = _number()
    status = serializers.ChoiceField(choices=KpiStatus.choices)
    report_url = serializers.CharField(help_text=_("The underlying report (a path)."))


class KpiPeriodSerializer(serializers.Serializer):
    period = serializers.CharField(source="period.label", help_text=_("YYYY-MM"))
    period_start = serializers.DateTimeField(source="period.start")
    period_end = serializers.DateTimeField(source="period.end")
    customer = CustomerBriefSerializer(allow_null=True)


class KpiListSerializer(KpiPeriodSerializer):
    results = KpiFigureSerializer(many=True)


class KpiDetailSerializer(KpiPeriodSerializer):
    kpi = KpiFigureSerializer()
