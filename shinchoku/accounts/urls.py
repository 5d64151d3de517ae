from django.urls import path

from shinchoku.accounts.views import PasswordChangeView

urlpatterns = [
    path("password/", PasswordChangeView.as_view(), name="password_change"),
]
