"""Writes of 施策評価: the 施策体系, the sheets of a round, the evaluations, the committee.

Each function runs in one transaction, audits every changed field, and checks the
version a form was rendered from (a stale form raises ``ConflictError``). Who may call
which is checked by ``access`` before; a grade is checked against the scale that applies
to the plan and year.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shinchoku.core.audit import Actor, apply_changes, record_changes, record_create
from shinchoku.core.figures import Figure
from shinchoku.core.tables import Problem, TableError
from shinchoku.evaluation.selectors import grade_scales_of
from shinchoku.goals.services import measurements_save
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.organizations.selectors import name_key, section_lookup
from shinchoku.plans.models import Indicator, Plan, PlanNode, Target
from shinchoku.policies.models import (
    CommitteeMeeting,
    Direction,
    ExternalReview,
    PolicyOwner,
    PolicySheet,
    ProjectResult,
)
from shinchoku.policies.structure import PolicyStructure, StructureIndicator, StructurePolicy
from shinchoku.workflow.conflicts import check_version
from shinchoku.workflow.models import CollectionRound

# Formula by direction: what a 総合計画 indicator usually means by its target.
_FORMULAS = {
    Indicator.Direction.INCREASE: Indicator.Formula.RATIO,
    Indicator.Direction.DECREASE: Indicator.Formula.DECREASE,
    Indicator.Direction.MAINTAIN: Indicator.Formula.MAINTAIN_AT_LEAST,
}


# --- the 施策体系 -----------------------------------------------------------------------------


@dataclass
class StructureSummary:
    plan: Plan
    created: int = 0
    updated: int = 0
    policies: list[str] = field(default_factory=list)


def _node(
    plan: Plan,
    parent: PlanNode | None,
    kind: str,
    key: dict[str, str],
    values: dict[str, object],
    position: int,
    *,
    actor: Actor,
    summary: StructureSummary,
) -> PlanNode:
    """The node under ``parent`` found by ``key`` (its label, or its title), created or updated."""
    path = f"{parent.path}.{position:04d}" if parent else f"{position:04d}"
    found = PlanNode.objects.filter(plan=plan, parent=parent, kind=kind, **key).first()
    values = {**values, "position": position, "path": path}
    if found is None:
        found = PlanNode.objects.create(plan=plan, parent=parent, kind=kind, **key, **values)
        record_create(found, actor=actor, fields=["kind", "label", "title", "body"])
        summary.created += 1
    elif apply_changes(found, values, actor=actor):
        summary.updated += 1
    return found


def _indicator(
    municipality: Municipality,
    node: PlanNode,
    parsed: StructureIndicator,
    section: Section,
    position: int,
    *,
    actor: Actor,
    summary: StructureSummary,
) -> None:
    values = {
        "unit": parsed.unit,
        "direction": parsed.direction,
        "formula": _FORMULAS[Indicator.Direction(parsed.direction)],
        "baseline_value": parsed.baseline,
        "baseline_year": parsed.baseline_year,
        # A 総合計画 states targets for a few years only (中間, 最終): the years between are judged
        # against their share of the way from the baseline to the plan's final target.
        "period_start_year": node.plan.start_year,
        "period_end_year": node.plan.end_year,
        "prorate_target": True,
        "position": position,
    }
    indicator = Indicator.objects.filter(municipality=municipality, plan_node=node, name=parsed.name).first()
    if indicator is None:
        indicator = Indicator.objects.create(
            municipality=municipality, plan_node=node, name=parsed.name, **values
        )
        record_create(indicator, actor=actor, fields=["name", *values])
        summary.created += 1
    elif apply_changes(indicator, values, actor=actor):
        summary.updated += 1
    if not indicator.sections.filter(pk=section.pk).exists():
        before = "、".join(s.name for s in indicator.sections.all())
        indicator.sections.add(section)
        record_changes(
            indicator,
            actor=actor,
            changes={"sections": (before or None, "、".join(s.name for s in indicator.sections.all()))},
        )
    existing = {t.fiscal_year: t for t in indicator.targets.filter(kind=Target.Kind.FINAL)}
    for year, value in sorted(parsed.targets.items()):
        target = existing.get(year)
        if target is None:
            target = Target.objects.create(
                indicator=indicator, fiscal_year=year, value=value, text=str(value)
            )
            record_create(target, actor=actor, fields=["fiscal_year", "value"])
        else:
            apply_changes(target, {"value": value}, actor=actor)


def _owners(
    municipality: Municipality, structure: PolicyStructure, source: str
) -> dict[str, tuple[Department, Section]]:
    """Each 施策's department and lead section, by the names the file writes; every unknown name listed."""
    lookup = section_lookup(municipality)
    departments = {name_key(d.name): d for d in Department.objects.filter(municipality=municipality)}
    problems: list[Problem] = []
    owners = {}
    for policy in structure.policies:
        department = departments.get(name_key(policy.department))
        # Two departments may each have a 財政課: the one of the named department, a current one first.
        candidates = sorted(lookup.get(name_key(policy.section), []), key=lambda c: c.valid_to is not None)
        section = next(
            (c for c in candidates if department is not None and c.department_id == department.pk),
            candidates[0] if candidates else None,
        )
        if department is None:
            problems.append(
                Problem(
                    source=source,
                    line=policy.line,
                    column="担当部",
                    message=_("No department %(name)s in the organisation master.")
                    % {"name": policy.department},
                )
            )
        if section is None:
            problems.append(
                Problem(
                    source=source,
                    line=policy.line,
                    column="担当課",
                    message=_("No section %(name)s in the organisation master.") % {"name": policy.section},
                )
            )
        elif department is not None and section.department_id != department.pk:
            problems.append(
                Problem(
                    source=source,
                    line=policy.line,
                    column="担当課",
                    message=_("%(section)s is not a section of %(department)s.")
                    % {"section": section.name, "department": department.name},
                )
            )
        if department is not None and section is not None:
            owners[policy.label] = (department, section)
    if problems:
        raise TableError(problems)
    return owners


