"""REST API of the knowledge base (mounted at ``/api/knowledge/``)."""

from django.urls import URLPattern, URLResolver, path
from rest_framework.routers import DefaultRouter

from itsm.knowledge.api import views

router = DefaultRouter()
router.register("categories", views.CategoryViewSet, basename="category")
router.register("articles", views.ArticleViewSet, basename="article")

urlpatterns: list[URLPattern | URLResolver] = [
    path("search/", views.SearchView.as_view(), name="search"),
    *router.urls,
]
