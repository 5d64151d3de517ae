from django.contrib.auth import views as auth_views
from django.urls import include, path

from shinchoku.accounts.views import LoginView
from shinchoku.organizations import views as organization_views
from shinchoku.web import views
from shinchoku.workflow.views import my_work

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("account/", include("shinchoku.accounts.urls")),
    path("setup/", organization_views.setup, name="setup"),
    path("my/", my_work, name="my_work"),
    path("language/", views.language, name="language"),
    path("healthz", views.health, name="health"),
    path("m/<slug:slug>/", views.municipality, name="municipality"),
    path("m/<slug:slug>/organization/", include("shinchoku.organizations.urls")),
    path("m/<slug:slug>/imports/", include("shinchoku.imports.urls")),
    path("m/<slug:slug>/evaluation/", include("shinchoku.evaluation.urls")),
    path("m/<slug:slug>/rounds/", include("shinchoku.workflow.urls")),
    path("m/<slug:slug>/policies/", include("shinchoku.policies.urls")),
    path("m/<slug:slug>/hearings/", include("shinchoku.hearings.urls")),
    path("m/<slug:slug>/declarations/", include("shinchoku.goals.urls")),
    path("p/<slug:slug>/", include("shinchoku.portal.urls")),
]
