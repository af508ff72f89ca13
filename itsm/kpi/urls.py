from django.urls import path

from itsm.kpi import views

urlpatterns = [
    path("", views.kpi_list, name="list"),
]
