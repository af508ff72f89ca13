"""API of desk e-mail (mounted at ``api/desk/mail/``, namespace ``deskmail-api``)."""

from rest_framework.routers import DefaultRouter

from itsm.desk.mail.api import views

router = DefaultRouter()
router.register("mailboxes", views.MailboxViewSet, basename="mailbox")
router.register("received", views.InboundMailViewSet, basename="inbound")

urlpatterns = [*router.urls]
