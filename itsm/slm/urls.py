"""HTML pages of the slm app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
