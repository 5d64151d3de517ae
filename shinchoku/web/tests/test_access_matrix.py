"""Every URL of a municipality × every persona: allowed or refused, as designed.

The URLs are read from the resolver, so a new URL that nobody has placed in
``MATRIX`` fails ``test_every_municipality_url_is_in_the_matrix`` until someone
decides who may see it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from shinchoku.core.audit import Actor
from shinchoku.demo.loader import DOCUMENTS_DIR
from shinchoku.evaluation.quality import ReportRef, report_findings
from shinchoku.evaluation.services import finding_dismiss
from shinchoku.goals.models import Goal, GoalDeclaration
from shinchoku.imports.services import pending_import_create, report_import
from shinchoku.organizations.master import organization_upload_create
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.plans.models import Plan
from shinchoku.progress.models import ProgressEntry
from shinchoku.publishing.services import goal_declaration_publish
from shinchoku.workflow.models import DocumentKind
from shinchoku.workflow.services import round_open

DEMO_GOALS = "midori_goal_declaration_2024.txt"
DEMO_GUIDELINE = "midori_guideline_progress_2024.txt"

PERSONAS = (
    "anonymous",
    "outsider",  # the planning administrator of another municipality
    "viewer",
    "evaluator",
    "staff",  # section staff of `section`
    "section_head",  # of `section`
    "department_head",  # of `department`, which holds `section`
    "planner",
)
EVERYONE = frozenset(PERSONAS)
PLANNING = frozenset({"planner"})
ROUND_BOARD = frozenset({"planner", "department_head", "section_head", "staff"})
MEMBERS = EVERYONE - {"anonymous", "outsider"}
GRADERS = frozenset({"planner", "department_head"})
# Write a section's entries: its staff and head, and the planning section, which answers
# for a section that cannot (every change is in the history under its name).
SECTION_MEMBERS = frozenset({"staff", "section_head", "planner"})
DECLARERS = frozenset({"planner", "department_head"})  # write their department's goal declaration


@dataclass(frozen=True)
class Expect:
    allowed: frozenset[str]
    method: str = "get"
    query: str = ""


# URL name → who may use it. Every URL with a municipality slug must be here.
MATRIX: dict[str, Expect] = {
    # Public: the municipality's page and the portal of published reports.
    "municipality": Expect(EVERYONE),
    "portal:index": Expect(EVERYONE),
    "portal:search": Expect(EVERYONE, query="?q=目標"),
    "portal:summary": Expect(EVERYONE),
    "portal:report": Expect(EVERYONE),
    "portal:download": Expect(EVERYONE),
    "portal:download_table": Expect(EVERYONE),
    "portal:summary_download": Expect(EVERYONE),
    # Imports: the planning section only.
    # 施策評価: the structure and the committee are the planning section's; a sheet is its
    # section's (and its approvers'); a committee member reaches only the sheets assigned to them.
    "policies:structure": Expect(PLANNING),
    "policies:sheet": Expect(ROUND_BOARD),
    "policies:response": Expect(ROUND_BOARD),
    "policies:committee": Expect(PLANNING),
    "policies:committee_sheet": Expect(PLANNING),
    "policies:my_reviews": Expect(frozenset({"evaluator"})),
    "policies:review": Expect(frozenset({"evaluator"})),
    # The mid-year hearing: a goal's report through its round's request; the hearing's notes are
    # the planning section's; a department's dashboard is its own people's and planning's.
    "hearings:goal": Expect(ROUND_BOARD),
    "hearings:hearing": Expect(PLANNING),
    "hearings:dashboard": Expect(ROUND_BOARD),
    "imports:upload": Expect(PLANNING),
    "imports:preview": Expect(PLANNING),
    "imports:commit": Expect(PLANNING, method="post"),
    "imports:record_edit": Expect(PLANNING),
    "imports:line_check": Expect(PLANNING, method="post"),
    "imports:mapping": Expect(PLANNING),
    # The organisation master: the planning section only.
    "organizations:upload": Expect(PLANNING),
    "organizations:preview": Expect(PLANNING),
    "organizations:confirm": Expect(PLANNING, method="post"),
    "organizations:download": Expect(PLANNING),
    # Collection rounds: the internal ladder sees its part; evaluators and viewers nothing.
    "workflow:list": Expect(ROUND_BOARD),
    "workflow:detail": Expect(ROUND_BOARD),
    "workflow:new": Expect(PLANNING),
    "workflow:close": Expect(PLANNING, method="post"),
    "workflow:publish": Expect(PLANNING),
    "workflow:preview_download": Expect(PLANNING),
    "workflow:extend": Expect(PLANNING, method="post"),
    # A section's request: its ladder sees it; its staff and head write its entries; each
    # step's service decides whose step it is (a wrong step is a message, not a refusal).
    "workflow:request": Expect(ROUND_BOARD),
    "workflow:history": Expect(ROUND_BOARD),
    "workflow:goal_edit": Expect(ROUND_BOARD),
    "workflow:goal_check": Expect(ROUND_BOARD, method="post"),
    "workflow:roll_forward": Expect(SECTION_MEMBERS, method="post"),
    "workflow:entry_new": Expect(SECTION_MEMBERS, method="post"),
    "workflow:entry_edit": Expect(SECTION_MEMBERS, method="post"),
    "workflow:entries_save": Expect(SECTION_MEMBERS, method="post"),
    "workflow:entries_draft": Expect(SECTION_MEMBERS, method="post"),
    "workflow:drafts_discard": Expect(SECTION_MEMBERS, method="post"),
    "workflow:entry_move": Expect(SECTION_MEMBERS, method="post"),
    "workflow:entry_delete": Expect(SECTION_MEMBERS, method="post"),
    "workflow:approve": Expect(ROUND_BOARD, method="post"),
    "workflow:accept": Expect(ROUND_BOARD, method="post"),
    "workflow:send_back": Expect(ROUND_BOARD, method="post"),
    "workflow:submit": Expect(ROUND_BOARD, method="post"),
    "workflow:submit_for": Expect(ROUND_BOARD, method="post"),
    "workflow:approve_for": Expect(ROUND_BOARD, method="post"),
    "workflow:withdraw": Expect(ROUND_BOARD, method="post"),
    "workflow:reinstate": Expect(ROUND_BOARD, method="post"),
    # Goal declarations (shinchoku/goals/access.py): the department's ladder reads; its head and
    # the planning section write (the fixture's declaration is published, so writes are refused
    # with a message and a redirect, which is still "allowed" here).
    "declarations:list": Expect(ROUND_BOARD),
    "declarations:new": Expect(DECLARERS),
    "declarations:detail": Expect(ROUND_BOARD),
    "declarations:check": Expect(DECLARERS, method="post"),
    "declarations:goal_new": Expect(DECLARERS, method="post"),
    "declarations:goal_edit": Expect(DECLARERS, method="post"),
    "declarations:goal_delete": Expect(DECLARERS, method="post"),
    "declarations:goal_move": Expect(DECLARERS, method="post"),
    "declarations:indicator_new": Expect(DECLARERS, method="post"),
    "declarations:indicator_edit": Expect(DECLARERS, method="post"),
    "declarations:indicator_delete": Expect(DECLARERS, method="post"),
    # Evaluation (shinchoku/evaluation/access.py): work in progress, read by the internal
    # ladder as the declaration pages are (evaluators and viewers read the portal); planning
    # changes; the planning section or the goal's department head grades.
    "evaluation:index": Expect(ROUND_BOARD),
    "evaluation:year": Expect(ROUND_BOARD),
    "evaluation:department": Expect(ROUND_BOARD),
    "evaluation:declaration": Expect(ROUND_BOARD),
    "evaluation:guideline": Expect(ROUND_BOARD),
    "evaluation:finding_dismiss": Expect(PLANNING, method="post"),
    "evaluation:finding_restore": Expect(PLANNING, method="post"),
    "evaluation:indicator_formula": Expect(PLANNING, method="post"),
    "evaluation:indicator_grade": Expect(GRADERS, method="post"),
    "evaluation:goal_grade": Expect(GRADERS, method="post"),
    # Users and their reset links (shinchoku/accounts): the planning section only (the fixture's
    # user has no e-mail address, so sending is refused with a message and a redirect).
    "accounts:users": Expect(PLANNING),
    "accounts:password_reset_send": Expect(PLANNING, method="post"),
}

# URL parameters other than the slug: the name of an object made by the `objects` fixture,
# or "=value" for a literal.
ARGUMENTS: dict[str, dict[str, str]] = {
    "portal:report": {"pk": "publication"},
    "portal:download": {"pk": "publication", "fmt": "=json"},
    "portal:download_table": {"pk": "publication", "table": "=goals"},
    "portal:summary_download": {"fmt": "=csv"},
    "imports:preview": {"pk": "pending_import"},
    "imports:commit": {"pk": "pending_import"},
    "imports:record_edit": {"pk": "pending_import", "record": "=goal-1"},
    "imports:line_check": {"pk": "pending_import"},
    "imports:mapping": {"pk": "pending_import"},
    "organizations:preview": {"pk": "organization_upload"},
    "organizations:confirm": {"pk": "organization_upload"},
    "organizations:download": {"fmt": "=csv"},
    "workflow:detail": {"pk": "round"},
    "workflow:close": {"pk": "round"},
    "workflow:publish": {"pk": "guideline_round"},
    "workflow:preview_download": {"pk": "guideline_round", "index": "=0", "fmt": "=json"},
    "workflow:extend": {"pk": "round"},
    "workflow:request": {"pk": "guideline_round", "section_pk": "section"},
    "workflow:history": {"pk": "guideline_round", "section_pk": "section"},
    "workflow:goal_edit": {"pk": "goal_round", "section_pk": "section", "goal_pk": "section_goal"},
    "workflow:goal_check": {"pk": "goal_round", "section_pk": "section", "goal_pk": "section_goal"},
    "workflow:roll_forward": {"pk": "guideline_round", "section_pk": "section"},
    "workflow:entry_new": {"pk": "guideline_round", "section_pk": "section", "row_pk": "row"},
    "workflow:entry_edit": {"pk": "guideline_round", "section_pk": "section", "entry_pk": "entry"},
    "workflow:entries_save": {"pk": "guideline_round", "section_pk": "section"},
    "workflow:entries_draft": {"pk": "guideline_round", "section_pk": "section"},
    "workflow:drafts_discard": {"pk": "guideline_round", "section_pk": "section"},
    "workflow:entry_move": {"pk": "guideline_round", "section_pk": "section", "entry_pk": "entry"},
    "workflow:entry_delete": {"pk": "guideline_round", "section_pk": "section", "entry_pk": "entry"},
    "workflow:approve": {"pk": "guideline_round", "section_pk": "section"},
    "workflow:accept": {"pk": "guideline_round", "section_pk": "section"},
    "workflow:send_back": {"pk": "guideline_round", "section_pk": "section"},
    "workflow:submit": {"pk": "guideline_round", "section_pk": "section"},
    "workflow:submit_for": {"pk": "guideline_round", "section_pk": "section"},
    "workflow:approve_for": {"pk": "guideline_round", "section_pk": "section"},
    "workflow:withdraw": {"pk": "guideline_round", "section_pk": "section"},
    "workflow:reinstate": {"pk": "guideline_round", "section_pk": "section"},
    "declarations:detail": {"pk": "declaration"},
    "declarations:check": {"pk": "declaration"},
    "declarations:goal_new": {"pk": "declaration"},
    "declarations:goal_edit": {"pk": "declaration", "goal_pk": "goal"},
    "declarations:goal_delete": {"pk": "declaration", "goal_pk": "goal"},
    "declarations:goal_move": {"pk": "declaration", "goal_pk": "goal"},
    "declarations:indicator_new": {"pk": "declaration", "goal_pk": "goal"},
    "declarations:indicator_edit": {"pk": "declaration", "goal_pk": "goal", "indicator_pk": "indicator"},
    "declarations:indicator_delete": {"pk": "declaration", "goal_pk": "goal", "indicator_pk": "indicator"},
    "evaluation:year": {"fiscal_year": "=2024"},
    "evaluation:department": {"fiscal_year": "=2024", "pk": "department"},
    "evaluation:declaration": {"pk": "declaration"},
    "evaluation:guideline": {"plan_pk": "plan", "fiscal_year": "=2024"},
    "evaluation:finding_restore": {"pk": "dismissal"},
    "evaluation:indicator_formula": {"pk": "indicator"},
    "evaluation:indicator_grade": {"pk": "indicator"},
    "evaluation:goal_grade": {"pk": "goal"},
    "accounts:password_reset_send": {"pk": "member"},
}

ARGUMENTS.update(
    {
        "policies:sheet": {"pk": "policy_round", "section_pk": "section", "sheet_pk": "sheet"},
        "policies:response": {"sheet_pk": "sheet"},
        "policies:committee": {"pk": "policy_round"},
        "policies:committee_sheet": {"pk": "policy_round", "sheet_pk": "sheet"},
        "policies:review": {"review_pk": "review"},
        "hearings:hearing": {"pk": "mid_year_round"},
        "hearings:goal": {"pk": "mid_year_round", "section_pk": "section", "goal_pk": "section_goal"},
        "hearings:dashboard": {"fiscal_year": "=2024", "pk": "department"},
    }
)

# URLs with a municipality slug that are not tested here, each with the reason. Keep it short.
NOT_IN_MATRIX: dict[str, str] = {}


def _walk(resolvers: list, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:  # type: ignore[type-arg]
    for entry in resolvers:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _walk(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", route


def municipality_urls() -> dict[str, str]:
    """Every named URL of the project whose route takes the municipality slug."""
    return {name: route for name, route in _walk(get_resolver().url_patterns) if "<slug:slug>" in route}


def test_every_municipality_url_is_in_the_matrix() -> None:
    found = municipality_urls()
    missing = sorted(set(found) - set(MATRIX) - set(NOT_IN_MATRIX))
    assert not missing, f"Add these URLs to MATRIX (who may use them?): {[(n, found[n]) for n in missing]}"
    stale = sorted((set(MATRIX) | set(NOT_IN_MATRIX)) - set(found))
    assert not stale, f"These URLs no longer exist: {stale}"
    assert not set(MATRIX) & set(NOT_IN_MATRIX)


def test_every_url_without_a_name_is_impossible() -> None:
    # A pattern without a name could not be placed in the matrix: refuse it.
    unnamed = [
        prefix + str(entry.pattern)
        for prefix, entry in _all_patterns(get_resolver().url_patterns)
        if "<slug:slug>" in prefix + str(entry.pattern) and not entry.name
    ]
    assert unnamed == []


def _all_patterns(entries: list, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:  # type: ignore[type-arg]
    for entry in entries:
        if isinstance(entry, URLResolver):
            yield from _all_patterns(entry.url_patterns, prefix + str(entry.pattern))
        else:
            yield prefix, entry


@pytest.fixture
def objects(
    municipality: Municipality, department: Department, section: Section, planner, evaluator, actor: Actor
) -> dict[str, object]:  # type: ignore[no-untyped-def]
    """One object of each kind a URL of the matrix needs, made through the owning app's services.

    The demo documents (FY2024) go through the real importer: 企画部 is ``department``.
    """
    for name in (DEMO_GOALS, DEMO_GUIDELINE):
        report_import(
            municipality=municipality,
            data=(DOCUMENTS_DIR / name).read_bytes(),
            source=name,
            actor=actor,
            create_missing=True,
        )
    declaration = GoalDeclaration.objects.get(municipality=municipality, department=department)
    goal = Goal.objects.filter(declaration=declaration, indicators__isnull=False).order_by("number").first()
    plan = Plan.objects.get(municipality=municipality, kind=Plan.Kind.GUIDELINE)
    report = ReportRef("guideline_progress", plan.pk, 2024, str(plan))
    finding = report_findings(municipality, report)[0]
    assert goal is not None
    section_goal = Goal.objects.filter(declaration=declaration, sections=section).order_by("number").first()
    assert section_goal is not None
    deadline = timezone.localdate() + timedelta(days=10)
    guideline_round = round_open(
        municipality=municipality,
        fiscal_year=2025,
        kind=DocumentKind.GUIDELINE_PROGRESS,
        title="指針の進捗照会",
        deadline=deadline,
        sections=[section],
        actor=actor,
        plan=plan,
    )
    entry = ProgressEntry.objects.filter(
        row__initiative__plan=plan, fiscal_year=2025, kind="result", responsibles__section=section
    ).first()
    assert entry is not None
    policy_round, sheet, review = _policy_objects(municipality, evaluator, actor)
    return {
        "mid_year_round": round_open(
            municipality=municipality,
            fiscal_year=2024,
            kind=DocumentKind.MID_YEAR,
            title="中間ヒアリング",
            deadline=deadline,
            sections=[section],
            actor=actor,
            departments=[declaration.department],
        ),
        "policy_round": policy_round,
        "sheet": sheet,
        "review": review,
        "section": section,
        "section_goal": section_goal,
        "guideline_round": guideline_round,
        "entry": entry,
        "row": entry.row,
        "goal_round": round_open(
            municipality=municipality,
            fiscal_year=2024,
            kind=DocumentKind.YEAR_END_RESULTS,
            title="達成状況の照会",
            deadline=deadline,
            sections=[section],
            actor=actor,
            departments=[declaration.department],
        ),
        "department": department,
        "member": planner,
        "declaration": declaration,
        "goal": goal,
        "indicator": goal.indicators.first(),
        "plan": plan,
        "dismissal": finding_dismiss(
            municipality=municipality,
            report=report,
            fingerprint=finding.fingerprint,
            reason="test",
            actor=actor,
        ),
        "publication": goal_declaration_publish(declaration=declaration, actor=actor),
        "pending_import": pending_import_create(
            municipality=municipality, user=planner, upload_name="x.txt", data=b"not a report"
        ),
        "organization_upload": organization_upload_create(
            municipality=municipality,
            user=planner,
            upload_name="x.csv",
            data=b"not a master",
            fiscal_year=2025,
        ),
        "round": round_open(
            municipality=municipality,
            fiscal_year=2025,
            kind=DocumentKind.GOAL_DECLARATION,
            title="照会",
            deadline=timezone.localdate() + timedelta(days=10),
            sections=[section],
            departments=[department],
            actor=actor,
        ),
    }


def _policy_objects(municipality: Municipality, evaluator, actor: Actor):  # type: ignore[no-untyped-def]
    """A 施策評価 round of one 施策 of ``section``, its sheet assigned to ``evaluator``."""
    from shinchoku.policies.services import reviewers_assign, structure_import
    from shinchoku.policies.structure import read_structure

    text = "政策番号,政策,施策番号,施策,担当部,担当課\n1,開かれたまち,1-1,情報発信の充実,企画部,企画政策課\n"
    summary = structure_import(
        municipality=municipality,
        plan_name="総合計画",
        start_year=2021,
        end_year=2030,
        structure=read_structure(text.encode(), source="x.csv"),
        source="x.csv",
        actor=actor,
    )
    policy_round = round_open(
        municipality=municipality,
        fiscal_year=2025,
        kind=DocumentKind.POLICY_EVALUATION,
        title="施策評価",
        deadline=timezone.localdate() + timedelta(days=10),
        plan=summary.plan,
        actor=actor,
    )
    sheet = policy_round.policy_sheets.get()
    [review] = reviewers_assign(sheet=sheet, evaluators=[evaluator], actor=actor)
    return policy_round, sheet, review


def url_of(name: str, objects: dict[str, object]) -> str:
    kwargs: dict[str, object] = {"slug": "midori"}
    for parameter, source in ARGUMENTS.get(name, {}).items():
        kwargs[parameter] = source[1:] if source.startswith("=") else objects[source].pk  # type: ignore[attr-defined]
    return reverse(name, kwargs=kwargs) + MATRIX[name].query


@pytest.mark.parametrize("persona", PERSONAS)
def test_matrix(
    client: Client,
    request: pytest.FixtureRequest,
    persona: str,
    objects: dict[str, object],
    outsider,
    viewer,
    evaluator,
    staff,
    section_head,
    department_head,
    planner,
) -> None:  # type: ignore[no-untyped-def]
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    wrong = []
    for name, expect in MATRIX.items():
        url = url_of(name, objects)
        response = getattr(client, expect.method)(url)
        location = response.get("Location", "")
        if persona in expect.allowed:
            ok = response.status_code == 200 or (response.status_code == 302 and "/login/" not in location)
        elif persona == "anonymous":
            ok = response.status_code == 302 and location.startswith("/login/")
        else:
            ok = response.status_code in (403, 404)
        if not ok:
            expected = "allowed" if persona in expect.allowed else "refused"
            wrong.append(
                f"{expect.method.upper()} {url} ({name}): expected {expected}, got {response.status_code} {location}"
            )
    assert not wrong, "\n".join(wrong)


def test_another_municipality_sees_nothing_of_ours_through_its_own_slug(
    client: Client, outsider, objects: dict[str, object], other_municipality: Municipality
) -> None:  # type: ignore[no-untyped-def]
    """Our objects' ids under the outsider's own slug, where it has every right: not found."""
    client.force_login(outsider)
    for name, arguments in ARGUMENTS.items():
        if all(source.startswith("=") for source in arguments.values()):
            continue  # no object of ours in this URL
        if MATRIX[name].allowed == {"evaluator"}:
            continue  # a committee member's own page: the outsider (a planner) holds no such role there
        url = url_of(name, objects).replace("/midori/", "/sora/")
        response = getattr(client, MATRIX[name].method)(url)
        assert response.status_code == 404, url
