from django.urls import path

from shinchoku.accounts.views import PasswordChangeView, PasswordResetConfirmView

urlpatterns = [
    path("password/", PasswordChangeView.as_view(), name="password_change"),
    # The link e-mailed by the planning section (Django's one-time token).
    path("reset/<uidb64>/<token>/", PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
]
