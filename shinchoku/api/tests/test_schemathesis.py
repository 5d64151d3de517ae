"""Property-based run of the OpenAPI document with schemathesis, against the WSGI application.

The database holds the demo's published reports (みどり市, loaded by the demo loader through the
real importer and publishing) and its open 施策評価 round (published once too), a guideline round
and a year-end round open for its sections, and the planning administrator's read-and-write token. Schemathesis generates requests for every
operation of the document (valid and invalid ones: its examples, coverage and fuzzing phases);
half of the generated path parameters are replaced by ids that exist, so that the answers about
real reports, requests, entries, goals and sheets are checked too, writes and steps included. Every answer must:

- not be a server error (5xx);
- have a status code the document lists for the operation;
- have the content type the document lists;
- match the document's schema for that status.

The run's size is ``MAX_EXAMPLES`` per operation (docs/api.md gives the count and the time).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import pytest
import schemathesis
from django.contrib.auth.models import User
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shinchoku.core.audit import Actor
from shinchoku.demo.loader import demo_load
from shinchoku.goals.models import Goal, GoalDeclaration
from shinchoku.organizations.models import Municipality
from shinchoku.plans.models import Plan
from shinchoku.policies.models import PolicySheet
from shinchoku.progress.models import InitiativeRow, ProgressEntry
from shinchoku.publishing.models import Publication
from shinchoku.publishing.services import policy_evaluation_snapshot, snapshot_publish
from shinchoku.workflow.models import CollectionRound, DocumentKind, RoundRequest
from shinchoku.workflow.services import round_open

from .conftest import DEADLINE, TODAY, make_token

MAX_EXAMPLES = 40
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


class DjangoApplication:
    """Django's WSGI application, as gunicorn runs it, on the test's database connection.

    Django closes a request's database connection when the request starts and ends; in a test
    that would close the transaction holding the test's data (Django's test client disconnects
    the same two receivers for the same reason).
    """

    def __init__(self) -> None:
        self.handler = WSGIHandler()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = self.handler(environ, start_response)
            try:
                return [b"".join(response)]
            finally:
                response.close()  # type: ignore[attr-defined]
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)


@dataclass(frozen=True)
class World:
    token: str
    # Path parameters that belong together (a round, one of its sections, one of that section's
    # entries …): an operation draws its own from the ones that name all of its parameters.
    paths: list[dict[str, Any]]


@pytest.fixture
def world(db: None, settings: Any) -> World:  # type: ignore[no-untyped-def]
    # The run sends a few thousand requests with one token: no rate limit in the way.
    rates = {"anonymous": "100000/minute", "token": "100000/minute", "token_write": "100000/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    demo_load(include_seeds=False, write=lambda _line: None)
    midori = Municipality.objects.get(slug="midori")
    planner = User.objects.get(username="kikaku")  # the demo's planning administrator
    actor = Actor(label="tests")
    plan = Plan.objects.get(municipality=midori, kind=Plan.Kind.GUIDELINE)
    latest = InitiativeRow.objects.filter(initiative__plan=plan).order_by("-fiscal_year").first()
    assert latest is not None
    guideline_round = round_open(
        municipality=midori,
        fiscal_year=latest.fiscal_year + 1,
        kind=DocumentKind.GUIDELINE_PROGRESS,
        title="進捗照会",
        deadline=DEADLINE,
        actor=actor,
        plan=plan,
        today=TODAY,
    )
    declaration = GoalDeclaration.objects.get(municipality=midori)
    goal_round = round_open(
        municipality=midori,
        fiscal_year=declaration.fiscal_year,
        kind=DocumentKind.YEAR_END_RESULTS,
        title="達成状況の照会",
        deadline=DEADLINE,
        actor=actor,
        departments=[declaration.department],
        today=TODAY,
    )
    # The demo's 施策評価 round, its report published as it stands (the sheets still empty).
    policy_round = CollectionRound.objects.get(municipality=midori, kind=DocumentKind.POLICY_EVALUATION)
    assert policy_round.plan is not None
    snapshot_publish(
        snapshot=policy_evaluation_snapshot(policy_round.plan, policy_round.fiscal_year), actor=actor
    )
    city = {"municipality": "midori"}
    paths: list[dict[str, Any]] = [city, {**city, "declaration_id": declaration.pk}]
    paths += [{**city, "publication_id": pk} for pk in Publication.objects.values_list("pk", flat=True)]
    for request in RoundRequest.objects.filter(round=policy_round):
        asked = {**city, "round_id": request.round_id, "section_id": request.section_id}
        sheets = PolicySheet.objects.filter(round=policy_round, section=request.section_id)
        paths += [asked, *({**asked, "sheet_id": sheet} for sheet in sheets.values_list("pk", flat=True))]
    for request in RoundRequest.objects.filter(round__in=[guideline_round, goal_round]):
        asked = {**city, "round_id": request.round_id, "section_id": request.section_id}
        paths.append(asked)
        entries = ProgressEntry.objects.filter(
            row__initiative__plan=plan,
            row__fiscal_year=guideline_round.fiscal_year,
            responsibles__section=request.section_id,
        )
        paths += [
            {**asked, "row_id": row, "entry_id": entry} for entry, row in entries.values_list("pk", "row_id")
        ]
        goals = Goal.objects.filter(declaration__rounds=request.round_id, sections=request.section_id)
        paths += [{**asked, "goal_id": goal} for goal in goals.values_list("pk", flat=True)]
    assert Publication.objects.filter(municipality=midori).count() == 3
    assert all(any(name in p for p in paths) for name in ("entry_id", "goal_id", "sheet_id"))
    return World(token=make_token(planner, name="schemathesis"), paths=paths)


@pytest.fixture
def api_schema(world: World, request: pytest.FixtureRequest) -> Any:
    # schemathesis 4.32.5 renames the test item for each operation through ``_nodeid``, which
    # pytest 9.2 no longer has (``_id``): give it the attribute, so that it finds what it reads.
    if not hasattr(request.node, "_nodeid"):
        request.node._nodeid = request.node.nodeid
    document = json.loads(
        OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True))
    )
    schema = schemathesis.openapi.from_dict(document)
    schema.app = DjangoApplication()

    @schema.hook
    def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any] | None) -> Any:
        # Half the time, parameters that name things that exist and belong together.
        if not path_parameters:
            return st.just(path_parameters)
        names = set(path_parameters)
        real = [{name: p[name] for name in names} for p in world.paths if names <= set(p)]
        return (
            st.one_of(st.just(path_parameters), st.sampled_from(real)) if real else st.just(path_parameters)
        )

    @schema.hook
    def flatmap_query(context: Any, query: dict[str, Any] | None) -> Any:
        # A page that exists now and then: most page numbers drawn at random are past the last.
        if not query or "page" not in query:
            return st.just(query)
        return st.one_of(st.just(query), st.just({k: v for k, v in query.items() if k != "page"}))

    return schema


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_keeps_to_its_openapi_document(case: Any, world: World) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {world.token}"}, checks=CHECKS)
