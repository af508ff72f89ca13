from django.urls import path

from itsm.ui import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("language/", views.set_language, name="set_language"),
]
