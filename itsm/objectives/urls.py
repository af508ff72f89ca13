"""HTML pages of objectives (namespace ``objectives``)."""

from django.urls import URLPattern, URLResolver, path

from itsm.objectives import lists, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("excel/", views.dashboard_excel, name="dashboard_excel"),
    path("plans/", lists.PlanList.as_view(), name="plan_list"),
    path("plans/new/", views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/transition/", views.plan_transition, name="plan_transition"),
    path("plans/<int:pk>/misses/", views.raise_misses, name="raise_misses"),
    path("plans/<int:plan_pk>/objectives/new/", views.objective_create, name="objective_create"),
    path("<int:pk>/edit/", views.objective_edit, name="objective_edit"),
    path("<int:pk>/actual/", views.actual_enter, name="actual_enter"),
]
