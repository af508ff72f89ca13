"""JSON API of the desk reports: ``config/urls.py`` mounts it under ``/api/desk/reports/``
(``include(("itsm.desk.reporting.api.urls", "deskreports-api"))`` inside the ``api``
namespace: ``api:deskreports-api:report``)."""

from django.urls import path

from itsm.desk.reporting.api import views

urlpatterns = [
    path("", views.DeskReportView.as_view(), name="report"),
]
