from django.urls import path

from shinchoku.goals import views

app_name = "declarations"
goal = "<int:pk>/goals/<int:goal_pk>/"
indicator = f"{goal}indicators/<int:indicator_pk>/"
urlpatterns = [
    path("", views.declaration_list, name="list"),
    path("new/", views.declaration_new, name="new"),
    path("<int:pk>/", views.declaration_detail, name="detail"),
    path("<int:pk>/check/", views.figure_check, name="check"),
    path("<int:pk>/goals/", views.goal_new, name="goal_new"),
    path(goal, views.goal_edit, name="goal_edit"),
    path(f"{goal}delete/", views.goal_remove, name="goal_delete"),
    path(f"{goal}move/", views.goal_reorder, name="goal_move"),
    path(f"{goal}indicators/", views.indicator_new, name="indicator_new"),
    path(indicator, views.indicator_edit, name="indicator_edit"),
    path(f"{indicator}delete/", views.indicator_remove, name="indicator_delete"),
]
