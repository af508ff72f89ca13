"""JSON API of the SLA reports, mounted by ``config/urls.py`` under ``/api/slm/reports/`` in the
``slm-api`` namespace (``api:slm-api:report-achievement`` …)."""

from django.urls import path

from itsm.slm.reporting.api import views

urlpatterns = [
    path("achievement/", views.AchievementReportView.as_view(), name="report-achievement"),
    path("breaches/", views.BreachReportView.as_view(), name="report-breaches"),
    path("monthly/", views.MonthlyReportView.as_view(), name="report-monthly"),
]
