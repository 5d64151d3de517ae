"""The REST API, one include per version: /api/v1/ (shinchoku.api.v1.urls)."""

from django.urls import include, path

urlpatterns = [
    path("v1/", include("shinchoku.api.v1.urls")),
]
