"""The customer portal: order from the catalogue (mounted at ``/desk/portal/`` in the
``desk`` namespace); following, commenting on and deciding own tickets happen on the ticket
page."""

from django.urls import path

from itsm.desk import views_portal

urlpatterns = [
    path("", views_portal.catalogue, name="portal_catalogue"),
    path("items/<int:item_pk>/order/", views_portal.order, name="portal_order"),
    path("tasks/<int:pk>/move/", views_portal.task_move, name="portal_task_move"),
]
