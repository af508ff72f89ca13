from django.urls import path

from itsm.core.calendars import views

urlpatterns = [
    path("", views.calendar_list, name="list"),
    path("new/", views.calendar_create, name="create"),
    path("<int:pk>/", views.calendar_detail, name="detail"),
    path("<int:pk>/edit/", views.calendar_edit, name="edit"),
    path("<int:pk>/days/", views.day_add, name="day_add"),
    path("<int:pk>/days/<int:day_pk>/remove/", views.day_remove, name="day_remove"),
    path("<int:pk>/import/", views.year_import, name="import"),
    path("<int:pk>/confirm/", views.year_confirm, name="confirm"),
    path("<int:pk>/seed/", views.seed, name="seed"),
]
