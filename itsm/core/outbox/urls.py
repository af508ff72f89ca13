from django.urls import path

from itsm.core.outbox import lists, views

urlpatterns = [
    path("jobs/", lists.JobList.as_view(), name="job_list"),
    path("messages/", lists.MessageList.as_view(), name="message_list"),
    path("messages/<int:pk>/retry/", views.message_retry, name="message_retry"),
    path("channels/", views.channel_list, name="channel_list"),
    path("channels/new/", views.channel_create, name="channel_create"),
    path("channels/<int:pk>/edit/", views.channel_edit, name="channel_edit"),
]
