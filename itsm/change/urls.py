"""HTML pages of change management (mounted at ``/changes/``, namespace ``change``)."""

from django.urls import URLPattern, URLResolver, path

from itsm.change import (
    lists,
    views,
    views_calendar,
    views_config,
    views_incidents,
    views_meetings,
    views_report,
)

urlpatterns: list[URLPattern | URLResolver] = [
    path("", lists.ChangeList.as_view(), name="change_list"),
    path("new/", views.change_create, name="change_create"),
    path("<int:pk>/", views.change_detail, name="change_detail"),
    path("<int:pk>/edit/", views.change_edit, name="change_edit"),
    path("<int:pk>/transition/", views.change_transition, name="change_transition"),
    path("<int:pk>/assess/", views.change_assess, name="change_assess"),
    path("<int:pk>/decide/", views.change_decide, name="change_decide"),
    path("<int:pk>/reschedule/", views.change_reschedule, name="change_reschedule"),
    path("<int:pk>/conflicts/", views.change_check, name="change_check"),
    path("<int:pk>/incidents/", views_incidents.change_incidents, name="change_incidents"),
    path(
        "<int:pk>/incidents/link/",
        views_incidents.change_incident_link,
        name="change_incident_link",
    ),
    path("incident-links/of-ticket/", views_incidents.ticket_changes, name="ticket_changes"),
    path("incident-links/link/", views_incidents.ticket_change_link, name="ticket_change_link"),
    path(
        "incident-links/<int:pk>/remove/", views_incidents.incident_unlink, name="incident_unlink"
    ),
    path("calendar/", views_calendar.calendar, name="calendar"),
    path("report/", views_report.report, name="report"),
    path("report.xlsx", views_report.report_excel, name="report_excel"),
    # configuration
    path("templates/", lists.TemplateList.as_view(), name="template_list"),
    path("templates/new/", views_config.TemplateCreate.as_view(), name="template_create"),
    path("templates/<int:pk>/edit/", views_config.TemplateEdit.as_view(), name="template_edit"),
    path("templates/<int:pk>/delete/", views_config.template_delete, name="template_delete"),
    path("risk/questions/", lists.QuestionList.as_view(), name="question_list"),
    path("risk/questions/new/", views_config.QuestionCreate.as_view(), name="question_create"),
    path(
        "risk/questions/<int:pk>/edit/",
        views_config.QuestionEdit.as_view(),
        name="question_edit",
    ),
    path("risk/questions/<int:pk>/delete/", views_config.question_delete, name="question_delete"),
    path("risk/thresholds/", lists.ThresholdList.as_view(), name="threshold_list"),
    path("risk/thresholds/new/", views_config.ThresholdCreate.as_view(), name="threshold_create"),
    path(
        "risk/thresholds/<int:pk>/edit/",
        views_config.ThresholdEdit.as_view(),
        name="threshold_edit",
    ),
    path(
        "risk/thresholds/<int:pk>/delete/",
        views_config.threshold_delete,
        name="threshold_delete",
    ),
    path("boards/", lists.BoardList.as_view(), name="board_list"),
    path("boards/new/", views_config.BoardCreate.as_view(), name="board_create"),
    path("boards/<int:pk>/edit/", views_config.BoardEdit.as_view(), name="board_edit"),
    path("windows/", lists.WindowList.as_view(), name="window_list"),
    path("windows/new/", views_config.WindowCreate.as_view(), name="window_create"),
    path("windows/<int:pk>/edit/", views_config.WindowEdit.as_view(), name="window_edit"),
    path("windows/<int:pk>/delete/", views_config.window_delete, name="window_delete"),
    # CAB meetings
    path("meetings/", lists.MeetingList.as_view(), name="meeting_list"),
    path("meetings/new/", views_meetings.MeetingCreate.as_view(), name="meeting_create"),
    path("meetings/<int:pk>/", views_meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", views_meetings.MeetingEdit.as_view(), name="meeting_edit"),
    path(
        "meetings/<int:pk>/transition/",
        views_meetings.meeting_transition,
        name="meeting_transition",
    ),
    path("meetings/<int:pk>/agenda/", views_meetings.agenda_generate, name="agenda_generate"),
    path("meetings/<int:pk>/agenda/item/", views_meetings.agenda_item, name="agenda_item"),
    path("meetings/<int:pk>/decide/", views_meetings.meeting_decide, name="meeting_decide"),
]
