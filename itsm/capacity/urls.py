"""HTML pages of capacity management (mounted at ``/capacity/``, namespace ``capacity``)."""

from django.urls import URLPattern, URLResolver, path

from itsm.capacity import lists, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", lists.MetricList.as_view(), name="metric_list"),
    path("new/", views.metric_create, name="metric_create"),
    path("upload/", views.upload, name="upload"),
    path("breaches/", lists.BreachList.as_view(), name="breaches"),
    path("<int:pk>/", views.metric_detail, name="metric_detail"),
    path("<int:pk>/edit/", views.metric_edit, name="metric_edit"),
    path("plans/", lists.PlanList.as_view(), name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/transition/", views.plan_transition, name="plan_transition"),
]
