"""Configuration pages of the service desk (categories, matrix, rules, canned responses,
presence, groups, pause rules), mounted at ``/desk/config/`` in the ``desk`` namespace."""

from django.urls import path

from itsm.desk import lists_config, views_config

urlpatterns = [
    path("", views_config.home, name="config"),
    path("categories/", views_config.category_tree, name="category_tree"),
    path("categories/new/", views_config.category_create, name="category_create"),
    path("categories/<int:pk>/edit/", views_config.category_edit, name="category_edit"),
    path("categories/<int:pk>/delete/", views_config.category_delete, name="category_delete"),
    path("matrix/", views_config.matrix, name="matrix"),
    path("matrix/defaults/", views_config.matrix_defaults, name="matrix_defaults"),
    path("rules/new/", views_config.rule_create, name="rule_create"),
    path("rules/<int:pk>/edit/", views_config.rule_edit, name="rule_edit"),
    path("rules/<int:pk>/delete/", views_config.rule_delete, name="rule_delete"),
    path("canned/", lists_config.CannedResponseList.as_view(), name="canned_list"),
    path("canned/new/", views_config.canned_create, name="canned_create"),
    path("canned/<int:pk>/edit/", views_config.canned_edit, name="canned_edit"),
    path("canned/<int:pk>/delete/", views_config.canned_delete, name="canned_delete"),
    path("presence/", views_config.presence, name="presence"),
    path("presence/edit/", views_config.presence_edit, name="presence_edit"),
    path("groups/", views_config.group_list, name="group_list"),
    path("groups/edit/", views_config.group_edit, name="group_edit"),
    path("pause-rules/", views_config.pause_list, name="pause_list"),
    path("pause-rules/edit/", views_config.pause_edit, name="pause_edit"),
]
