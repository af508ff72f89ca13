from django.urls import path

from itsm.kpi.api import views

urlpatterns = [
    path("", views.KpiListView.as_view(), name="kpi-list"),
    path("<str:kpi_id>/", views.KpiDetailView.as_view(), name="kpi-detail"),
]
