"""Every API operation × every persona: who is answered, who is refused, and how.

The matrix lists each operation of the OpenAPI document (a new operation must be added here:
``test_every_operation_is_in_the_matrix``) with the status each persona gets. Personas and
their tokens are in conftest.py. ``revoked`` and ``expired`` are refused with 401 everywhere,
public data included: credentials that do not work are an error, not anonymity.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from shinchoku.api.models import AccessToken
from shinchoku.core.audit import Actor
from shinchoku.policies.models import PolicySheet
from shinchoku.progress.models import ProgressEntry
from shinchoku.progress.services import progress_entry_create
from shinchoku.publishing.models import Publication
from shinchoku.workflow.models import RequestStatus, RoundRequest

from .conftest import PolicyWork, Work, client_for

PERSONAS = (
    "anonymous",
    "planner",
    "staff",
    "sibling_staff",
    "department_head",
    "viewer",
    "outsider",
    "read_only",
    "revoked",
    "expired",
)
BROKEN = {"revoked": 401, "expired": 401}

# Public data: everybody, with or without a token; broken tokens are refused.
PUBLIC = {persona: 200 for persona in PERSONAS} | BROKEN


def staff_only(**overrides: int) -> dict[str, int]:
    """A token is needed; viewers and another municipality's users have no role here (403)."""
    expected = {persona: 200 for persona in PERSONAS} | BROKEN
    expected |= {"anonymous": 401, "viewer": 403, "outsider": 403}
    return expected | overrides


def writes(ok: int, **overrides: int) -> dict[str, int]:
    """A write to ``section``'s request: its staff and the planning section; the department head
    sees it but does not write it (403), the sibling section does not see it (404), and a
    read-only token is refused whatever its user could do (403)."""
    return staff_only(
        planner=ok, staff=ok, sibling_staff=404, department_head=403, read_only=403, **overrides
    )


# (method, path in the OpenAPI document) → expected status per persona.
MATRIX: dict[tuple[str, str], dict[str, int]] = {
    ("GET", "/api/v1/municipalities/"): PUBLIC,
    ("GET", "/api/v1/municipalities/{municipality}/"): PUBLIC,
    ("GET", "/api/v1/municipalities/{municipality}/achievement/"): PUBLIC,
    ("GET", "/api/v1/municipalities/{municipality}/publications/"): PUBLIC,
    ("GET", "/api/v1/municipalities/{municipality}/publications/{publication_id}/"): PUBLIC,
    ("GET", "/api/v1/municipalities/{municipality}/publications/{publication_id}/goals/"): PUBLIC,
    ("GET", "/api/v1/municipalities/{municipality}/publications/{publication_id}/indicators/"): PUBLIC,
    ("GET", "/api/v1/municipalities/{municipality}/publications/{publication_id}/achievement/"): PUBLIC,
    ("GET", "/api/v1/municipalities/{municipality}/publications/{publication_id}/initiatives/"): PUBLIC,
    ("GET", "/api/v1/municipalities/{municipality}/publications/{publication_id}/entries/"): PUBLIC,
    ("GET", "/api/v1/municipalities/{municipality}/publications/{publication_id}/policies/"): PUBLIC,
    ("GET", "/api/v1/municipalities/{municipality}/search/"): PUBLIC,
    ("GET", "/api/v1/me/"): staff_only(viewer=200, outsider=200),
    ("GET", "/api/v1/municipalities/{municipality}/declarations/"): staff_only(),
    ("GET", "/api/v1/municipalities/{municipality}/declarations/{declaration_id}/"): staff_only(),
    ("GET", "/api/v1/municipalities/{municipality}/rounds/"): staff_only(),
    ("GET", "/api/v1/municipalities/{municipality}/rounds/{round_id}/"): staff_only(),
    ("GET", "/api/v1/municipalities/{municipality}/rounds/{round_id}/sections/{section_id}/"): staff_only(
        sibling_staff=404
    ),
    (
        "GET",
        "/api/v1/municipalities/{municipality}/rounds/{round_id}/sections/{section_id}/entries/{entry_id}/",
    ): staff_only(sibling_staff=404),
    (
        "PATCH",
        "/api/v1/municipalities/{municipality}/rounds/{round_id}/sections/{section_id}/entries/{entry_id}/",
    ): writes(200),
    (
        "DELETE",
        "/api/v1/municipalities/{municipality}/rounds/{round_id}/sections/{section_id}/entries/{entry_id}/",
    ): writes(204),
    (
        "POST",
        "/api/v1/municipalities/{municipality}/rounds/{round_id}/sections/{section_id}/rows/{row_id}/entries/",
    ): writes(201),
    (
        "GET",
        "/api/v1/municipalities/{municipality}/rounds/{round_id}/sections/{section_id}/goals/{goal_id}/",
    ): staff_only(sibling_staff=404),
    (
        "PATCH",
        "/api/v1/municipalities/{municipality}/rounds/{round_id}/sections/{section_id}/goals/{goal_id}/",
    ): writes(200),
    (
        "GET",
        "/api/v1/municipalities/{municipality}/rounds/{round_id}/sections/{section_id}/sheets/{sheet_id}/",
    ): staff_only(sibling_staff=404),
    (
        "PATCH",
        "/api/v1/municipalities/{municipality}/rounds/{round_id}/sections/{section_id}/sheets/{sheet_id}/",
    ): writes(200),
    # Submitting is the section staff's step: the planning section and the department head see the
    # request but their roles do not take this step (the service refuses it).
    (
        "POST",
        "/api/v1/municipalities/{municipality}/rounds/{round_id}/sections/{section_id}/steps/",
    ): staff_only(staff=200, planner=403, sibling_staff=404, department_head=403, read_only=403),
}


