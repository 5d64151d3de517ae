"""The planning section's users page, under /m/<municipality>/users/."""

from django.urls import path

from shinchoku.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.users, name="users"),
    path("<int:pk>/password-reset/", views.password_reset_send, name="password_reset_send"),
]
