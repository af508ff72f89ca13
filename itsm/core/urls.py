from django.urls import path

from itsm.core import pickers, views

urlpatterns = [
    path("organisations/", views.OrganisationList.as_view(), name="organisation_list"),
    path("organisations/add/", views.OrganisationCreate.as_view(), name="organisation_add"),
    path("organisations/<int:pk>/", views.OrganisationDetail.as_view(), name="organisation_detail"),
    path(
        "organisations/<int:pk>/edit/", views.OrganisationEdit.as_view(), name="organisation_edit"
    ),
    path("users/", views.UserList.as_view(), name="user_list"),
    path("users/add/", views.UserCreate.as_view(), name="user_add"),
    path("users/<int:pk>/", views.UserDetail.as_view(), name="user_detail"),
    path("users/<int:pk>/edit/", views.UserEdit.as_view(), name="user_edit"),
    path("teams/", views.TeamList.as_view(), name="team_list"),
    path("teams/add/", views.TeamCreate.as_view(), name="team_add"),
    path("teams/<int:pk>/", views.TeamDetail.as_view(), name="team_detail"),
    path("teams/<int:pk>/edit/", views.TeamEdit.as_view(), name="team_edit"),
    path("lookup/<str:name>/", pickers.lookup_view, name="lookup"),
    path(
        "history/<str:app_label>/<str:model_name>/<str:pk>/",
        views.history,
        name="history",
    ),
]