@transaction.atomic
def structure_import(
    *,
    municipality: Municipality,
    plan_name: str,
    start_year: int,
    end_year: int,
    structure: PolicyStructure,
    source: str,
    actor: Actor,
) -> StructureSummary:
    """Create or update the 総合計画 ``plan_name`` with the 政策, 施策, 主な事業 and indicators of the file.

    Importing the same file again changes nothing; a changed title or target is updated (and audited).
    Nothing is removed: a 施策 that left the file keeps its past evaluations.
    """
    if end_year < start_year:
        raise ValidationError({"end_year": _("The plan cannot end before it starts.")})
    plan = Plan.objects.filter(municipality=municipality, name=plan_name).first()
    if plan is not None and plan.kind not in (Plan.Kind.COMPREHENSIVE, Plan.Kind.BASIC):
        raise ValidationError(
            {
                "plan_name": _("%(name)s is a plan of another kind: give the comprehensive plan's name.")
                % {"name": plan_name}
            }
        )
    owners = _owners(municipality, structure, source)
    if plan is None:
        plan = Plan.objects.create(
            municipality=municipality,
            kind=Plan.Kind.COMPREHENSIVE,
            name=plan_name,
            start_year=start_year,
            end_year=end_year,
        )
        record_create(plan, actor=actor, fields=["kind", "name", "start_year", "end_year"])
    else:
        apply_changes(plan, {"start_year": start_year, "end_year": end_year}, actor=actor)
    summary = StructureSummary(plan=plan)
    areas = {
        key: _node(
            plan,
            None,
            PlanNode.Kind.CHAPTER,
            {"label": key[0]},
            {"title": key[1]},
            position,
            actor=actor,
            summary=summary,
        )
        for position, key in enumerate(structure.areas(), start=1)
    }
    counts: dict[int, int] = {}
    for policy in structure.policies:
        area = areas[(policy.area_label, policy.area_title)]
        counts[area.pk] = counts.get(area.pk, 0) + 1
        _policy(municipality, plan, area, policy, counts[area.pk], owners, actor=actor, summary=summary)
    return summary


def _policy(
    municipality: Municipality,
    plan: Plan,
    area: PlanNode,
    policy: StructurePolicy,
    position: int,
    owners: dict[str, tuple[Department, Section]],
    *,
    actor: Actor,
    summary: StructureSummary,
) -> None:
    node = _node(
        plan,
        area,
        PlanNode.Kind.POLICY,
        {"label": policy.label},
        {"title": policy.title, "body": policy.purpose},
        position,
        actor=actor,
        summary=summary,
    )
    summary.policies.append(f"{policy.label} {policy.title}")
    department, section = owners[policy.label]
    owner = PolicyOwner.objects.filter(policy=node).first()
    if owner is None:
        owner = PolicyOwner.objects.create(
            municipality=municipality, policy=node, department=department, section=section
        )
        record_create(owner, actor=actor, fields=["department", "section"])
    else:
        apply_changes(owner, {"department": department, "section": section}, actor=actor)
    for number, title in enumerate(policy.projects, start=1):
        _node(
            plan,
            node,
            PlanNode.Kind.PROJECT,
            {"title": title},
            {"label": ""},
            number,
            actor=actor,
            summary=summary,
        )
    for number, indicator in enumerate(policy.indicators, start=1):
        _indicator(municipality, node, indicator, section, number, actor=actor, summary=summary)


# --- the sheets of a round ------------------------------------------------------------------


