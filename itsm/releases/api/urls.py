"""REST API of release management (mounted at ``/api/releases/``, namespace ``releases-api``)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import DefaultRouter

from itsm.releases.api import views

router = DefaultRouter()
router.register("releases", views.ReleaseViewSet, basename="release")
router.register("tests", views.ReleaseTestViewSet, basename="test")
router.register("decisions", views.ReleaseDecisionViewSet, basename="decision")

urlpatterns: list[URLPattern | URLResolver] = [
    path("report/", views.ReleaseReportView.as_view(), name="report"),
    *router.urls,
]
