from django.urls import path

from itsm.core.outbox import views

urlpatterns = [
    path("jobs/", views.job_list, name="job_list"),
    path("messages/", views.message_list, name="message_list"),
    path("messages/<int:pk>/retry/", views.message_retry, name="message_retry"),
    path("channels/", views.channel_list, name="channel_list"),
    path("channels/new/", views.channel_create, name="channel_create"),
    path("channels/<int:pk>/edit/", views.channel_edit, name="channel_edit"),
]
