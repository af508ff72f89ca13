"""HTML pages of the service desk."""

from django.urls import include, path

from itsm.desk import lists, views

urlpatterns = [
    path("", lists.TicketList.as_view(), name="ticket_list"),
    path("console/", views.console, name="console"),
    path("bulk/", views.bulk, name="bulk"),
    path("console/impact/", views.impact_preview, name="impact_preview"),
    path("report/", views.report, name="report"),
    path("tickets/<int:pk>/", views.ticket_detail, name="ticket_detail"),
    path("tickets/<int:pk>/edit/", views.ticket_edit, name="ticket_edit"),
    path("tickets/<int:pk>/reply/", views.ticket_reply, name="ticket_reply"),
    path("tickets/<int:pk>/attach/", views.ticket_attach, name="ticket_attach"),
    path("attachments/<int:pk>/", views.attachment_download, name="attachment_download"),
    path("tickets/<int:pk>/rate/", views.ticket_rate, name="ticket_rate"),
    path("tickets/<int:pk>/<slug:action>/", views.ticket_action, name="ticket_action"),
    path("calls/", lists.CallList.as_view(), name="call_list"),
    path("categories/", lists.CategoryList.as_view(), name="category_list"),
    path("rules/", lists.DispatchRuleList.as_view(), name="rule_list"),
    path("survey/<str:token>/", views.survey_answer, name="survey_answer"),
    path("config/", include("itsm.desk.urls_config")),
    path("portal/", include("itsm.desk.urls_portal")),
]
