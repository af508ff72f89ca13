"""REST API of the clocks app."""

from rest_framework.routers import DefaultRouter

from itsm.slm.clocks.api.views import ClockViewSet, SlaTestTicketViewSet

router = DefaultRouter()
router.register("clocks", ClockViewSet, basename="clock")
router.register("test-tickets", SlaTestTicketViewSet, basename="testticket")

urlpatterns = router.urls
