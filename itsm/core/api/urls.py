from django.urls import path
from rest_framework.routers import DefaultRouter

from itsm.core.api import views

router = DefaultRouter()
router.register("organisations", views.OrganisationViewSet)
router.register("users", views.UserViewSet)
router.register("teams", views.TeamViewSet)
router.register("tokens", views.ApiTokenViewSet, basename="token")

urlpatterns = [path("me/", views.me, name="me"), *router.urls]
