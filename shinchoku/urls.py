from django.contrib import admin
from django.urls import include, path

from shinchoku.portal import views as portal_views

urlpatterns = [
    path("admin/", admin.site.urls),
    # The REST API (shinchoku.api, docs/api.md) and the page where staff make its access tokens.
    path("api/", include("shinchoku.api.urls")),
    path("account/tokens/", include("shinchoku.api.token_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The planning section's users and their reset links (shinchoku.accounts).
    path("m/<slug:slug>/users/", include("shinchoku.accounts.municipality_urls")),
    # Published achievement of many municipalities side by side (public, like the portal).
    path("compare/", portal_views.compare, name="compare"),
    path("compare/download.<str:fmt>", portal_views.compare_download, name="compare_download"),
    path("", include("shinchoku.web.urls")),
]
