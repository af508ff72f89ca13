from rest_framework.routers import DefaultRouter

from itsm.core.outbox.api import views

router = DefaultRouter()
router.register("messages", views.OutboxMessageViewSet)
router.register("jobs", views.JobViewSet)
router.register("channels", views.NotificationChannelViewSet)

urlpatterns = [*router.urls]