def plan_policies(plan: Plan) -> list[PlanNode]:
    """The 施策 of a plan that have an owner, in plan order."""
    return list(
        PlanNode.objects.filter(plan=plan, kind=PlanNode.Kind.POLICY, owner__isnull=False)
        .select_related("owner__section", "owner__department")
        .order_by("path")
    )


def round_sheets_prepare(
    *, collection_round: CollectionRound, actor: Actor, sections: Iterable[Section] | None = None
) -> list[PolicySheet]:
    """The sheets a 施策評価 round asks for: one per owned 施策 of its plan whose lead section is
    asked (``sections``; every one by default), created when missing.

    A sheet of the same year from an earlier round is taken over (with what it holds), so
    reopening a round loses nothing, and goes to the 施策's current owner. Each sheet gets a row
    per 主な事業 of its 施策.
    """
    asked = None if sections is None else {s.pk for s in sections}
    assert collection_round.plan is not None
    sheets = []
    existing = {
        s.policy_id: s
        for s in PolicySheet.objects.filter(
            policy__plan=collection_round.plan, fiscal_year=collection_round.fiscal_year
        )
    }
    for policy in plan_policies(collection_round.plan):
        owner = policy.owner
        if asked is not None and owner.section_id not in asked:
            continue  # a section the planning section did not ask: nobody could answer the sheet
        sheet = existing.get(policy.pk)
        if sheet is None:
            sheet = PolicySheet.objects.create(
                municipality=collection_round.municipality,
                fiscal_year=collection_round.fiscal_year,
                policy=policy,
                round=collection_round,
                department=owner.department,
                section=owner.section,
            )
            record_create(sheet, actor=actor, fields=["fiscal_year", "policy", "department", "section"])
        else:
            apply_changes(
                sheet,
                {"round": collection_round, "department": owner.department, "section": owner.section},
                actor=actor,
            )
        have = set(sheet.projects.values_list("project_id", flat=True))
        for project in policy.children.filter(kind=PlanNode.Kind.PROJECT).order_by("path"):
            if project.pk not in have:
                row = ProjectResult.objects.create(sheet=sheet, project=project)
                record_create(row, actor=actor, fields=["project"])
        sheets.append(sheet)
    return sheets


def sheet_sections(plan: Plan) -> list[Section]:
    """The sections a 施策評価 round asks: the lead sections of the plan's 施策."""
    return list({p.owner.section_id: p.owner.section for p in plan_policies(plan)}.values())


# --- internal evaluation (the department, through the round) ---------------------------------

SHEET_INTERNAL_FIELDS = ("internal_grade", "reasons", "issues", "direction")


def _check_grade(sheet: PolicySheet, grade: str, field_name: str) -> None:
    if not grade:
        return
    scale, _stored = grade_scales_of(sheet.municipality).applicable(
        plan_id=sheet.policy.plan_id, fiscal_year=sheet.fiscal_year
    )
    if grade not in scale.labels():
        raise ValidationError(
            {field_name: _("Choose one of the grades: %(grades)s") % {"grades": "、".join(scale.labels())}}
        )


@dataclass(frozen=True)
class ProjectValues:
    budget: Decimal | None
    settlement: Decimal | None
    result: str


@transaction.atomic
def sheet_internal_update(
    *,
    sheet: PolicySheet,
    values: dict[str, str],
    projects: dict[int, ProjectValues],
    actuals: dict[Indicator, tuple[str, Figure | None]],
    expected_version: int | None,
    actor: Actor,
) -> PolicySheet:
    """Save the department's evaluation of the sheet, its projects' cost and results, its actuals.

    ``projects`` maps a ``ProjectResult`` id of this sheet to its values. The sheet's version
    moves when anything of the form changed, so a stale form is refused as one unit.
    """
    locked = PolicySheet.objects.select_for_update().select_related("policy").get(pk=sheet.pk)
    check_version(locked, expected_version, SHEET_INTERNAL_FIELDS)
    if set(values) - set(SHEET_INTERNAL_FIELDS):
        raise ValueError(
            f"Not an internal evaluation field: {sorted(set(values) - set(SHEET_INTERNAL_FIELDS))}"
        )
    cleaned = {k: v.strip() for k, v in values.items()}
    _check_grade(locked, cleaned.get("internal_grade", ""), "internal_grade")
    if cleaned.get("direction") and cleaned["direction"] not in Direction.values:
        raise ValidationError({"direction": _("Unknown direction.")})
    sheet_changed = bool(apply_changes(locked, cleaned, actor=actor))
    changed = False
    rows = {r.pk: r for r in ProjectResult.objects.select_for_update().filter(sheet=locked)}
    for pk, project in projects.items():
        row = rows.get(pk)
        if row is None:
            raise ValueError(f"Project result {pk} is not of this sheet.")
        new = {"budget": project.budget, "settlement": project.settlement, "result": project.result.strip()}
        if apply_changes(row, new, actor=actor):
            changed = True
    if measurements_save(actuals, fiscal_year=locked.fiscal_year, actor=actor):
        changed = True
    if changed and not sheet_changed:
        # Only projects or figures changed: the sheet's version still moves (one form, one unit).
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
    return locked


