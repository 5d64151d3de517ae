"""Writes of evaluation: grade scales, grades given by people, dismissed findings, formulas.

Each function validates, writes in one transaction and audits every change
(``shinchoku.core.audit``). Nothing here computes or stores a rate: rates and
grades are derived on demand by the selectors.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from shinchoku.core.audit import Actor, apply_changes, record_create, record_delete
from shinchoku.evaluation.models import (
    FindingDismissal,
    GradeBand,
    GradeScale,
    ManualGrade,
    MilestoneStatus,
)
from shinchoku.evaluation.quality import Finding, ReportRef, report_findings
from shinchoku.evaluation.scales import NOT_EVALUABLE_LABEL, PRESETS, Band, Preset, Scale
from shinchoku.evaluation.selectors import grade_scales_of
from shinchoku.goals.models import Goal
from shinchoku.organizations.models import Municipality
from shinchoku.plans.models import Indicator, Plan

SCALE_FIELDS = ["name", "plan", "fiscal_year", "is_default", "not_evaluable_label"]
BAND_FIELDS = ["position", "label", "lower_bound", "lower_inclusive", "description"]


def _unset_default(municipality: Municipality, *, actor: Actor, keep: GradeScale | None = None) -> None:
    for other in GradeScale.objects.filter(municipality=municipality, is_default=True).select_for_update():
        if keep is None or other.pk != keep.pk:
            apply_changes(other, {"is_default": False}, actor=actor)


@transaction.atomic
def grade_scale_create(
    *,
    municipality: Municipality,
    name: str,
    bands: Sequence[Band],
    actor: Actor,
    plan: Plan | None = None,
    fiscal_year: int | None = None,
    is_default: bool = False,
    not_evaluable_label: str = NOT_EVALUABLE_LABEL,
    description: str = "",
) -> GradeScale:
    """A new scale with its bands (best first). Making it the default unsets the previous default."""
    errors = Scale(name, tuple(bands), not_evaluable_label).errors()
    if not name.strip():
        errors.append("A scale needs a name.")
    if plan is not None and plan.municipality_id != municipality.pk:
        errors.append("The plan belongs to another municipality.")
    if is_default and (plan is not None or fiscal_year is not None):
        errors.append("The default scale applies to every plan and year: leave plan and year empty.")
    if GradeScale.objects.filter(municipality=municipality, name=name).exists():
        errors.append(f"A scale named {name!r} exists already.")
    if errors:
        raise ValidationError(errors)
    if is_default:
        _unset_default(municipality, actor=actor)
    scale = GradeScale.objects.create(
        municipality=municipality,
        name=name,
        plan=plan,
        fiscal_year=fiscal_year,
        is_default=is_default,
        not_evaluable_label=not_evaluable_label,
        description=description,
    )
    record_create(scale, actor=actor, fields=SCALE_FIELDS)
    for position, band in enumerate(bands):
        row = GradeBand.objects.create(
            scale=scale,
            position=position,
            label=band.label.strip(),
            lower_bound=band.lower,
            lower_inclusive=band.lower_inclusive,
            description=band.description,
        )
        record_create(row, actor=actor, fields=BAND_FIELDS)
    return scale


def grade_scale_create_from_preset(
    *,
    municipality: Municipality,
    preset: Preset | str,
    actor: Actor,
    name: str | None = None,
    plan: Plan | None = None,
    fiscal_year: int | None = None,
    is_default: bool = False,
) -> GradeScale:
    """A stored copy of a preset (達成/概ね達成/未達成, A–D, S/A/B/C against the baseline), then editable."""
    try:
        template = PRESETS[Preset(preset)]
    except ValueError:
        raise ValidationError(
            f"Unknown preset {preset!r}; one of {', '.join(p.value for p in Preset)}."
        ) from None
    return grade_scale_create(
        municipality=municipality,
        name=name or template.name,
        bands=template.bands,
        actor=actor,
        plan=plan,
        fiscal_year=fiscal_year,
        is_default=is_default,
        not_evaluable_label=template.not_evaluable_label,
    )


@transaction.atomic
def grade_scale_make_default(*, scale: GradeScale, actor: Actor) -> GradeScale:
    if scale.plan_id is not None or scale.fiscal_year is not None:
        raise ValidationError("Only a scale for every plan and year can be the default.")
    _unset_default(scale.municipality, actor=actor, keep=scale)
    apply_changes(scale, {"is_default": True}, actor=actor)
    return scale


@transaction.atomic
def manual_grade_record(
    *,
    fiscal_year: int,
    grade: str,
    reason: str,
    actor: Actor,
    indicator: Indicator | None = None,
    goal: Goal | None = None,
    milestone_status: str = "",
) -> ManualGrade:
    """A person grades a qualitative or milestone target (an indicator, or a goal without figures).

    The grade is one of the applicable scale's labels or its not-evaluable label;
    the reason is required and goes into the audit log with the change.
    """
    if (indicator is None) == (goal is None):
        raise ValidationError("Grade either an indicator or a goal.")
    reason = reason.strip()
    errors: list[str] = []
    if not reason:
        errors.append("Write the reason for the grade.")
    if milestone_status and milestone_status not in MilestoneStatus.values:
        errors.append(f"Unknown progress {milestone_status!r}.")
    plan_id: int | None = None
    if indicator is not None:
        municipality = indicator.municipality
        if indicator.formula != Indicator.Formula.MILESTONE:
            errors.append(
                "This indicator is judged from its figures; only qualitative targets are graded by a person."
            )
        if indicator.plan_node_id is not None and indicator.plan_node is not None:
            plan_id = indicator.plan_node.plan_id
    else:
        assert goal is not None
        municipality = goal.declaration.municipality
        fiscal_year = goal.declaration.fiscal_year
        if goal.indicators.exists():
            errors.append("This goal has indicators: grade them, not the goal.")
    scale, _stored = grade_scales_of(municipality).applicable(plan_id=plan_id, fiscal_year=fiscal_year)
    if grade not in [*scale.labels(), scale.not_evaluable_label]:
        errors.append(f"{grade!r} is not a grade of the scale {scale.name}.")
    if errors:
        raise ValidationError(errors)

    values: dict[str, Any] = {
        "grade": grade,
        "milestone_status": milestone_status,
        "reason": reason,
        "graded_by": actor.user,
        "graded_by_label": actor.label,
    }
    existing = ManualGrade.objects.select_for_update().filter(
        fiscal_year=fiscal_year, indicator=indicator, goal=goal
    )
    manual = existing.first()
    if manual is None:
        manual = ManualGrade.objects.create(
            municipality=municipality, fiscal_year=fiscal_year, indicator=indicator, goal=goal, **values
        )
        record_create(manual, actor=actor, fields=["grade", "milestone_status"], reason=reason)
    else:
        apply_changes(manual, values, actor=actor, reason=reason)
    return manual


@transaction.atomic
def manual_grade_withdraw(*, manual: ManualGrade, actor: Actor, reason: str) -> None:
    """Take a person's grade back (the target waits for a person again)."""
    if not reason.strip():
        raise ValidationError("Write the reason for withdrawing the grade.")
    record_delete(manual, actor=actor, reason=reason.strip())
    manual.delete()


