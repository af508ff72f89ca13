"""REST API of problem management, mounted at ``/api/problems/`` (namespace ``problems-api``)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import DefaultRouter

from itsm.problems.api import report, views

router = DefaultRouter()
router.register("problems", views.ProblemViewSet, basename="problem")
router.register("known-errors", views.KnownErrorViewSet, basename="known-error")
router.register("proposals", views.ProposalViewSet, basename="proposal")
router.register("rules", views.DetectionRuleViewSet, basename="rule")

urlpatterns: list[URLPattern | URLResolver] = [
    path("report/", report.ProblemReportView.as_view(), name="report"),
    *router.urls,
]
