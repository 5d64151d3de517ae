"""Published revisions as the API lists them: read exactly as the portal reads them.

Every public endpoint starts from ``shinchoku.publishing.selectors`` (current revisions, one
revision of a municipality, the search over current revisions) and reads its frozen ``document`` and ``evaluation`` through the
portal's own readers (``document_from_json``, ``portal.presenters.goal_rows``): nothing here
touches the tables staff edit, so a draft cannot reach the public API.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from rest_framework.exceptions import NotFound

from shinchoku.documents.policy_evaluation import ParsedPolicyEvaluation, PolicySheetLine
from shinchoku.documents.schema import (
    ParsedGoalDeclaration,
    ParsedGuidelineProgress,
    ParsedInitiative,
    PublishedDocument,
    document_from_json,
)
from shinchoku.organizations.models import Municipality
from shinchoku.portal.pages import download_url
from shinchoku.portal.presenters import goal_rows
from shinchoku.portal.views import SEARCH_PAGE, SEARCH_PAGES
from shinchoku.publishing import selectors
from shinchoku.publishing.artefacts import download_keys
from shinchoku.publishing.models import Publication
from shinchoku.reports import opendata

Absolute = Callable[[str], str]


def revisions(municipality: Municipality, *, all_revisions: bool) -> QuerySet[Publication]:
    """The catalogue: the current revisions (as the portal's index lists them), or every revision."""
    if not all_revisions:
        return selectors.current_publications(municipality).defer("document", "evaluation")
    return (
        Publication.objects.filter(municipality=municipality)
        .select_related("department", "plan")
        .defer("document", "evaluation")
        .order_by("-fiscal_year", "kind", "department__position", "title", "-revision")
    )


@dataclass(frozen=True)
class Report:
    """One revision with its document read back, for the detail and the lists inside it."""

    publication: Publication
    document: PublishedDocument

    def goal_declaration(self) -> ParsedGoalDeclaration:
        if not isinstance(self.document, ParsedGoalDeclaration):
            raise NotFound(_("This revision is not a goal declaration report: it has no goals."))
        return self.document

    def guideline_progress(self) -> ParsedGuidelineProgress:
        if not isinstance(self.document, ParsedGuidelineProgress):
            raise NotFound(_("This revision is not a guideline progress report: it has no initiatives."))
        return self.document

    def policy_evaluation(self) -> ParsedPolicyEvaluation:
        if not isinstance(self.document, ParsedPolicyEvaluation):
            raise NotFound(_("This revision is not a policy evaluation report: it has no policy measures."))
        return self.document


def report(municipality: Municipality, pk: int) -> Report:
    """A published revision of the municipality (any revision: each was public once), or 404."""
    publication = selectors.publication_public(municipality, pk)
    publication.municipality = municipality  # known already: links need its slug, not a query
    return Report(publication=publication, document=document_from_json(publication.document))


def achievement(publication: Publication) -> dict[str, Any] | None:
    """The judged achievement as published; None for a report that is not judged (a guideline)."""
    if publication.kind != Publication.Kind.GOAL_DECLARATION:
        return None
    evaluation = publication.evaluation or {}
    grades: dict[str, int] = {}
    for judged in evaluation.get("indicators", []):
        if judged.get("grade"):
            grades[judged["grade"]] = grades.get(judged["grade"], 0) + 1
    return {"scale": evaluation.get("scale"), "rollup": evaluation.get("rollup"), "grades": grades}


def report_detail(found: Report, absolute: Absolute) -> dict[str, Any]:
    """What the detail endpoint shows besides the revision's own fields."""
    publication = found.publication
    slug = publication.municipality.slug
    document = found.document
    newer = selectors.newer_revision(publication)
    return {
        "newer_revision": newer.pk if newer else None,
        "declarer": {"position": document.declarer_position, "name": document.declarer_name}
        if isinstance(document, ParsedGoalDeclaration)
        else None,
        "guideline": document if isinstance(document, ParsedGuidelineProgress) else None,
        "goal_count": len(document.goals) if isinstance(document, ParsedGoalDeclaration) else 0,
        "initiative_count": len(document.initiatives) if isinstance(document, ParsedGuidelineProgress) else 0,
        "policy_count": len(document.sheets) if isinstance(document, ParsedPolicyEvaluation) else 0,
        "achievement": achievement(publication),
        "downloads": [
            {"format": fmt, "table": table, "url": absolute(download_url(slug, publication.pk, fmt, table))}
            for _key, fmt, table in download_keys(publication.kind)
        ],
        "license": {"name": opendata.LICENSE, "url": opendata.LICENSE_URL},
    }


def _portal_anchor(publication: Publication, anchor: str, absolute: Absolute) -> str:
    path = reverse("portal:report", kwargs={"slug": publication.municipality.slug, "pk": publication.pk})
    return absolute(f"{path}#{anchor}")


# --- the lists inside a revision ----------------------------------------------------------------


@dataclass(frozen=True)
class Goal:
    goal: Any  # ParsedGoal
    judgements: list[dict[str, Any]]
    portal_url: str


def goals(found: Report, absolute: Absolute, *, section: str = "", grade: str = "") -> list[Goal]:
    """The goals with the judgement of each indicator, as the portal's report page shows them."""
    rows = goal_rows(found.goal_declaration(), found.publication.evaluation or {})
    result = []
    for row in rows:
        if section and section not in row.goal.sections:
            continue
        if grade and not any(j.get("grade") == grade for j in row.judgements):
            continue
        url = _portal_anchor(found.publication, f"goal-{row.goal.number}", absolute)
        result.append(Goal(goal=row.goal, judgements=row.judgements, portal_url=url))
    return result


def judgements(
    found: Report, *, section: str = "", grade: str = "", goal_number: int | None = None, state: str = ""
) -> list[dict[str, Any]]:
    """Every judged indicator of the revision, under its goal, as the portal's report page lists them
    (with the figures beside the grade as citizens read them: 実績 and 目標 in the report's style)."""
    document = found.goal_declaration()
    sections = {goal.number: goal.sections for goal in document.goals}
    rows = [j for row in goal_rows(document, found.publication.evaluation or {}) for j in row.judgements]
    return [
        j
        for j in rows
        if (not section or section in sections.get(j.get("goal_number"), []))  # type: ignore[arg-type]
        and (not grade or j.get("grade") == grade)
        and (goal_number is None or j.get("goal_number") == goal_number)
        and (not state or j.get("state") == state)
    ]


@dataclass(frozen=True)
class Initiative:
    number: int
    initiative: ParsedInitiative
    portal_url: str


def _names(initiative: ParsedInitiative) -> set[str]:
    return {name for row in initiative.rows for e in [*row.results, *row.plans] for name in e.sections}


def initiatives(
    found: Report, absolute: Absolute, *, section: str = "", classification: str = ""
) -> list[Initiative]:
    document = found.guideline_progress()
    return [
        Initiative(number, initiative, _portal_anchor(found.publication, f"initiative-{number}", absolute))
        for number, initiative in enumerate(document.initiatives, start=1)
        if (not section or section in _names(initiative))
        and (not classification or any(r.classification == classification for r in initiative.rows))
    ]


def entries(
    found: Report, *, section: str = "", classification: str = "", kind: str = ""
) -> list[dict[str, Any]]:
    """Every bullet (●) of the revision, one row each: the CSV "entries" table as JSON."""
    document = found.guideline_progress()
    rows: list[dict[str, Any]] = []
    for number, initiative in enumerate(document.initiatives, start=1):
        for row_number, row in enumerate(initiative.rows, start=1):
            if classification and row.classification != classification:
                continue
            for entry_kind, year, bullets in (
                ("result", document.result_year, row.results),
                ("plan", document.plan_year, row.plans),
            ):
                if kind and entry_kind != kind:
                    continue
                rows += [
                    {
                        "initiative_number": number,
                        "initiative_title": initiative.title,
                        "chapter": initiative.chapter,
                        "row_number": row_number,
                        "classification": row.classification,
                        "kind": entry_kind,
                        "fiscal_year": year,
                        "position": position,
                        "text": bullet.text,
                        "sections": bullet.sections,
                    }
                    for position, bullet in enumerate(bullets, start=1)
                    if not section or section in bullet.sections
                ]
    return rows


@dataclass(frozen=True)
class Policy:
    number: int
    sheet: PolicySheetLine
    portal_url: str


def policies(
    found: Report, absolute: Absolute, *, area: str = "", department: str = "", grade: str = ""
) -> list[Policy]:
    """The 施策 of a 施策評価報告書 in report order, each as its sheet was published."""
    document = found.policy_evaluation()
    return [
        Policy(number, sheet, _portal_anchor(found.publication, f"policy-{sheet.label}", absolute))
        for number, sheet in enumerate(document.sheets, start=1)
        if (not area or sheet.area_label == area)
        and (not department or sheet.department == department)
        and (not grade or sheet.internal_grade == grade)
    ]


def search(
    municipality: Municipality, query: str, filters: selectors.SearchFilters
) -> list[selectors.SearchHit]:
    """The portal's search over the current revisions: its first pages of hits, newest year first
    (``SEARCH_PAGE`` a page, ``SEARCH_PAGES`` pages: the first hundred matches at most)."""
    if not query:
        return []
    return selectors.search(municipality, query, filters, limit=SEARCH_PAGE * SEARCH_PAGES)
