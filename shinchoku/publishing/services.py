"""Publishing: freeze a report as a new revision and index it for the portal's search."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import transaction
from django.utils import timezone

from shinchoku.core.audit import Actor, record_changes, record_create
from shinchoku.documents.policy_evaluation import ParsedPolicyEvaluation
from shinchoku.documents.schema import ParsedGoalDeclaration, ParsedGuidelineProgress, PublishedDocument
from shinchoku.evaluation.selectors import achievement_results, achievement_rollups, rollup_json
from shinchoku.goals.models import GoalDeclaration
from shinchoku.goals.selectors import declarations_with_goals, goal_declaration_document
from shinchoku.organizations.models import Department, Municipality
from shinchoku.organizations.selectors import resolve_section, section_lookup
from shinchoku.plans.models import Plan
from shinchoku.progress.selectors import guideline_progress_document
from shinchoku.publishing.artefacts import series_render
from shinchoku.publishing.models import Publication, PublishedRollup, SearchEntry
from shinchoku.publishing.rollups import rollup_fields


def _grades_by_goal(evaluation: dict[str, Any]) -> dict[int, list[str]]:
    grades: dict[int, list[str]] = {}
    for row in evaluation.get("indicators", []):
        if row.get("goal_number") is not None and row.get("grade"):
            grades.setdefault(row["goal_number"], []).append(row["grade"])
    return grades


def grade_key(grade: str) -> str:
    """How a grade is stored in SearchEntry.grade: "|達成|概ね達成|" (so 達成 never matches 概ね達成)."""
    return f"|{grade}|"


def _search_entries(publication: Publication, document: PublishedDocument) -> list[SearchEntry]:
    lookup = section_lookup(publication.municipality)

    def department_of(names: list[str]) -> str:
        if publication.department is not None:
            return publication.department.name
        for name in names:
            section = resolve_section(lookup, name, publication.fiscal_year)
            if section is not None and section.department is not None:
                return section.department.name
        return ""

    def entry(heading: str, parts: list[str], sections: list[str], anchor: str) -> SearchEntry:
        return SearchEntry(
            publication=publication,
            municipality=publication.municipality,
            fiscal_year=publication.fiscal_year,
            department_name=department_of(sections),
            section_names="、".join(dict.fromkeys(sections)),
            heading=heading[:500],
            # Section names are searchable too ("パブリックコメント 都市政策課").
            body="\n".join([*(p for p in parts if p), "、".join(dict.fromkeys(sections))]),
            anchor=anchor,
        )

    if isinstance(document, ParsedGoalDeclaration):
        grades = _grades_by_goal(publication.evaluation)
        goal_entries = []
        for goal in document.goals:
            texts = [
                goal.title,
                goal.content,
                goal.target_text,
                goal.result_text,
                goal.direction_text,
                goal.status_text,
            ]
            goal_entry = entry(f"{goal.number}. {goal.title}", texts, goal.sections, f"goal-{goal.number}")
            goal_entry.grade = "".join(grade_key(g) for g in dict.fromkeys(grades.get(goal.number, [])))
            goal_entries.append(goal_entry)
        return goal_entries
    if isinstance(document, ParsedPolicyEvaluation):
        sheet_entries = []
        for sheet in document.sheets:
            texts = [
                sheet.title,
                sheet.area_title,
                sheet.purpose,
                *(i.name for i in sheet.indicators),
                *(f"{p.title} {p.result}" for p in sheet.projects),
                sheet.reasons,
                sheet.issues,
                sheet.direction,
                sheet.committee_opinion,
                sheet.response,
            ]
            sheet_entry = entry(
                f"{sheet.label} {sheet.title}", texts, sheet.sections, f"policy-{sheet.label}"
            )
            sheet_entry.department_name = sheet.department
            sheet_entry.grade = grade_key(sheet.internal_grade) if sheet.internal_grade else ""
            sheet_entries.append(sheet_entry)
        return sheet_entries
    entries = []
    for index, initiative in enumerate(document.initiatives, start=1):
        bullets = [e for row in initiative.rows for e in [*row.results, *row.plans]]
        entries.append(
            entry(
                initiative.title,
                [initiative.title, initiative.guideline_text]
                + [row.policy for row in initiative.rows]
                + [b.text for b in bullets],
                [name for b in bullets for name in b.sections],
                f"initiative-{index}",
            )
        )
    return entries


@transaction.atomic
def _publish(
    *,
    municipality: Municipality,
    kind: str,
    fiscal_year: int,
    title: str,
    document: PublishedDocument,
    actor: Actor,
    department: Department | None = None,
    plan: Plan | None = None,
    evaluation: dict[str, Any] | None = None,
) -> Publication:
    """A new revision unless the current one already holds exactly this document and evaluation."""
    data: dict[str, Any] = {**document.to_json(), "unplaced": []}
    evaluation = evaluation or {}
    current = (
        Publication.objects.select_for_update()
        .filter(
            municipality=municipality,
            kind=kind,
            fiscal_year=fiscal_year,
            department=department,
            plan=plan,
            is_current=True,
        )
        .order_by()  # the default ordering joins departments, which FOR UPDATE refuses on PostgreSQL
        .first()
    )
    if current is not None and current.document == data and current.evaluation == evaluation:
        return current
    publication = Publication.objects.create(
        municipality=municipality,
        kind=kind,
        fiscal_year=fiscal_year,
        department=department,
        plan=plan,
        title=title,
        revision=(current.revision + 1) if current else 1,
        document=data,
        evaluation=evaluation,
        published_by=actor.user,
        published_by_label=actor.label,
    )
    record_create(publication, actor=actor, fields=["kind", "fiscal_year", "title", "revision"])
    if current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
        record_changes(current, actor=actor, changes={"is_current": (True, False)})
        SearchEntry.objects.filter(publication=current).delete()
        PublishedRollup.objects.filter(publication=current).delete()
    SearchEntry.objects.bulk_create(_search_entries(publication, document))
    # The figures the cross-city comparison adds up (publishing.rollups).
    if kind == Publication.Kind.GOAL_DECLARATION and (fields := rollup_fields(evaluation)) is not None:
        PublishedRollup.objects.create(
            publication=publication, municipality=municipality, fiscal_year=fiscal_year, **fields
        )
    # Its downloads and pages are rendered now, once, inside the publishing's transaction: a
    # revision is never public without its files (publishing.artefacts).
    series_render(publication)
    return publication


def declaration_evaluation(declaration: GoalDeclaration) -> dict[str, Any]:
    """The achievement of a declaration as JSON: each indicator's judgement and the roll-up."""
    results = achievement_results(
        declaration.municipality, fiscal_years=[declaration.fiscal_year], declaration=declaration
    )
    if not results:
        return {}
    rollups = achievement_rollups(results, by="department")
    scale = results[0].scale
    return {
        "scale": {"name": scale.name, "grades": [band.label for band in scale.bands]},
        "indicators": [r.to_json() for r in results],
        "rollup": rollup_json(rollups[0]) if rollups else None,
    }


