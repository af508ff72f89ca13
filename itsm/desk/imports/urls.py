"""HTML pages of historic ticket import (namespace ``deskimport``)."""

from django.urls import URLPattern, URLResolver, path

from itsm.desk.imports import lists, views

app_name = "deskimport"

urlpatterns: list[URLPattern | URLResolver] = [
    path("", lists.ImportList.as_view(), name="list"),
    path("new/", views.upload, name="upload"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/check/", views.check, name="check"),
    path("<int:pk>/run/", views.run, name="run"),
    path("<int:pk>/progress/", views.progress, name="progress"),
]
