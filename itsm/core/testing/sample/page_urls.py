"""A test URLconf: the project's URLs plus the sample ticket's pages (``sample:…``).
Use with ``@pytest.mark.urls("itsm.core.testing.sample.page_urls")``."""

from django.urls import include, path

from itsm.config.urls import urlpatterns as project_urlpatterns
from itsm.core.testing.sample import views

pages = [
    path("new/", views.TicketCreate.as_view(), name="ticket_add"),
    path("<int:pk>/", views.TicketDetail.as_view(), name="ticket_detail"),
    path("<int:pk>/edit/", views.TicketEdit.as_view(), name="ticket_edit"),
    path("<int:pk>/transition/", views.TicketTransition.as_view(), name="ticket_transition"),
]

urlpatterns = [*project_urlpatterns, path("sample/", include((pages, "sample")))]
