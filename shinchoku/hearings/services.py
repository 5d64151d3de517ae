"""Writes of the mid-year hearing: a goal's mid-year report (with its 見込), the hearing notes."""

from __future__ import annotations

from django.db import transaction

from shinchoku.core.audit import Actor, apply_changes, record_changes, record_create, record_delete
from shinchoku.core.figures import Figure
from shinchoku.goals.models import Goal
from shinchoku.hearings.models import Forecast, HearingNote, MidYearReport, MidYearStatus
from shinchoku.organizations.models import Department
from shinchoku.plans.models import Indicator
from shinchoku.workflow.conflicts import check_version
from shinchoku.workflow.models import CollectionRound

REPORT_FIELDS = ("status", "issues")


@transaction.atomic
def mid_year_report_save(
    *,
    collection_round: CollectionRound,
    goal: Goal,
    status: str,
    issues: str,
    forecasts: dict[Indicator, tuple[str, Figure | None]],
    expected_version: int | None,
    actor: Actor,
) -> MidYearReport:
    """Save where ``goal`` stands at mid-year. ``expected_version`` is the report's version the form
    was rendered from (``None`` when there was no report yet: a report created meanwhile conflicts)."""
    if status and status not in MidYearStatus.values:
        raise ValueError(f"Unknown mid-year status {status!r}")
    report, created = MidYearReport.objects.select_for_update().get_or_create(
        round=collection_round, goal=goal, defaults={"municipality": collection_round.municipality}
    )
    if created:
        record_create(report, actor=actor, fields=["goal"])
    else:
        # A report that exists was seen by the form (version ≥ 1); a form without one is stale.
        check_version(report, expected_version or 0, REPORT_FIELDS)
    report_changed = bool(apply_changes(report, {"status": status, "issues": issues.strip()}, actor=actor))
    changed = False
    existing = {f.indicator_id: f for f in report.forecasts.select_for_update()}
    for indicator, (text, figure) in forecasts.items():
        forecast = existing.get(indicator.pk)
        if figure is None:
            if forecast is not None:
                record_changes(forecast, actor=actor, changes={"value": (forecast.value, None)})
                record_delete(forecast, actor=actor)
                forecast.delete()
                changed = True
            continue
        values = {"value": figure.value, "text": text.strip()[:300]}
        if forecast is None:
            forecast = Forecast.objects.create(report=report, indicator=indicator, **values)
            record_create(forecast, actor=actor, fields=["indicator", "value", "text"])
            changed = True
        elif apply_changes(forecast, values, actor=actor):
            changed = True
    if changed and not report_changed and not created:
        report.version += 1
        report.save(update_fields=["version", "updated_at"])
    return report


@transaction.atomic
def hearing_note_save(
    *,
    collection_round: CollectionRound,
    department: Department,
    notes: str,
    instructions: str,
    expected_version: int | None,
    actor: Actor,
) -> HearingNote:
    """The planning section's notes of its hearing with ``department`` and its instructions."""
    note, created = HearingNote.objects.select_for_update().get_or_create(
        round=collection_round,
        department=department,
        defaults={"municipality": collection_round.municipality},
    )
    if created:
        record_create(note, actor=actor, fields=["department"])
    else:
        check_version(note, expected_version or 0, ("notes", "instructions"))
    apply_changes(note, {"notes": notes.strip(), "instructions": instructions.strip()}, actor=actor)
    return note
