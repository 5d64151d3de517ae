from django.urls import path

from shinchoku.workflow import views

app_name = "workflow"
urlpatterns = [
    path("", views.round_list, name="list"),
    path("new/", views.round_new, name="new"),
    path("<int:pk>/", views.round_detail, name="detail"),
    path("<int:pk>/close/", views.close, name="close"),
]
