"""REST API of change management (mounted at ``/api/changes/``)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import DefaultRouter

from itsm.change.api import report, views

router = DefaultRouter()
router.register("changes", views.ChangeViewSet, basename="change")
router.register("templates", views.TemplateViewSet, basename="template")
router.register("windows", views.WindowViewSet, basename="window")
router.register("approvals", views.ApprovalViewSet, basename="approval")
router.register("questions", views.QuestionViewSet, basename="question")
router.register("thresholds", views.ThresholdViewSet, basename="threshold")
router.register("boards", views.BoardViewSet, basename="board")
router.register("meetings", views.MeetingViewSet, basename="meeting")

urlpatterns: list[URLPattern | URLResolver] = [
    path("report/", report.ChangeReportView.as_view(), name="report"),
    *router.urls,
]
