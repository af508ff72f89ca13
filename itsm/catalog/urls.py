"""HTML pages of the catalog app."""

from django.urls import path

from itsm.catalog import lists, views

urlpatterns = [
    path("", lists.ServiceList.as_view(), name="service_list"),
    path("portal/", views.portal, name="portal"),
    path("services/new/", views.service_create, name="service_create"),
    path("services/<int:pk>/", views.service_detail, name="service_detail"),
    path("services/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("services/<int:pk>/transition/", views.service_transition, name="service_transition"),
    path("services/<int:pk>/delete/", views.service_delete, name="service_delete"),
    path("services/<int:pk>/items/", views.item_add, name="item_add"),
    path("services/<int:pk>/items/<int:item_pk>/edit/", views.item_edit, name="item_edit"),
    path("services/<int:pk>/items/<int:item_pk>/remove/", views.item_remove, name="item_remove"),
    path("categories/", lists.CategoryList.as_view(), name="category_list"),
    path("categories/new/", views.category_create, name="category_create"),
    path("categories/<int:pk>/edit/", views.category_edit, name="category_edit"),
    path("categories/<int:pk>/delete/", views.category_delete, name="category_delete"),
]
