"""REST API of the slm app."""

from rest_framework.routers import DefaultRouter

from itsm.slm.api import views  # noqa: E402

router = DefaultRouter()
router.register("agreements", views.AgreementViewSet, basename="agreement")
router.register("targets", views.TargetViewSet, basename="target")
router.register("requirements", views.RequirementViewSet, basename="requirement")
router.register("reviews", views.ReviewMeetingViewSet, basename="review")
router.register("actions", views.ActionItemViewSet, basename="action")

urlpatterns = router.urls

# --- SLA reports (R-SLM-06) -------------------------------------------------------------------
from django.urls import path  # noqa: E402

from itsm.slm.api import reports as report_views  # noqa: E402

urlpatterns += [
    path(
        "reports/achievement/",
        report_views.AchievementReportView.as_view(),
        name="report-achievement",
    ),
    path("reports/breaches/", report_views.BreachReportView.as_view(), name="report-breaches"),
    path("reports/monthly/", report_views.MonthlyReportView.as_view(), name="report-monthly"),
]
