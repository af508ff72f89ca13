"""HTML pages of the clocks app."""

from django.urls import path

from itsm.slm.clocks import lists, views, views_panel

urlpatterns = [
    path("", lists.ClockList.as_view(), name="clock_list"),
    path(
        "panel/<str:app_label>/<str:model_name>/<int:pk>/",
        views_panel.clock_panel,
        name="clock_panel",
    ),
    path("test-tickets/", lists.TestTicketList.as_view(), name="testticket_list"),
    path("test-tickets/new/", views.testticket_create, name="testticket_create"),
    path("test-tickets/<int:pk>/", views.testticket_detail, name="testticket_detail"),
    path(
        "test-tickets/<int:pk>/<slug:action>/",
        views.testticket_action,
        name="testticket_action",
    ),
]
