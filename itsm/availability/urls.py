"""HTML pages of availability management (mounted at ``/availability/``, namespace
``availability``)."""

from django.urls import URLPattern, URLResolver, path

from itsm.availability import lists, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.availability, name="availability"),
    path("excel/", views.availability_excel, name="availability_excel"),
    path("outages/", lists.OutageList.as_view(), name="outage_list"),
    path("outages/new/", views.outage_create, name="outage_create"),
    path("outages/sync/", views.outage_sync, name="outage_sync"),
    path("outages/<int:pk>/", views.outage_detail, name="outage_detail"),
    path("outages/<int:pk>/edit/", views.outage_edit, name="outage_edit"),
    path("outages/<int:pk>/delete/", views.outage_delete, name="outage_delete"),
]
