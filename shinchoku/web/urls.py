from django.contrib.auth import views as auth_views
from django.urls import include, path

from shinchoku.web import views

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("m/<slug:slug>/", views.municipality, name="municipality"),
    path("m/<slug:slug>/imports/", include("shinchoku.imports.urls")),
    path("p/<slug:slug>/", include("shinchoku.portal.urls")),
]
