"""REST API of the catalog app."""

from rest_framework.routers import DefaultRouter

router = DefaultRouter()

urlpatterns = router.urls
