"""HTML pages of event management (mounted at ``/events/``, namespace ``events``)."""

from django.urls import URLPattern, URLResolver, path

from itsm.events import lists, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", lists.AlertList.as_view(), name="alert_list"),
    path("alerts/<int:pk>/", views.alert_detail, name="alert_detail"),
    path("sources/", lists.SourceList.as_view(), name="source_list"),
    path("sources/new/", views.source_create, name="source_create"),
    path("sources/<int:pk>/", views.source_detail, name="source_detail"),
    path("sources/<int:pk>/edit/", views.source_edit, name="source_edit"),
    path("sources/<int:pk>/renew/", views.source_renew, name="source_renew"),
    path("rules/", lists.RuleList.as_view(), name="rule_list"),
    path("rules/new/", views.rule_create, name="rule_create"),
    path("rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("points/", lists.MonitoringPointList.as_view(), name="point_list"),
]
