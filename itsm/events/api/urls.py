"""REST API of event management (namespace ``events-api``): the alert endpoints of the
sources, and the sources, rules, monitoring points and alerts."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import DefaultRouter

from itsm.events.api import views, webhooks

router = DefaultRouter()
router.register("sources", views.AlertSourceViewSet, basename="source")
router.register("rules", views.AlertRuleViewSet, basename="rule")
router.register("points", views.MonitoringPointViewSet, basename="point")
router.register("alerts", views.AlertViewSet, basename="alert")

urlpatterns: list[URLPattern | URLResolver] = [
    path("sources/<int:pk>/alertmanager/", webhooks.alertmanager, name="alertmanager"),
    path("sources/<int:pk>/zabbix/", webhooks.zabbix, name="zabbix"),
    path("sources/<int:pk>/generic/", webhooks.generic, name="generic"),
    *router.urls,
]
