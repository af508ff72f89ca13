"""HTML pages of release management (mounted at ``/releases/``, namespace ``releases``)."""

from django.urls import URLPattern, URLResolver, path

from itsm.releases import lists, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", lists.ReleaseList.as_view(), name="release_list"),
    path("new/", views.release_create, name="release_create"),
    path("report/", views.report, name="report"),
    path("of-change/", views.change_releases, name="change_releases"),
    path("<int:pk>/", views.release_detail, name="release_detail"),
    path("<int:pk>/edit/", views.release_edit, name="release_edit"),
    path("<int:pk>/transition/", views.release_transition, name="release_transition"),
    path("<int:pk>/tests/", views.release_test, name="release_test"),
    path("<int:pk>/decide/", views.release_decide, name="release_decide"),
]
