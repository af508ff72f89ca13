"""HTML pages of continual improvement (namespace ``improvement``)."""

from django.urls import URLPattern, URLResolver, path

from itsm.improvement import lists, views

urlpatterns: list[URLPattern | URLResolver] = [
    path("", lists.ItemList.as_view(), name="item_list"),
    path("new/", views.item_create, name="item_create"),
    path("review-actions/", views.review_actions, name="review_actions"),
    path(
        "review-actions/<int:pk>/raise/",
        views.review_action_raise,
        name="review_action_raise",
    ),
    path("<int:pk>/", views.item_detail, name="item_detail"),
    path("<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("<int:pk>/transition/", views.item_transition, name="item_transition"),
    path("<int:pk>/measure/", views.item_measure, name="item_measure"),
    path("<int:pk>/effect/", views.item_effect, name="item_effect"),
]
