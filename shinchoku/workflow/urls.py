from django.urls import path

from shinchoku.workflow import views

app_name = "workflow"
request = "<int:pk>/sections/<int:section_pk>/"
urlpatterns = [
    path("", views.round_list, name="list"),
    path("new/", views.round_new, name="new"),
    path("<int:pk>/", views.round_detail, name="detail"),
    path("<int:pk>/close/", views.close, name="close"),
    path("<int:pk>/deadline/", views.extend, name="extend"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path(
        "<int:pk>/publish/preview/<int:index>/download.<str:fmt>",
        views.preview_download,
        name="preview_download",
    ),
    path(request, views.request_detail, name="request"),
    path(f"{request}history/", views.request_history, name="history"),
    path(f"{request}submit/", views.request_step, {"action": "submit"}, name="submit"),
    path(f"{request}approve/", views.request_step, {"action": "approve"}, name="approve"),
    path(f"{request}accept/", views.request_step, {"action": "accept"}, name="accept"),
    path(f"{request}send-back/", views.request_step, {"action": "send_back"}, name="send_back"),
    path(f"{request}submit-for/", views.request_step, {"action": "submit_for"}, name="submit_for"),
    path(f"{request}approve-for/", views.request_step, {"action": "approve_for"}, name="approve_for"),
    path(f"{request}withdraw/", views.request_step, {"action": "withdraw"}, name="withdraw"),
    path(f"{request}reinstate/", views.request_step, {"action": "reinstate"}, name="reinstate"),
    path(f"{request}prefill/", views.roll_forward, name="roll_forward"),
    path(f"{request}rows/<int:row_pk>/entries/", views.entry_new, name="entry_new"),
    path(f"{request}entries/save/", views.entries_save, name="entries_save"),
    path(f"{request}entries/draft/", views.entries_draft, name="entries_draft"),
    path(f"{request}entries/draft/discard/", views.drafts_discard, name="drafts_discard"),
    path(f"{request}entries/<int:entry_pk>/", views.entry_edit, name="entry_edit"),
    path(f"{request}entries/<int:entry_pk>/delete/", views.entry_delete, name="entry_delete"),
    path(f"{request}entries/<int:entry_pk>/move/", views.entry_move, name="entry_move"),
    path(f"{request}goals/<int:goal_pk>/", views.goal_edit, name="goal_edit"),
    path(f"{request}goals/<int:goal_pk>/check/", views.goal_check, name="goal_check"),
]
