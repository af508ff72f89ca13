"""REST API of capacity management (mounted at ``/api/capacity/``, namespace ``capacity-api``)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import DefaultRouter

from itsm.capacity.api import views

router = DefaultRouter()
router.register("metrics", views.MetricViewSet, basename="metric")
router.register("samples", views.SampleViewSet, basename="sample")
router.register("plans", views.CapacityPlanViewSet, basename="plan")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
