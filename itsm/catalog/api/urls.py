"""REST API of the catalog app."""

from rest_framework.routers import DefaultRouter

from itsm.catalog.api import views

router = DefaultRouter()
router.register("categories", views.ServiceCategoryViewSet, basename="category")
router.register("services", views.ServiceViewSet, basename="service")
router.register("items", views.ServiceItemViewSet, basename="item")

urlpatterns = router.urls
