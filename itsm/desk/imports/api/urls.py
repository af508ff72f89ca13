"""REST API of historic ticket import (namespace ``deskimport-api``)."""

from django.urls import URLPattern, URLResolver
from rest_framework.routers import DefaultRouter

from itsm.desk.imports.api.views import TicketImportViewSet

router = DefaultRouter()
router.register("imports", TicketImportViewSet, basename="import")

urlpatterns: list[URLPattern | URLResolver] = list(router.urls)
