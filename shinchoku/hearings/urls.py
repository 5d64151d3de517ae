from django.urls import path

from shinchoku.hearings import views

app_name = "hearings"
urlpatterns = [
    path("rounds/<int:pk>/", views.hearing, name="hearing"),
    path("rounds/<int:pk>/sections/<int:section_pk>/goals/<int:goal_pk>/", views.goal_mid_year, name="goal"),
    path("<int:fiscal_year>/departments/<int:pk>/", views.dashboard, name="dashboard"),
]
