from django.urls import path

from shinchoku.organizations import views

app_name = "organizations"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:pk>/", views.preview, name="preview"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("download.<str:fmt>", views.download, name="download"),
]
