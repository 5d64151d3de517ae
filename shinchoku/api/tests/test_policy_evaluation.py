"""施策評価 through the API: a sheet read and written as its form does, the published report, the search."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth.models import User
from rest_framework.test import APIClient

from shinchoku.core.audit import Actor
from shinchoku.core.models import AuditEvent
from shinchoku.plans.models import Measurement
from shinchoku.policies.models import PolicySheet, ProjectResult
from shinchoku.policies.selectors import sheet_view
from shinchoku.policies.services import (
    ProjectValues,
    committee_opinion_update,
    response_update,
    sheet_internal_update,
)
from shinchoku.publishing.models import Publication
from shinchoku.publishing.services import policy_evaluation_snapshot, snapshot_publish
from shinchoku.workflow.forms import parse_actual
from shinchoku.workflow.models import RoundRequest
from shinchoku.workflow.selectors import request_history
from shinchoku.workflow.services import round_request_submit

from .conftest import RESULT_YEAR, PolicyWork, client_for

BASE = "/api/v1/municipalities/midori"


def sheet_url(policy: PolicyWork, *, sibling: bool = False) -> str:
    req = policy.sibling_request if sibling else policy.request
    sheet = policy.sibling_sheet if sibling else policy.sheet
    return f"{BASE}/rounds/{req.round_id}/sections/{req.section_id}/sheets/{sheet.pk}/"


def test_a_request_lists_its_sheets_and_a_sheet_reads_as_its_form(policy: PolicyWork, tokens) -> None:  # type: ignore[no-untyped-def]
    client = client_for(tokens["staff"])
    page = client.get(f"{BASE}/rounds/{policy.round.pk}/sections/{policy.request.section_id}/").json()
    assert page["round"]["kind"] == "policy_evaluation" and page["rows"] == [] and page["goals"] == []
    assert [(s["id"], s["label"], s["title"]) for s in page["sheets"]] == [
        (policy.sheet.pk, "1-1", "情報発信の充実")
    ]
    sheet = client.get(sheet_url(policy)).json()
    assert sheet["label"] == "1-1" and sheet["area_label"] == "1" and sheet["area_title"] == "開かれたまち"
    assert sheet["department"] == "企画部" and sheet["section"] == "企画政策課"
    assert sheet["version"] == 1 and sheet["can_edit"] is True and sheet["grades"]
    [indicator] = sheet["indicators"]
    assert indicator["id"] == policy.indicator.pk and indicator["name"] == "ホームページの年間閲覧数"
    assert indicator["actual"] is None and indicator["judgement"]["target"] == "4500000"
    assert sheet["projects"] == [
        {
            "id": policy.project.pk,
            "title": "ホームページ運営事業",
            "budget": None,
            "settlement": None,
            "result": "",
        }
    ]
    # Another section's sheet is not in this request, whoever asks.
    other = f"{BASE}/rounds/{policy.round.pk}/sections/{policy.request.section_id}/sheets/{policy.sibling_sheet.pk}/"
    assert client_for(tokens["planner"]).get(other).status_code == 404


def test_a_sheet_is_written_as_its_form_writes_it_in_the_users_name(
    policy: PolicyWork, staff: User, tokens
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(tokens["staff"])
    grades = client.get(sheet_url(policy)).json()["grades"]
    saved = client.patch(
        sheet_url(policy),
        {
            "internal_grade": grades[0],
            "reasons": "閲覧数が増えた。",
            "direction": "continue",
            "projects": [{"id": policy.project.pk, "budget": "1,234万円", "result": "サイトを改修した。"}],
            "actuals": [{"indicator": policy.indicator.pk, "text": "約４２０万件"}],
            "version": 1,
        },
        format="json",
    )
    assert saved.status_code == 200, saved.content
    body = saved.json()
    assert body["version"] == 2 and body["internal_grade"] == grades[0]
    assert body["direction"] == "continue" and body["direction_text"] == "継続"
    assert (
        body["projects"][0]["budget"] == "12340000" and body["projects"][0]["result"] == "サイトを改修した。"
    )
    assert body["indicators"][0]["actual"] == {
        "value": "4200000",
        "approximate": True,
        "provisional": False,
        "text": "約４２０万件",
    }
    assert body["indicators"][0]["judgement"]["rate"] == "93.3"
    measurement = Measurement.objects.get(indicator=policy.indicator)
    assert (measurement.value, measurement.fiscal_year) == (Decimal("4200000"), RESULT_YEAR)
    assert AuditEvent.objects.filter(object_id=str(policy.sheet.pk), field="reasons", actor=staff).exists()
    # Only what is sent changes: a project's settlement alone keeps its budget and result.
    again = client.patch(
        sheet_url(policy),
        {
            "issues": "周知が課題。",
            "projects": [{"id": policy.project.pk, "settlement": "11,000,000"}],
            "version": 2,
        },
        format="json",
    ).json()
    assert again["reasons"] == "閲覧数が増えた。" and again["issues"] == "周知が課題。"
    assert again["projects"][0] == {
        "id": policy.project.pk,
        "title": "ホームページ運営事業",
        "budget": "12340000",
        "settlement": "11000000",
        "result": "サイトを改修した。",
    }
    assert again["indicators"][0]["actual"] is not None
    # The form's checks, each naming the field at fault.
    for sent, field in (
        ({"internal_grade": "大変よい"}, "internal_grade"),
        ({"direction": "stop"}, "direction"),
        ({"projects": [{"id": policy.project.pk, "budget": "たくさん"}]}, "projects.0.budget"),
        ({"projects": [{"id": 999999, "result": "x"}]}, "projects.0.id"),
        ({"actuals": [{"indicator": policy.indicator.pk, "text": "450万円"}]}, "actuals.0.text"),
        ({"actuals": [{"indicator": 999999, "text": "1件"}]}, "actuals.0.indicator"),
        ({"reasons": "見えない\x0b文字"}, "reasons"),
        # Parsed, but more than the database holds (10^23 at most): refused, not a server error.
        ({"projects": [{"id": policy.project.pk, "settlement": "9" * 24}]}, "projects.0.settlement"),
        ({"actuals": [{"indicator": policy.indicator.pk, "text": "9" * 24 + "件"}]}, "actuals.0.text"),
    ):
        refused = client.patch(sheet_url(policy), {**sent, "version": 3}, format="json")
        assert refused.status_code == 400, (sent, refused.content)
        assert refused.json()["field"] == field, (sent, refused.json())
    assert PolicySheet.objects.get(pk=policy.sheet.pk).version == 3
    # An empty text removes the year's actual, as on the form.
    removed = client.patch(
        sheet_url(policy),
        {"actuals": [{"indicator": policy.indicator.pk, "text": ""}], "version": 3},
        format="json",
    )
    assert removed.status_code == 200 and not Measurement.objects.exists()


def test_a_stale_sheet_version_is_a_conflict_and_changes_nothing(policy: PolicyWork, tokens) -> None:  # type: ignore[no-untyped-def]
    planner = client_for(tokens["planner"])
    first = planner.patch(sheet_url(policy), {"reasons": "企画が先に書いた。", "version": 1}, format="json")
    assert first.status_code == 200 and first.json()["version"] == 2
    stale = client_for(tokens["staff"]).patch(
        sheet_url(policy),
        {
            "reasons": "古い画面から",
            "issues": "古い課題",
            "projects": [{"id": policy.project.pk, "budget": "100万円"}],
            "actuals": [{"indicator": policy.indicator.pk, "text": "400万件"}],
            "version": 1,
        },
        format="json",
    )
    assert stale.status_code == 409
    body = stale.json()
    assert (
        body["code"] == "conflict" and body["current"]["version"] == 2 and body["current"]["by"] == "planner"
    )
    assert body["current"]["values"]["reasons"] == "企画が先に書いた。"
    assert (
        body["message"]
        == "保存できませんでした。この画面を開いた後に、他の職員がこのシートを変更しています。"
    )
    sheet = PolicySheet.objects.get(pk=policy.sheet.pk)
    assert (sheet.version, sheet.reasons, sheet.issues) == (2, "企画が先に書いた。", "")
    assert ProjectResult.objects.get(pk=policy.project.pk).budget is None
    assert not Measurement.objects.exists()


def test_only_the_sections_members_write_its_sheet_while_the_request_is_open(
    policy: PolicyWork, staff: User, tokens
) -> None:  # type: ignore[no-untyped-def]
    body = {"reasons": "他の課から", "version": 1}
    # The sibling section's staff do not see this request: not found, and nothing changes.
    sibling = client_for(tokens["sibling_staff"])
    assert sibling.get(sheet_url(policy)).status_code == 404
    assert sibling.patch(sheet_url(policy), body, format="json").status_code == 404
    # … nor through their own request, which does not ask for this sheet.
    own = f"{BASE}/rounds/{policy.round.pk}/sections/{policy.sibling_request.section_id}/sheets/{policy.sheet.pk}/"
    assert sibling.patch(own, body, format="json").status_code == 404
    # The department head sees the sheet (to approve it) but does not write it.
    head = client_for(tokens["department_head"])
    assert head.get(sheet_url(policy)).json()["can_edit"] is False
    assert head.patch(sheet_url(policy), body, format="json").status_code == 403
    assert PolicySheet.objects.get(pk=policy.sheet.pk).reasons == ""
    # Their own sheet, through their own request, they write.
    assert sibling.patch(sheet_url(policy, sibling=True), body, format="json").status_code == 200
    # Submitted: not open for changes any more (409, as for entries and goals).
    round_request_submit(request=policy.request, actor=Actor(user=staff))
    locked = client_for(tokens["staff"]).patch(sheet_url(policy), body, format="json")
    assert locked.status_code == 409 and locked.json()["code"] == "locked"
    assert client_for(tokens["staff"]).get(sheet_url(policy)).json()["can_edit"] is False


def _published(policy: PolicyWork, actor: Actor) -> Publication:
    """施策 1-1 evaluated by its department and by the committee, answered, then the report published."""
    sheet = policy.sheet
    grades = sheet_view(sheet).grades
    figure, _error = parse_actual("420万件", policy.indicator)
    sheet_internal_update(
        sheet=sheet,
        values={"internal_grade": grades[1], "reasons": "閲覧数が伸びた。", "direction": "improve"},
        projects={
            policy.project.pk: ProjectValues(Decimal(12_340_000), Decimal(11_000_000), "サイトを改修した。")
        },
        actuals={policy.indicator: ("420万件", figure)},
        expected_version=1,
        actor=actor,
    )
    committee_opinion_update(
        sheet=sheet, grade=grades[0], opinion="発信の工夫を評価する。", expected_version=2, actor=actor
    )
    response_update(sheet=sheet, response="引き続き改善する。", expected_version=3, actor=actor)
    return snapshot_publish(snapshot=policy_evaluation_snapshot(policy.plan, RESULT_YEAR), actor=actor)


def test_a_published_policy_evaluation_lists_its_policy_measures(
    policy: PolicyWork, published: dict[str, Publication], actor: Actor
) -> None:
    revision = _published(policy, actor)
    grades = sheet_view(policy.sheet).grades
    client = APIClient()
    detail = client.get(f"{BASE}/publications/{revision.pk}/").json()
    assert detail["kind"] == "policy_evaluation" and detail["policy_count"] == 2 and detail["goal_count"] == 0
    listed = client.get(f"{BASE}/publications/{revision.pk}/policies/").json()
    assert listed["count"] == 2
    first = listed["results"][0]
    assert (first["number"], first["label"], first["title"]) == (1, "1-1", "情報発信の充実")
    assert (first["area_label"], first["area_title"]) == ("1", "開かれたまち")
    assert first["department"] == "企画部" and first["sections"] == ["企画政策課"]
    assert first["indicators"] == [
        {
            "name": "ホームページの年間閲覧数",
            "unit": "件",
            "baseline": "3500000",
            "baseline_year": 2020,
            "target": "4500000",
            "actual": "4200000",
            "actual_provisional": False,
            "rate": "93.3",
            "grade": first["indicators"][0]["grade"],
        }
    ]
    assert first["indicators"][0]["grade"] in grades
    assert first["projects"] == [
        {
            "title": "ホームページ運営事業",
            "budget": "12340000",
            "settlement": "11000000",
            "result": "サイトを改修した。",
        }
    ]
    assert (first["internal_grade"], first["committee_grade"]) == (grades[1], grades[0])
    assert first["direction"] == "改善" and first["reasons"] == "閲覧数が伸びた。"
    assert (
        first["committee_opinion"] == "発信の工夫を評価する。" and first["response"] == "引き続き改善する。"
    )
    assert first["portal_url"].endswith(f"/p/midori/reports/{revision.pk}/#policy-1-1")
    filtered = client.get(
        f"{BASE}/publications/{revision.pk}/policies/", {"department": "企画部", "area": "2"}
    )
    assert [p["label"] for p in filtered.json()["results"]] == ["2-1"]
    assert (
        client.get(f"{BASE}/publications/{revision.pk}/policies/", {"grade": grades[1]}).json()["count"] == 1
    )
    # A report of another kind has no 施策, and a 施策評価報告書 no goals or initiatives: JSON 404s.
    for url in (
        f"{BASE}/publications/{published['goals'].pk}/policies/",
        f"{BASE}/publications/{published['guideline'].pk}/policies/",
        f"{BASE}/publications/{revision.pk}/goals/",
        f"{BASE}/publications/{revision.pk}/initiatives/",
    ):
        response = client.get(url)
        assert response.status_code == 404 and response.json()["code"] == "not_found", url
    url = f"{BASE}/publications/{published['goals'].pk}/policies/"
    wrong = client.get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert wrong["message"] == "This revision is not a policy evaluation report: it has no policy measures."


def test_search_finds_a_published_policy_measure_by_its_title(
    policy: PolicyWork, published: dict[str, Publication], actor: Actor
) -> None:
    revision = _published(policy, actor)
    client = APIClient()
    found = client.get(f"{BASE}/search/", {"q": "情報発信の充実"})
    assert found.status_code == 200 and found["Content-Type"] == "application/json"
    body = found.json()
    # The 施策, then (an older year) the seed's goal 7 whose text says 情報発信の充実 too.
    assert body["count"] == 2 and body["next"] is None
    assert [h["kind"] for h in body["results"]] == ["policy_evaluation", "goal_declaration"]
    hit = body["results"][0]
    assert hit["publication_id"] == revision.pk and hit["kind"] == "policy_evaluation"
    assert hit["heading"] == "1-1 情報発信の充実" and hit["department"] == "企画部"
    assert hit["sections"] == ["企画政策課"] and hit["grades"] == [sheet_view(policy.sheet).grades[1]]
    assert "<mark>情報発信の充実</mark>" in hit["snippet_html"] and "<mark>" not in hit["snippet"]
    assert hit["snippet"].startswith("情報発信の充実")
    assert hit["portal_url"].endswith(f"/p/midori/reports/{revision.pk}/#policy-1-1")
    assert hit["url"].endswith(f"/api/v1/municipalities/midori/publications/{revision.pk}/")
    # Every word must appear; the portal's filters apply.
    assert client.get(f"{BASE}/search/", {"q": "情報発信 サイトを改修"}).json()["count"] == 1
    assert client.get(f"{BASE}/search/", {"q": "情報発信 存在しない語"}).json()["count"] == 0
    assert (
        client.get(f"{BASE}/search/", {"q": "情報発信の充実", "fiscal_year": RESULT_YEAR}).json()["count"]
        == 1
    )
    assert client.get(f"{BASE}/search/", {"q": "情報発信の充実", "department": "総務部"}).json()["count"] == 0
    # Pages of 20 as on the portal, across the seeds' reports too; a page past the last is a 404.
    many = client.get(f"{BASE}/search/", {"q": "市"}).json()
    assert len(many["results"]) == 20 and many["count"] > 20 and many["next"].endswith("page=2&q=%E5%B8%82")
    assert client.get(f"{BASE}/search/", {"q": "市", "page": 99}).status_code == 404
    # A control character is a space, as on the portal; no query finds nothing; none at all is a 400.
    assert (
        client.get(f"{BASE}/search/", {"q": "情報発信の\x00充実", "fiscal_year": RESULT_YEAR}).json()["count"]
        == 1
    )
    assert client.get(f"{BASE}/search/", {"q": "\x01"}).json()["count"] == 0
    assert client.get(f"{BASE}/search/", {"q": " "}).json()["count"] == 0
    missing = client.get(f"{BASE}/search/")
    assert missing.status_code == 400 and missing.json()["field"] == "q"


def test_a_policy_evaluation_answer_is_written_then_submitted_through_the_api(
    policy: PolicyWork, staff: User, tokens
) -> None:  # type: ignore[no-untyped-def]
    client = client_for(tokens["staff"])
    steps = f"{BASE}/rounds/{policy.round.pk}/sections/{policy.request.section_id}/steps/"
    # No sheet filled in yet: the page would ask to confirm, so does the API.
    asked = client.post(steps, {"action": "submit"}, format="json")
    assert asked.status_code == 400 and asked.json()["field"] == "confirmed"
    assert (
        client.patch(
            sheet_url(policy), {"reasons": "閲覧数が伸びた。", "version": 1}, format="json"
        ).status_code
        == 200
    )
    submitted = client.post(steps, {"action": "submit", "comment": "提出します。"}, format="json")
    assert submitted.status_code == 200 and submitted.json()["status"] == "submitted"
    # The request's history holds both: the sheet's change and the step, in the user's name.
    history = request_history(RoundRequest.objects.get(pk=policy.request.pk))
    assert any(row.new == "閲覧数が伸びた。" and row.who.startswith("staff") for row in history)
    assert any(row.comment == "提出します。" and row.who.startswith("staff") for row in history)
    assert client.get(sheet_url(policy)).json()["can_edit"] is False