@transaction.atomic
def finding_dismiss(
    *, municipality: Municipality, report: ReportRef, fingerprint: str, reason: str, actor: Actor
) -> FindingDismissal:
    """Dismiss one finding of a report, with the reason (audited). The finding must exist now."""
    reason = reason.strip()
    if not reason:
        raise ValidationError("Write the reason for dismissing the finding.")
    finding: Finding | None = next(
        (f for f in report_findings(municipality, report) if f.fingerprint == fingerprint), None
    )
    if finding is None:
        raise ValidationError("No such finding in this report (it may have been fixed meanwhile).")
    if finding.dismissal is not None:
        raise ValidationError("This finding has been dismissed already.")
    dismissal = FindingDismissal.objects.create(
        municipality=municipality,
        fingerprint=fingerprint,
        kind=finding.kind,
        object_repr=finding.record[:500],
        reason=reason,
        dismissed_by=actor.user,
        dismissed_by_label=actor.label,
    )
    record_create(
        dismissal, actor=actor, fields=["fingerprint", "kind", "object_repr", "reason"], reason=reason
    )
    return dismissal


@transaction.atomic
def finding_dismissal_revoke(*, dismissal: FindingDismissal, actor: Actor, reason: str = "") -> None:
    """Show a dismissed finding again."""
    record_delete(dismissal, actor=actor, reason=reason.strip())
    dismissal.delete()


INDICATOR_EVALUATION_FIELDS = (
    "formula",
    "direction",
    "reported_as_change",
    "baseline_value",
    "baseline_year",
    "cumulative",
    "prorate_target",
    "period_start_year",
    "period_end_year",
    "weight",
)


@transaction.atomic
def indicator_evaluation_change(
    *, indicator: Indicator, actor: Actor, reason: str = "", **values: Any
) -> dict[str, tuple[Any, Any]]:
    """Change how an indicator is judged (its formula, baseline, period, weight …); audited.

    Only the fields of ``INDICATOR_EVALUATION_FIELDS`` are accepted. Returns the
    changes, empty when nothing changed.
    """
    unknown = set(values) - set(INDICATOR_EVALUATION_FIELDS)
    if unknown:
        raise ValidationError(f"Not an evaluation field: {', '.join(sorted(unknown))}.")
    if "formula" in values and values["formula"] not in Indicator.Formula.values:
        raise ValidationError(f"Unknown formula {values['formula']!r}.")
    if "weight" in values and Decimal(values["weight"]) < 0:
        raise ValidationError("A weight cannot be negative.")
    start = values.get("period_start_year", indicator.period_start_year)
    end = values.get("period_end_year", indicator.period_end_year)
    if start is not None and end is not None and end < start:
        raise ValidationError("The period ends before it starts.")
    locked = Indicator.objects.select_for_update().get(pk=indicator.pk)
    changes = apply_changes(locked, values, actor=actor, reason=reason.strip())
    for name in changes:
        setattr(indicator, name, getattr(locked, name))
    indicator.version = locked.version
    return changes