# --- external evaluation (the committee) ------------------------------------------------------


@transaction.atomic
def reviewers_assign(*, sheet: PolicySheet, evaluators: Iterable[User], actor: Actor) -> list[ExternalReview]:
    """Assign the sheet to these committee members (others keep what they wrote if already assigned)."""
    reviews = []
    have = {r.evaluator_id: r for r in sheet.reviews.all()}
    for evaluator in evaluators:
        review = have.get(evaluator.pk)
        if review is None:
            review = ExternalReview.objects.create(
                municipality=sheet.municipality, sheet=sheet, evaluator=evaluator
            )
            record_create(review, actor=actor, fields=["sheet", "evaluator"])
        reviews.append(review)
    return reviews


@transaction.atomic
def reviewer_unassign(*, review: ExternalReview, actor: Actor) -> None:
    if review.grade or review.comment:
        raise ValidationError(
            {"evaluators": _("The member has already evaluated this sheet: the evaluation is kept.")}
        )
    record_changes(review, actor=actor, changes={"evaluator": (review.evaluator, None)})
    review.delete()


@transaction.atomic
def reviewers_set(*, sheet: PolicySheet, evaluators: Iterable[User], actor: Actor) -> list[ExternalReview]:
    """Exactly these committee members evaluate the sheet: the new ones are assigned, the others
    unassigned; a member who has evaluated it already cannot be, and then nothing changes."""
    chosen = list(evaluators)
    for review in sheet.reviews.select_related("evaluator"):
        if review.evaluator_id not in {u.pk for u in chosen}:
            reviewer_unassign(review=review, actor=actor)
    return reviewers_assign(sheet=sheet, evaluators=chosen, actor=actor)


@transaction.atomic
def review_update(
    *, review: ExternalReview, grade: str, comment: str, expected_version: int | None, actor: Actor
) -> ExternalReview:
    """A committee member's grade and comment on a sheet assigned to them."""
    locked = ExternalReview.objects.select_for_update().select_related("sheet__policy").get(pk=review.pk)
    check_version(locked, expected_version, ("grade", "comment"))
    _check_grade(locked.sheet, grade.strip(), "grade")
    apply_changes(locked, {"grade": grade.strip(), "comment": comment.strip()}, actor=actor)
    return locked


@transaction.atomic
def committee_opinion_update(
    *, sheet: PolicySheet, grade: str, opinion: str, expected_version: int | None, actor: Actor
) -> PolicySheet:
    """The committee's consolidated grade and opinion (the planning section records it)."""
    locked = PolicySheet.objects.select_for_update().select_related("policy").get(pk=sheet.pk)
    check_version(locked, expected_version, ("committee_grade", "committee_opinion"))
    _check_grade(locked, grade.strip(), "committee_grade")
    apply_changes(
        locked, {"committee_grade": grade.strip(), "committee_opinion": opinion.strip()}, actor=actor
    )
    return locked


@transaction.atomic
def response_update(
    *, sheet: PolicySheet, response: str, expected_version: int | None, actor: Actor
) -> PolicySheet:
    """The department's response to the committee's opinion."""
    locked = PolicySheet.objects.select_for_update().get(pk=sheet.pk)
    check_version(locked, expected_version, ("response",))
    if not locked.committee_opinion:
        raise ValidationError({"response": _("The committee has given no opinion on this sheet yet.")})
    apply_changes(locked, {"response": response.strip()}, actor=actor)
    return locked


@transaction.atomic
def meeting_create(
    *,
    collection_round: CollectionRound,
    held_on: date,
    title: str,
    attendees: str,
    minutes: str,
    sheets: Iterable[PolicySheet],
    actor: Actor,
) -> CommitteeMeeting:
    assert collection_round.plan is not None
    chosen = list(sheets)
    if any(s.round_id != collection_round.pk for s in chosen):
        raise ValidationError({"sheets": _("A sheet of another round cannot be discussed here.")})
    meeting = CommitteeMeeting.objects.create(
        municipality=collection_round.municipality,
        plan=collection_round.plan,
        fiscal_year=collection_round.fiscal_year,
        held_on=held_on,
        title=title.strip(),
        attendees=attendees.strip(),
        minutes=minutes.strip(),
    )
    meeting.sheets.set(chosen)
    record_create(meeting, actor=actor, fields=["held_on", "title", "attendees", "minutes"])
    if chosen:
        record_changes(
            meeting,
            actor=actor,
            changes={"sheets": (None, "、".join(f"{s.policy.label} {s.policy.title}" for s in chosen))},
        )
    return meeting
