"""HTML pages of the knowledge base (mounted at ``/knowledge/``, namespace ``knowledge``)."""

from django.urls import URLPattern, URLResolver, path

from itsm.knowledge import lists, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", lists.ArticleList.as_view(), name="article_list"),
    path("portal/", views.portal, name="portal"),
    path("search/", views.search_page, name="search"),
    path("suggest/", views.suggest, name="suggest"),
    path("articles/new/", views.article_create, name="article_create"),
    path("articles/<int:pk>/", views.article_detail, name="article_detail"),
    path("articles/<int:pk>/edit/", views.article_edit, name="article_edit"),
    path("articles/<int:pk>/transition/", views.article_transition, name="article_transition"),
    path("articles/<int:pk>/delete/", views.article_delete, name="article_delete"),
    path("articles/<int:pk>/links/", views.link_add, name="link_add"),
    path("links/<int:pk>/remove/", views.link_remove, name="link_remove"),
    path("articles/<int:pk>/files/", views.attachment_add, name="attachment_add"),
    path("files/<int:pk>/remove/", views.attachment_remove, name="attachment_remove"),
    path("articles/<int:pk>/helped/", views.article_helped, name="article_helped"),
    path("articles/<int:pk>/solved/", views.article_solved, name="article_solved"),
    path("files/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("categories/", lists.CategoryList.as_view(), name="category_list"),
    path("categories/new/", views.category_create, name="category_create"),
    path("categories/<int:pk>/edit/", views.category_edit, name="category_edit"),
    path("categories/<int:pk>/delete/", views.category_delete, name="category_delete"),
]