def operations() -> set[tuple[str, str]]:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    return {(method.upper(), path) for path, item in schema["paths"].items() for method in item}


def test_every_operation_is_in_the_matrix() -> None:
    found = operations()
    assert not found - set(MATRIX), f"Add these operations to MATRIX: {sorted(found - set(MATRIX))}"
    assert not set(MATRIX) - found, f"These operations no longer exist: {sorted(set(MATRIX) - found)}"


def _call(client: APIClient, method: str, url: str, body: dict[str, Any] | None) -> int:
    call: Callable[..., Any] = getattr(client, method.lower())
    return int(call(url, body, format="json").status_code if body is not None else call(url).status_code)


def _check(
    requests: list[tuple[str, str, str, Callable[[], tuple[str, dict[str, Any] | None]]]],
    tokens: dict[str, str | None],
) -> list[str]:
    wrong = []
    for method, path, persona, prepare in requests:
        url, body = prepare()
        got = _call(client_for(tokens[persona]), method, url, body)
        expected = MATRIX[(method, path)][persona]
        if got != expected:
            wrong.append(f"{method} {path} as {persona}: {got}, expected {expected}")
    return wrong


def test_public_operations(
    published_policies: Publication, published: dict[str, Publication], tokens: dict[str, str | None]
) -> None:
    # (The 施策評価 first: the seeds' import adds a 財政課 of its own, which the 施策体系 would name.)
    values = {"municipality": "midori"}
    revisions = {**published, "policies": published_policies}
    requests = []
    for (method, path), _expected in MATRIX.items():
        if "{publication_id}" in path:
            kind = (
                "guideline"
                if path.endswith(("/initiatives/", "/entries/"))
                else "policies"
                if path.endswith("/policies/")
                else "goals"
            )
            url = path.format(publication_id=revisions[kind].pk, **values)
        elif method == "GET" and path.count("{") <= 1 and MATRIX[(method, path)] is PUBLIC:
            url = path.format(**values) + ("?q=情報発信" if path.endswith("/search/") else "")
        else:
            continue
        for persona in PERSONAS:
            requests.append((method, path, persona, lambda url=url: (url, None)))
    assert len(requests) == 12 * len(PERSONAS)
    assert _check(requests, tokens) == []