@dataclass
class Snapshot:
    """A report as it would be published now: the document and its judged achievement.

    The publish preview renders it exactly as the portal will, and publishing freezes it;
    the digest lets the confirmation refuse a snapshot that changed since the preview.
    """

    municipality: Municipality
    kind: str
    fiscal_year: int
    title: str
    document: PublishedDocument
    evaluation: dict[str, Any]
    department: Department | None = None
    plan: Plan | None = None

    def data(self) -> dict[str, Any]:
        return {**self.document.to_json(), "unplaced": []}

    @property
    def is_empty(self) -> bool:
        if isinstance(self.document, ParsedGoalDeclaration):
            return not self.document.goals
        if isinstance(self.document, ParsedPolicyEvaluation):
            return not self.document.sheets
        return not self.document.initiatives

    @property
    def digest(self) -> str:
        payload = json.dumps([self.data(), self.evaluation], sort_keys=True, ensure_ascii=False, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()

    @cached_property
    def current_publication(self) -> Publication | None:
        """The revision citizens see today for the same report, if any."""
        return (
            Publication.objects.filter(
                municipality=self.municipality,
                kind=self.kind,
                fiscal_year=self.fiscal_year,
                department=self.department,
                plan=self.plan,
                is_current=True,
            )
            .order_by()
            .first()
        )

    def current(self) -> Publication | None:
        return self.current_publication

    @property
    def current_revision_id(self) -> int | None:
        current = self.current_publication
        return current.pk if current else None

    @property
    def is_unchanged(self) -> bool:
        """Publishing would keep the current revision: the same test ``_publish`` makes."""
        current = self.current_publication
        return (
            current is not None and current.document == self.data() and current.evaluation == self.evaluation
        )

    def unsaved_publication(self) -> Publication:
        """A Publication that is never saved: what the portal templates render in the preview."""
        current = self.current()
        return Publication(
            municipality=self.municipality,
            kind=self.kind,
            fiscal_year=self.fiscal_year,
            department=self.department,
            plan=self.plan,
            title=self.title,
            revision=(current.revision + 1) if current else 1,
            document=self.data(),
            evaluation=self.evaluation,
            published_at=timezone.now(),
        )


YEAR_END_TITLE_SUFFIX = "達成状況報告"


def goal_declaration_snapshot(declaration: GoalDeclaration, *, year_end: bool = False) -> Snapshot:
    """The declaration as published; at the year end its title says it reports the achievement
    (「令和8年度 企画部長の目標宣言 達成状況報告」, as the city's reports are titled)."""
    loaded = declarations_with_goals(GoalDeclaration.objects.filter(pk=declaration.pk)).get()
    document = goal_declaration_document(loaded)
    if year_end:
        title = document.title or str(loaded)
        if YEAR_END_TITLE_SUFFIX not in title:
            document.title = f"{title} {YEAR_END_TITLE_SUFFIX}"
    return Snapshot(
        municipality=loaded.municipality,
        kind=Publication.Kind.GOAL_DECLARATION,
        fiscal_year=loaded.fiscal_year,
        title=document.title or str(loaded),
        document=document,
        evaluation=declaration_evaluation(loaded),
        department=loaded.department,
    )


def guideline_progress_snapshot(plan: Plan, fiscal_year: int) -> Snapshot:
    document = guideline_progress_document(plan, fiscal_year)
    return Snapshot(
        municipality=plan.municipality,
        kind=Publication.Kind.GUIDELINE_PROGRESS,
        fiscal_year=fiscal_year,
        title=f"『{plan.name}』における「基本的な取り組み」への進捗状況等",
        document=document,
        evaluation={},
        plan=plan,
    )


def policy_evaluation_snapshot(plan: Plan, fiscal_year: int, collection_round: Any = None) -> Snapshot:
    """The 施策評価報告書 of ``plan`` for ``fiscal_year``; its evaluation holds the per-施策 grades
    (what the trend over the plan period reads from the current revisions of each year)."""
    from shinchoku.policies.selectors import policy_evaluation_document

    document = policy_evaluation_document(plan, fiscal_year, collection_round)
    return Snapshot(
        municipality=plan.municipality,
        kind=Publication.Kind.POLICY_EVALUATION,
        fiscal_year=fiscal_year,
        title=f"{document.title}（{plan.name}）",
        document=document,
        evaluation={
            "policies": {
                s.label: {"title": s.title, "internal": s.internal_grade, "committee": s.committee_grade}
                for s in document.sheets
            }
        },
        plan=plan,
    )


def snapshot_publish(*, snapshot: Snapshot, actor: Actor) -> Publication:
    if isinstance(snapshot.document, ParsedGuidelineProgress) and not snapshot.document.initiatives:
        raise ValueError(
            f"{snapshot.plan} has no progress for fiscal year {snapshot.fiscal_year} to publish."
        )
    return _publish(
        municipality=snapshot.municipality,
        kind=snapshot.kind,
        fiscal_year=snapshot.fiscal_year,
        title=snapshot.title,
        document=snapshot.document,
        actor=actor,
        department=snapshot.department,
        plan=snapshot.plan,
        evaluation=snapshot.evaluation,
    )


def goal_declaration_publish(*, declaration: GoalDeclaration, actor: Actor) -> Publication:
    return snapshot_publish(snapshot=goal_declaration_snapshot(declaration), actor=actor)


def guideline_progress_publish(*, plan: Plan, fiscal_year: int, actor: Actor) -> Publication:
    return snapshot_publish(snapshot=guideline_progress_snapshot(plan, fiscal_year), actor=actor)
