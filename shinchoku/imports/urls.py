from django.urls import path

from shinchoku.imports import views

app_name = "imports"
urlpatterns = [
    path("", views.upload, name="upload"),
    path("<int:pk>/", views.preview, name="preview"),
    path("<int:pk>/commit/", views.commit, name="commit"),
    path("<int:pk>/records/<slug:record>/", views.record_edit, name="record_edit"),
    path("<int:pk>/checks/", views.line_check, name="line_check"),
    path("<int:pk>/mapping/", views.mapping, name="mapping"),
]
