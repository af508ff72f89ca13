from django.urls import path

from itsm.core import views_account

urlpatterns = [
    path("tokens/", views_account.token_list, name="tokens"),
    path("tokens/<int:pk>/revoke/", views_account.token_revoke, name="token_revoke"),
    path("password/", views_account.PasswordChangeView.as_view(), name="password_change"),
]
