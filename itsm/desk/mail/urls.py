"""Pages of desk e-mail (mounted at ``desk/mail/``, namespace ``deskmail``)."""

from django.urls import path

from itsm.desk.mail import lists, views

urlpatterns = [
    path("", lists.InboundMailList.as_view(), name="inbound_list"),
    path("received/<int:pk>/", views.inbound_detail, name="inbound_detail"),
    path("mailboxes/", lists.MailboxList.as_view(), name="mailbox_list"),
    path("mailboxes/new/", views.MailboxCreate.as_view(), name="mailbox_create"),
    path("mailboxes/<int:pk>/", views.MailboxDetail.as_view(), name="mailbox_detail"),
    path("mailboxes/<int:pk>/edit/", views.MailboxEdit.as_view(), name="mailbox_edit"),
    path("mailboxes/<int:pk>/delete/", views.mailbox_delete, name="mailbox_delete"),
    path("mailboxes/<int:pk>/poll/", views.mailbox_poll, name="mailbox_poll"),
]
