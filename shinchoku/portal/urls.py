from django.urls import path

from shinchoku.portal import views

app_name = "portal"
urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("summary/", views.summary, name="summary"),
    path("summary/download.<str:fmt>", views.summary_download, name="summary_download"),
    path("reports/<int:pk>/", views.report, name="report"),
    path("reports/<int:pk>/download.<str:fmt>", views.download, name="download"),
    path(
        "reports/<int:pk>/download-<slug:table>.csv",
        views.download,
        {"fmt": "csv"},
        name="download_table",
    ),
]
