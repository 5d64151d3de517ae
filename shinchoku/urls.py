from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The planning section's users and their reset links (shinchoku.accounts).
    path("m/<slug:slug>/users/", include("shinchoku.accounts.municipality_urls")),
    path("", include("shinchoku.web.urls")),
]
