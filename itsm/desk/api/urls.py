"""REST API of the service desk."""

from rest_framework.routers import DefaultRouter

from itsm.desk import api_portal
from itsm.desk.api import views

router = DefaultRouter()
router.register("tickets", views.TicketViewSet, basename="ticket")
router.register("attachments", views.AttachmentViewSet, basename="attachment")
router.register("calls", views.CallViewSet, basename="call")
router.register("orders", api_portal.OrderViewSet, basename="order")
router.register("categories", views.CategoryViewSet, basename="category")
router.register("dispatch-rules", views.DispatchRuleViewSet, basename="dispatch-rule")

urlpatterns = router.urls
