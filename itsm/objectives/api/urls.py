"""REST API of objectives (namespace ``objectives-api``)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import DefaultRouter

from itsm.objectives.api import views

router = DefaultRouter()
router.register("plans", views.PlanViewSet, basename="plan")
router.register("objectives", views.ObjectiveViewSet, basename="objective")
router.register("actuals", views.ManualActualViewSet, basename="actual")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
