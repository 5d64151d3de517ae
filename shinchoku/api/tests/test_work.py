"""Staff endpoints: drafts read, entries and figures written as the forms write them, in the user's name."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User

from shinchoku.core.audit import Actor
from shinchoku.core.models import AuditEvent
from shinchoku.plans.models import Measurement
from shinchoku.progress.models import ProgressEntry
from shinchoku.workflow.models import RequestStatus, RoundRequest, WorkflowStep
from shinchoku.workflow.selectors import request_history
from shinchoku.workflow.services import round_close, round_request_submit

from .conftest import RESULT_YEAR, Work, client_for, make_token

BASE = "/api/v1/municipalities/midori"


def request_url(work: Work, *, goal: bool = False) -> str:
    req = work.goal_request if goal else work.request
    return f"{BASE}/rounds/{req.round_id}/sections/{req.section_id}/"


def test_me_names_the_user_their_roles_and_the_token(tokens: dict[str, str | None]) -> None:
    body = client_for(tokens["staff"]).get("/api/v1/me/").json()
    assert body["username"] == "staff"
    assert body["memberships"] == [
        {
            "municipality": "midori",
            "role": "section_staff",
            "department": None,
            "section": "企画政策課",
            "valid_from": None,
            "valid_to": None,
        }
    ]
    assert body["token"]["scope"] == "read_write" and body["token"]["prefix"].startswith("shk_")


def test_drafts_are_read_with_the_declaration_access_rules(work: Work, tokens: dict[str, str | None]) -> None:
    staff = client_for(tokens["staff"])
    listed = staff.get(f"{BASE}/declarations/").json()
    assert [d["id"] for d in listed["results"]] == [work.declaration.pk]
    detail = staff.get(f"{BASE}/declarations/{work.declaration.pk}/").json()
    assert detail["writable"] is False  # section staff read their department's declaration
    assert detail["edit_state"] == {"editable": True, "reason": "まだ公表されていません。"}
    goal = detail["goals"][0]
    assert goal["title"] == "ふるさと納税の推進" and goal["sections"] == ["企画政策課"]
    assert goal["indicators"][0]["targets"][0]["value"] == "1000000000"
    assert (
        client_for(tokens["department_head"])
        .get(f"{BASE}/declarations/{work.declaration.pk}/")
        .json()["writable"]
    )


def test_rounds_and_a_request_with_its_entries_and_goals(work: Work, tokens: dict[str, str | None]) -> None:
    staff = client_for(tokens["staff"])
    rounds = staff.get(f"{BASE}/rounds/").json()["results"]
    assert {r["id"] for r in rounds} == {work.guideline_round.pk, work.goal_round.pk}
    assert all(r["asked"] == 1 for r in rounds)  # counts cover the staff's own section only
    board = staff.get(f"{BASE}/rounds/{work.guideline_round.pk}/").json()
    assert [r["section"] for r in board["requests"]] == ["企画政策課"]
    planner_board = client_for(tokens["planner"]).get(f"{BASE}/rounds/{work.guideline_round.pk}/").json()
    assert [r["section"] for r in planner_board["requests"]] == ["企画政策課", "財政課"]
    page = staff.get(request_url(work)).json()
    assert page["can_edit"] is True and page["status"] == "pending"
    assert page["rows"][0]["results"][0] == {
        "id": work.entry.pk,
        "kind": "result",
        "fiscal_year": RESULT_YEAR,
        "position": 1,
        "text": "企画政策課の予定",
        "version": 1,
        "sections": ["企画政策課"],
    }
    goals = staff.get(request_url(work, goal=True)).json()["goals"]
    assert goals[0]["indicators"][0]["actual"] is None
    # The department head sees the request (to approve it) but may not write it.
    assert client_for(tokens["department_head"]).get(request_url(work)).json()["can_edit"] is False


def test_an_entry_is_created_changed_and_deleted_in_the_users_name(work: Work, staff: User, tokens) -> None:  # type: ignore[no-untyped-def]
    client = client_for(tokens["staff"])
    created = client.post(
        f"{request_url(work)}rows/{work.row.pk}/entries/",
        {"kind": "plan", "text": "来年度も実施する。（企画政策課）"},
        format="json",
    )
    assert created.status_code == 201, created.content
    body = created.json()
    # As the form does: the section is the responsible party, and not repeated in the text.
    assert body["text"] == "来年度も実施する。" and body["sections"] == ["企画政策課"]
    assert body["kind"] == "plan" and body["fiscal_year"] == RESULT_YEAR + 1
    url = f"{request_url(work)}entries/{body['id']}/"
    changed = client.patch(url, {"text": "来年度も継続して実施する。", "version": 1}, format="json")
    assert changed.status_code == 200 and changed.json()["version"] == 2
    events = AuditEvent.objects.filter(object_id=str(body["id"]), field="text")
    assert {e.actor_id for e in events} == {staff.pk}
    assert all(e.actor_label.startswith("api token #") for e in events)
    assert client.delete(f"{url}?version=2").status_code == 204
    assert not ProgressEntry.objects.filter(pk=body["id"]).exists()
    assert AuditEvent.objects.filter(object_id=str(body["id"]), action="delete", actor=staff).exists()


def test_a_stale_version_is_a_conflict_with_the_other_persons_text(work: Work, tokens) -> None:  # type: ignore[no-untyped-def]
    url = f"{request_url(work)}entries/{work.entry.pk}/"
    planner = client_for(tokens["planner"])
    assert planner.patch(url, {"text": "企画が先に直した。", "version": 1}, format="json").status_code == 200
    stale = client_for(tokens["staff"]).patch(
        url, {"text": "担当の古い画面から", "version": 1}, format="json"
    )
    assert stale.status_code == 409
    body = stale.json()
    assert body["code"] == "conflict" and body["current"]["version"] == 2
    assert body["current"]["values"]["text"] == "企画が先に直した。" and body["current"]["by"] == "planner"
    assert ProgressEntry.objects.get(pk=work.entry.pk).text == "企画が先に直した。"
    gone = client_for(tokens["staff"]).delete(f"{url}?version=1")
    assert gone.status_code == 409


def test_the_forms_rules_apply_and_errors_name_the_field(work: Work, tokens) -> None:  # type: ignore[no-untyped-def]
    client = client_for(tokens["staff"])
    url = f"{request_url(work)}entries/{work.entry.pk}/"
    blank = client.patch(url, {"text": "   ", "version": 1}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert blank.status_code == 400 and blank.json()["field"] == "text"
    control = client.patch(
        url, {"text": "見えない\x0b文字", "version": 1}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert control.status_code == 400
    assert control.json()["field"] == "text" and "U+000B" in control.json()["message"]
    missing = client.patch(url, {"text": "版がない"}, format="json")
    assert missing.status_code == 400 and missing.json()["field"] == "version"
    wrong_kind = client.post(
        f"{request_url(work)}rows/{work.row.pk}/entries/", {"kind": "wish", "text": "x"}, format="json"
    )
    assert wrong_kind.status_code == 400 and wrong_kind.json()["field"] == "kind"
    not_json = client.post(
        f"{request_url(work)}rows/{work.row.pk}/entries/", "kind=plan", content_type="text/plain"
    )
    assert not_json.status_code == 415 and not_json.json()["code"] == "unsupported_media_type"
    bad_json = client.post(
        f"{request_url(work)}rows/{work.row.pk}/entries/", "{", content_type="application/json"
    )
    assert bad_json.status_code == 400 and bad_json.json()["code"] == "parse_error"
    assert ProgressEntry.objects.get(pk=work.entry.pk).version == 1


def test_a_submitted_request_is_not_open_for_changes(work: Work, staff: User, tokens) -> None:  # type: ignore[no-untyped-def]
    round_request_submit(request=work.request, actor=Actor(user=staff))
    work.request.refresh_from_db()
    assert work.request.status == RequestStatus.SUBMITTED
    client = client_for(tokens["staff"])
    response = client.patch(
        f"{request_url(work)}entries/{work.entry.pk}/", {"text": "提出後", "version": 1}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "locked"
    assert client.get(request_url(work)).json()["can_edit"] is False


def test_actual_figures_are_typed_as_on_the_form_and_saved_as_measurements(
    work: Work, staff: User, tokens
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(tokens["staff"])
    url = f"{request_url(work, goal=True)}goals/{work.goal.pk}/"
    read = client.get(url).json()
    assert read["version"] == 1 and read["indicators"][0]["id"] == work.indicator.pk
    saved = client.patch(
        url,
        {
            "result_text": "寄附額が増えた。",
            "actuals": [{"indicator": work.indicator.pk, "text": "約１２億７，７００万円（見込）"}],
            "version": 1,
        },
        format="json",
    )
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["version"] == 2 and body["result_text"] == "寄附額が増えた。"
    assert body["indicators"][0]["actual"] == {
        "value": "1277000000",
        "approximate": True,
        "provisional": True,
        "text": "約１２億７，７００万円（見込）",
    }
    measurement = Measurement.objects.get()
    assert (measurement.value, measurement.fiscal_year) == (Decimal("1277000000"), RESULT_YEAR)
    assert AuditEvent.objects.filter(object_id=str(measurement.pk), field="value", actor=staff).exists()
    # Only what is sent changes: the direction text stays, the actual stays.
    client.patch(url, {"direction_text": "続ける。", "version": 2}, format="json")
    again = client.get(url).json()
    assert again["result_text"] == "寄附額が増えた。" and again["indicators"][0]["actual"] is not None
    # The form's checks: a unit that does not fit the indicator names the actual that is wrong.
    wrong = client.patch(
        url,
        {"actuals": [{"indicator": work.indicator.pk, "text": "450万件"}], "version": 3},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert wrong.status_code == 400
    assert wrong.json()["field"] == "actuals.0.text" and "does not match" in wrong.json()["message"]
    # Messages are Japanese unless the client asks otherwise (as in docs/api.md).
    japanese = client.patch(
        url, {"actuals": [{"indicator": work.indicator.pk, "text": "450万件"}], "version": 3}, format="json"
    )
    assert japanese.json()["message"] == "actuals.0.text: 単位「件」が指標の単位「円」と一致しません。"
    # A figure the form reads but the database cannot hold (10^23 at most) is refused, not a 500.
    huge = client.patch(
        url,
        {"actuals": [{"indicator": work.indicator.pk, "text": "9" * 24 + "円"}], "version": 3},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert huge.status_code == 400 and huge.json()["field"] == "actuals.0.text"
    assert "too large" in huge.json()["message"] and not Measurement.objects.filter(value__gt=10**20).exists()
    unknown = client.patch(
        url, {"actuals": [{"indicator": 999999, "text": "1円"}], "version": 3}, format="json"
    )
    assert unknown.status_code == 400 and unknown.json()["field"] == "actuals.0.indicator"
    # An empty text removes the year's actual.
    removed = client.patch(
        url, {"actuals": [{"indicator": work.indicator.pk, "text": ""}], "version": 3}, format="json"
    )
    assert removed.status_code == 200 and not Measurement.objects.exists()


# --- the approval ladder ----------------------------------------------------------------------


def test_a_step_taken_through_the_api_appears_in_the_requests_history(
    work: Work, staff: User, section_head: User, tokens
) -> None:  # type: ignore[no-untyped-def]
    url = f"{request_url(work)}steps/"
    staff_client = client_for(tokens["staff"])
    assert staff_client.get(request_url(work)).json()["actions"] == ["submit"]
    submitted = staff_client.post(
        url, {"action": "submit", "comment": "API から提出します。", "confirmed": True}, format="json"
    )
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert body["status"] == "submitted" and body["actions"] == []
    assert body["steps"][-1]["from_status"] == "pending" and body["steps"][-1]["to_status"] == "submitted"
    assert body["steps"][-1]["by"] == "staff" and body["steps"][-1]["comment"] == "API から提出します。"
    req = RoundRequest.objects.get(pk=work.request.pk)
    assert req.status == RequestStatus.SUBMITTED and req.submitted_by == staff
    # The request's history (the page 「履歴」) shows the step, in the user's name, with the comment.
    history = request_history(req)
    assert any(row.comment == "API から提出します。" and row.who.startswith("staff") for row in history)
    # Up the ladder: the section head, the department head, then the planning section accepts.
    head = client_for(make_token(section_head))
    assert head.get(request_url(work)).json()["actions"] == ["approve", "send_back"]
    assert head.post(url, {"action": "approve"}, format="json").status_code == 200
    department = client_for(tokens["department_head"])
    assert (
        department.post(url, {"action": "approve", "comment": "確認しました。"}, format="json").status_code
        == 200
    )
    accepted = client_for(tokens["planner"]).post(url, {"action": "accept"}, format="json")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"
    assert [s["to_status"] for s in accepted.json()["steps"]] == [
        "submitted",
        "approved_by_section_head",
        "approved_by_department_head",
        "accepted",
    ]
    assert WorkflowStep.objects.filter(request=work.request).count() == 4


def test_a_step_the_role_or_the_status_does_not_allow_is_refused(
    work: Work, section_head: User, tokens
) -> None:  # type: ignore[no-untyped-def]
    url = f"{request_url(work)}steps/"
    # The planning section sees the request, but submitting is the section's own step: 403.
    planner = client_for(tokens["planner"]).post(url, {"action": "submit"}, format="json")
    assert planner.status_code == 403 and planner.json()["code"] == "permission_denied"
    assert planner.json()["message"] == "あなたの役割では、この処理は行えません。"
    # Nothing was submitted, so nothing can be accepted: a 409 saying why.
    early = client_for(tokens["staff"]).post(url, {"action": "accept"}, format="json")
    assert early.status_code == 409 and early.json()["code"] == "not_possible"
    assert early.json()["message"] == "現在の状態では、この処理は行えません。"
    round_request_submit(request=work.request, actor=Actor(user=User.objects.get(username="staff")))
    # Submitted: the section head approves it, not the department head (403).
    too_soon = client_for(tokens["department_head"]).post(url, {"action": "approve"}, format="json")
    assert too_soon.status_code == 403
    # Sending back needs a comment saying what to fix.
    head = client_for(make_token(section_head))
    blank = head.post(url, {"action": "send_back", "comment": "  "}, format="json")
    assert blank.status_code == 400 and blank.json()["field"] == "comment"
    assert blank.json()["message"] == "comment: 差戻しには、修正が必要な点を記入したコメントが必要です。"
    wrong = head.post(url, {"action": "withdraw"}, format="json")
    assert wrong.status_code == 400 and wrong.json()["field"] == "action"
    sent_back = head.post(url, {"action": "send_back", "comment": "数値を確認してください。"}, format="json")
    assert sent_back.status_code == 200 and sent_back.json()["status"] == "sent_back"
    assert RoundRequest.objects.get(pk=work.request.pk).status == RequestStatus.SENT_BACK
    # A closed round takes no step.
    round_close(collection_round=work.guideline_round, actor=Actor(label="tests"))
    closed = client_for(tokens["staff"]).post(url, {"action": "submit", "confirmed": True}, format="json")
    assert closed.status_code == 409 and closed.json()["code"] == "locked"
    assert client_for(tokens["read_only"]).post(url, {"action": "submit"}, format="json").status_code == 403


def test_submitting_an_untouched_answer_asks_for_confirmation_as_the_page_does(work: Work, tokens) -> None:  # type: ignore[no-untyped-def]
    url = f"{request_url(work)}steps/"
    client = client_for(tokens["staff"])
    # The results are last year's plans as prefilled and there is no plan: the page asks to confirm.
    asked = client.post(url, {"action": "submit"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert asked.status_code == 400 and asked.json()["field"] == "confirmed"
    assert asked.json()["errors"][0]["code"] == "confirmation_needed"
    assert "confirmed: true" in asked.json()["message"]
    assert RoundRequest.objects.get(pk=work.request.pk).status == RequestStatus.PENDING
    assert not WorkflowStep.objects.filter(request=work.request).exists()
    confirmed = client.post(url, {"action": "submit", "confirmed": True}, format="json")
    assert confirmed.status_code == 200 and confirmed.json()["status"] == "submitted"
