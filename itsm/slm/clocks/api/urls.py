"""REST API of the clocks app."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
