from django.urls import path

from shinchoku.evaluation import views

app_name = "evaluation"
urlpatterns = [
    path("", views.index, name="index"),
    path("<int:fiscal_year>/", views.achievement_year, name="year"),
    path("<int:fiscal_year>/departments/<int:pk>/", views.achievement_department, name="department"),
    path("declarations/<int:pk>/", views.declaration_detail, name="declaration"),
    path("guidelines/<int:plan_pk>/<int:fiscal_year>/", views.guideline_detail, name="guideline"),
    path("findings/dismiss/", views.finding_dismiss, name="finding_dismiss"),
    path("findings/<int:pk>/restore/", views.finding_restore, name="finding_restore"),
    path("grades/indicators/<int:pk>/", views.indicator_grade, name="indicator_grade"),
    path("grades/goals/<int:pk>/", views.goal_grade, name="goal_grade"),
    path("indicators/<int:pk>/formula/", views.indicator_formula, name="indicator_formula"),
]
