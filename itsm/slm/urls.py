"""HTML pages of the slm app."""

from django.urls import path

from itsm.slm import lists, views

urlpatterns: list = [
    path("", lists.AgreementList.as_view(), name="agreement_list"),
    path("agreements/new/", views.agreement_create, name="agreement_create"),
    path("agreements/<int:pk>/", views.agreement_detail, name="agreement_detail"),
    path("agreements/<int:pk>/edit/", views.agreement_edit, name="agreement_edit"),
    path(
        "agreements/<int:pk>/transition/", views.agreement_transition, name="agreement_transition"
    ),
    path(
        "agreements/<int:pk>/reviews/",
        views.agreement_generate_reviews,
        name="agreement_generate_reviews",
    ),
    path("agreements/<int:pk>/targets/new/", views.target_add, name="target_add"),
    path("targets/<int:pk>/edit/", views.target_edit, name="target_edit"),
    path("targets/<int:pk>/delete/", views.target_delete, name="target_delete"),
    path("requirements/", lists.RequirementList.as_view(), name="requirement_list"),
    path("requirements/new/", views.requirement_create, name="requirement_create"),
    path("requirements/<int:pk>/", views.requirement_detail, name="requirement_detail"),
    path("requirements/<int:pk>/edit/", views.requirement_edit, name="requirement_edit"),
    path("requirements/<int:pk>/review/", views.requirement_review, name="requirement_review"),
    path("reviews/", lists.ReviewList.as_view(), name="review_list"),
    path("reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/actions/", views.action_add, name="action_add"),
    path("actions/<int:pk>/status/", views.action_status, name="action_status"),
]
# the SLA reports (/slm/reports/…, names slm:report…) live in itsm.slm.reporting, a layer above
# slm and slm.clocks; config/urls.py mounts them in this namespace
