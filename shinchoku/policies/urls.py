from django.urls import path

from shinchoku.policies import views

app_name = "policies"
urlpatterns = [
    path("structure/", views.structure_upload, name="structure"),
    path("rounds/<int:pk>/sections/<int:section_pk>/sheets/<int:sheet_pk>/", views.sheet_edit, name="sheet"),
    path("sheets/<int:sheet_pk>/response/", views.sheet_response, name="response"),
    path("rounds/<int:pk>/committee/", views.committee, name="committee"),
    path("rounds/<int:pk>/committee/sheets/<int:sheet_pk>/", views.committee_sheet, name="committee_sheet"),
    path("reviews/", views.my_reviews, name="my_reviews"),
    path("reviews/<int:review_pk>/", views.review_edit, name="review"),
]
