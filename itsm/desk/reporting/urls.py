"""Pages of the desk reports: ``config/urls.py`` mounts them under ``/desk/reports/``
(``include("itsm.desk.reporting.urls")``, namespace ``deskreports``)."""

from django.urls import path

from itsm.desk.reporting import views

app_name = "deskreports"

urlpatterns = [
    path("", views.report, name="report"),
    path("report.xlsx", views.report_excel, name="report_excel"),
]
