"""REST API of continual improvement (mounted at ``/api/improvement/``, namespace
``improvement-api``)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import DefaultRouter

from itsm.improvement.api import views

router = DefaultRouter()
router.register("items", views.ItemViewSet, basename="item")

urlpatterns: list[URLPattern | URLResolver] = [*router.urls]
