"""HTML pages of the SLA reports (R-SLM-06), mounted by ``config/urls.py`` under ``/slm/reports/``
in the ``slm`` namespace (``slm:report``, ``slm:report_monthly``, ``slm:report_excel``)."""

from django.urls import path

from itsm.slm.reporting import views

urlpatterns = [
    path("", views.report, name="report"),
    path("monthly/", views.report_monthly, name="report_monthly"),
    path("monthly.xlsx", views.report_excel, name="report_excel"),
]
