"""Event management API: alert sources, rules and monitoring points (provider staff), and
the alerts received (read-only; customers see those of their own CIs). The alert endpoints
themselves are in ``webhooks.py``. Writes go through ``itsm.events.services``."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from itsm.core.api.base import DomainViewSet
from itsm.events import services
from itsm.events.api.serializers import (
    AlertRuleSerializer,
    AlertSerializer,
    AlertSourceSerializer,
    MonitoringPointSerializer,
)
from itsm.events.filtersets import (
    AlertFilterSet,
    AlertRuleFilterSet,
    AlertSourceFilterSet,
    MonitoringPointFilterSet,
)
from itsm.events.lists import AlertList, MonitoringPointList, RuleList, SourceList
from itsm.events.models import Alert, AlertRule, AlertSource, MonitoringPoint


class SecretSerializer(serializers.Serializer):
    secret = serializers.CharField(help_text="The bearer token or HMAC key, shown this once.")


class AlertSourceViewSet(DomainViewSet):
    """Alert sources. ``POST …/{id}/secret/`` makes and answers the source's secret."""

    queryset = AlertSource.objects.all()
    list_view = SourceList
    serializer_class = AlertSourceSerializer
    filterset_class = AlertSourceFilterSet

    @extend_schema(request=None, responses=SecretSerializer)
    @action(detail=True, methods=["post"], policy_action="change", filterset_class=None)
    def secret(self, request, pk=None):
        """Make a new secret for the source (a bearer token or an HMAC key) and answer it, this
        once: the old one stops working. A new source's secret is made the same way (its
        create answer carries none, so no stored answer ever holds one)."""
        source = self.get_object()
        return Response({"secret": services.renew_secret(source, by=request.user)})

    def create_record(self, data, *, by):
        return services.create_source(by=by, **data)[0]

    def update_fields(self, instance, data, *, expected_version):
        source, _secret = services.update_source(
            instance, by=self.request.user, expected_version=expected_version, **data
        )
        return source

    def delete_record(self, instance, *, by):
        services.delete_source(instance, by=by)


class AlertRuleViewSet(DomainViewSet):
    """Alert rules, applied in ``position`` order."""

    queryset = AlertRule.objects.all()
    list_view = RuleList
    serializer_class = AlertRuleSerializer
    filterset_class = AlertRuleFilterSet

    def create_record(self, data, *, by):
        return services.create_rule(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return services.update_rule(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    def delete_record(self, instance, *, by):
        services.delete_rule(instance, by=by)


class MonitoringPointViewSet(DomainViewSet):
    """Monitoring points (seed 000 §3.5)."""

    queryset = MonitoringPoint.objects.all()
    list_view = MonitoringPointList
    serializer_class = MonitoringPointSerializer
    filterset_class = MonitoringPointFilterSet

    def create_record(self, data, *, by):
        return services.create_point(by=by, **data)

    def update_fields(self, instance, data, *, expected_version):
        return services.update_point(
            instance, by=self.request.user, expected_version=expected_version, **data
        )

    def delete_record(self, instance, *, by):
        services.delete_point(instance, by=by)


class AlertViewSet(DomainViewSet):
    """Alerts received (read-only: they arrive through the sources' endpoints)."""

    http_method_names = ["get", "head", "options"]
    queryset = Alert.objects.select_related("ticket")
    list_view = AlertList
    serializer_class = AlertSerializer
    filterset_class = AlertFilterSet
