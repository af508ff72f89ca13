"""Pages of problem management, mounted at ``/problems/`` (namespace ``problems``)."""

from django.urls import URLPattern, URLResolver, path

from itsm.problems import lists, views, views_report

urlpatterns: list[URLPattern | URLResolver] = [
    path("", lists.ProblemList.as_view(), name="problem_list"),
    path("new/", views.ProblemCreate.as_view(), name="problem_create"),
    path("<int:pk>/", views.problem_detail, name="problem_detail"),
    path("<int:pk>/edit/", views.ProblemEdit.as_view(), name="problem_edit"),
    path("<int:pk>/transition/", views.ProblemTransition.as_view(), name="problem_transition"),
    path("<int:pk>/link/", views.problem_link, name="problem_link"),
    path("<int:pk>/unlink/", views.problem_unlink, name="problem_unlink"),
    path("known-errors/", lists.KnownErrorList.as_view(), name="known_error_list"),
    path("known-errors/new/", views.KnownErrorCreate.as_view(), name="known_error_create"),
    path("known-errors/<int:pk>/", views.known_error_detail, name="known_error_detail"),
    path("known-errors/<int:pk>/edit/", views.KnownErrorEdit.as_view(), name="known_error_edit"),
    path(
        "known-errors/<int:pk>/transition/",
        views.KnownErrorTransition.as_view(),
        name="known_error_transition",
    ),
    path("known-errors/<int:pk>/publish/", views.known_error_publish, name="known_error_publish"),
    path("known-errors/<int:pk>/link/", views.known_error_link, name="known_error_link"),
    path("known-errors/<int:pk>/unlink/", views.known_error_unlink, name="known_error_unlink"),
    path("of-ticket/", views.ticket_problems, name="ticket_problems"),
    path("proposals/", lists.ProposalList.as_view(), name="proposal_list"),
    path("proposals/<int:pk>/", views.proposal_detail, name="proposal_detail"),
    path("proposals/<int:pk>/accept/", views.proposal_accept, name="proposal_accept"),
    path("proposals/<int:pk>/dismiss/", views.proposal_dismiss, name="proposal_dismiss"),
    path("rules/", lists.DetectionRuleList.as_view(), name="rule_list"),
    path("rules/new/", views.RuleCreate.as_view(), name="rule_create"),
    path("rules/<int:pk>/edit/", views.RuleEdit.as_view(), name="rule_edit"),
    path("rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("report/", views_report.report, name="report"),
    path("report.xlsx", views_report.report_excel, name="report_excel"),
]
