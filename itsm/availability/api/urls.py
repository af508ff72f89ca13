"""REST API of availability management (mounted at ``/api/availability/``, namespace
``availability-api``)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import DefaultRouter

from itsm.availability.api import views

router = DefaultRouter()
router.register("outages", views.OutageViewSet, basename="outage")

urlpatterns: list[URLPattern | URLResolver] = [
    path("figures/", views.AvailabilityView.as_view(), name="figures"),
    *router.urls,
]
