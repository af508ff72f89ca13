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
# the SLA report endpoints (/api/slm/reports/…) live in itsm.slm.reporting.api; config/urls.py
# mounts them in this namespace