def test_staff_operations(work: Work, policy: PolicyWork, tokens: dict[str, str | None]) -> None:
    req = work.request
    ids = {
        "municipality": "midori",
        "declaration_id": work.declaration.pk,
        "round_id": req.round_id,
        "section_id": req.section_id,
        "row_id": work.row.pk,
        "entry_id": work.entry.pk,
    }
    goal_ids = {**ids, "round_id": work.goal_request.round_id, "goal_id": work.goal.pk}
    sheet_ids = {**ids, "round_id": policy.request.round_id, "sheet_id": policy.sheet.pk}

    def current_version() -> int:
        return ProgressEntry.objects.get(pk=work.entry.pk).version

    def fresh_entry() -> int:
        return progress_entry_create(
            row=work.row, kind="plan", text="消される予定", sections=[req.section], actor=Actor(label="tests")
        ).pk

    def submit() -> tuple[str, dict[str, Any] | None]:
        # Each persona tries the step on a request that has not been submitted yet.
        RoundRequest.objects.filter(pk=req.pk).update(status=RequestStatus.PENDING)
        return path_of_steps.format(**ids), {"action": "submit", "comment": "API から", "confirmed": True}

    path_of_steps = "/api/v1/municipalities/{municipality}/rounds/{round_id}/sections/{section_id}/steps/"

    def prepare(method: str, path: str) -> Callable[[], tuple[str, dict[str, Any] | None]]:
        if path == path_of_steps:
            return submit
        if path.endswith("/sheets/{sheet_id}/"):
            url = path.format(**sheet_ids)
            if method == "PATCH":
                return lambda: (
                    url,
                    {"reasons": "API から", "version": PolicySheet.objects.get(pk=policy.sheet.pk).version},
                )
            return lambda: (url, None)
        if path.endswith("/goals/{goal_id}/"):
            url = path.format(**goal_ids)
            if method == "PATCH":
                return lambda: (
                    url,
                    {
                        "status_text": "API から",
                        "version": type(work.goal).objects.get(pk=work.goal.pk).version,
                    },
                )
            return lambda: (url, None)
        if method == "DELETE":

            def delete() -> tuple[str, dict[str, Any] | None]:
                entry = fresh_entry()
                return path.format(**{**ids, "entry_id": entry}) + "?version=1", None

            return delete
        url = path.format(**ids)
        if method == "PATCH":
            return lambda: (url, {"text": "API から変更", "version": current_version()})
        if method == "POST":
            return lambda: (url, {"kind": "plan", "text": "API から追加"})
        return lambda: (url, None)

    requests = [
        (method, path, persona, prepare(method, path))
        for (method, path), expected in MATRIX.items()
        if expected is not PUBLIC
        for persona in PERSONAS
    ]
    assert len(requests) == 15 * len(PERSONAS)
    assert _check(requests, tokens) == []


def test_another_municipalitys_user_sees_nothing_of_ours_through_their_own_slug(
    work: Work, tokens: dict[str, str | None]
) -> None:
    """The outsider plans ``sora``: our ids under their slug are not found, like ids that do not exist."""
    client = client_for(tokens["outsider"])
    base = "/api/v1/municipalities/sora"
    for url in (
        f"{base}/declarations/{work.declaration.pk}/",
        f"{base}/rounds/{work.request.round_id}/",
        f"{base}/rounds/{work.request.round_id}/sections/{work.request.section_id}/",
    ):
        assert client.get(url).status_code == 404, url
    response = client.patch(
        f"{base}/rounds/{work.request.round_id}/sections/{work.request.section_id}/entries/{work.entry.pk}/",
        {"text": "よそから", "version": 1},
        format="json",
    )
    assert response.status_code == 404
    assert ProgressEntry.objects.get(pk=work.entry.pk).text == "企画政策課の予定"


@pytest.mark.parametrize("persona", ["revoked", "expired"])
def test_a_broken_token_says_why(persona: str, tokens: dict[str, str | None]) -> None:
    body = client_for(tokens[persona]).get("/api/v1/municipalities/", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["status"] == 401 and body["code"] == "authentication_failed"
    assert ("revoked" if persona == "revoked" else "expired") in body["message"]


def test_a_read_only_token_reads_but_never_writes(work: Work, tokens: dict[str, str | None]) -> None:
    client = client_for(tokens["read_only"])
    url = f"/api/v1/municipalities/midori/rounds/{work.request.round_id}/sections/{work.request.section_id}/"
    assert client.get(url).status_code == 200
    refused = client.patch(
        f"{url}entries/{work.entry.pk}/", {"text": "読み取り専用", "version": 1}, format="json"
    )
    assert refused.status_code == 403
    assert refused.json()["code"] == "permission_denied"
    assert AccessToken.objects.get(name="read only").scope == "read"
