"""Writes of goal declarations. Imports, forms and the CLI all go through here."""

from __future__ import annotations

import re

from django.db import transaction

from shinchoku.core.audit import Actor, apply_changes, record_changes, record_create, record_delete
from shinchoku.core.changes import ChangeSummary
from shinchoku.core.eras import search_fiscal_year
from shinchoku.core.figures import Figure, find_figures
from shinchoku.goals.models import Goal, GoalDeclaration, GoalSection
from shinchoku.imports.schema import ParsedGoal, ParsedGoalDeclaration
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.organizations.services import SectionResolver, fiscal_year_ensure
from shinchoku.plans.models import Indicator, Measurement, Target
from shinchoku.workflow.conflicts import check_version

GOAL_TEXT_FIELDS = ("title", "content", "target_text", "result_text", "direction_text", "status_text")


_REDUCE_WORDS = ("縮減", "削減", "減少", "減ら")
_INCREASE_WORDS = ("増加", "増額", "増収", "向上", "増や", "伸ば", "改善", "高め", "上回")


def _has_distinct_years(goal: ParsedGoal) -> bool:
    years = [search_fiscal_year(f.label or "", context_era=None) for f in goal.actuals]
    return len(years) > 1 and None not in years and len(set(years)) == len(years)


def propose_formula(goal: ParsedGoal) -> str:
    """The formula the importer proposes from the goal's wording; a person can change it.

    - "前年度末に対して…縮減" (or 増加): compare with last year's actual;
    - "確保": keep a level (at or above the target);
    - no target figure, but a series over years and a wish to improve ("…率の向上を目指します",
      seed 000 goal 2): this year against the previous year;
    - no target figure otherwise: a qualitative or milestone target, graded by a person;
    - otherwise actual ÷ target.
    """
    text = goal.target_text
    if "前年度" in text and any(word in text for word in _REDUCE_WORDS):
        return Indicator.Formula.PREVIOUS_YEAR_DECREASE
    if "前年度" in text and any(word in text for word in _INCREASE_WORDS):
        return Indicator.Formula.PREVIOUS_YEAR_INCREASE
    if "確保" in text:
        return Indicator.Formula.MAINTAIN_AT_LEAST
    if not goal.targets:
        if _has_distinct_years(goal) and any(word in text for word in _INCREASE_WORDS):
            return Indicator.Formula.PREVIOUS_YEAR_INCREASE
        if _has_distinct_years(goal) and any(word in text for word in _REDUCE_WORDS):
            return Indicator.Formula.PREVIOUS_YEAR_DECREASE
        return Indicator.Formula.MILESTONE
    return Indicator.Formula.RATIO


_CHANGE_AFTER_FIGURE = re.compile(r"^\s*[をのが]?\s*(縮減|削減|減少|減ら|増加|増額|増収|増や)")


def propose_reported_as_change(goal: ParsedGoal, actual: Figure | None) -> bool:
    """Whether ``actual`` reports the change itself rather than the level.

    "前年度末に対し、約５億４，８００万円を縮減しました" (seed 000 goal 4) reports the
    reduction, not the year-end balance: the figure is followed by the verb of change.
    Only the previous-year formulas read the flag.
    """
    if actual is None or propose_formula(goal) not in (
        Indicator.Formula.PREVIOUS_YEAR_DECREASE,
        Indicator.Formula.PREVIOUS_YEAR_INCREASE,
    ):
        return False
    for _start, end, figure in find_figures(goal.status_text):
        if figure.value == actual.value and figure.unit == actual.unit:
            return bool(_CHANGE_AFTER_FIGURE.match(goal.status_text[end:]))
    return False


def _figure_values(figure: Figure) -> dict[str, object]:
    return {
        "value": figure.value,
        "approximate": figure.approximate,
        "provisional": figure.provisional,
        "text": (figure.label or "")[:300],
    }


def _series(goal: ParsedGoal, fiscal_year: int) -> list[tuple[Figure | None, list[tuple[int, Figure]]]]:
    """Pair each target with its actuals: ``[(target, [(fiscal_year, actual), …]), …]``.

    Targets and actuals are paired in document order. When a goal states no target
    and its actuals are one unit in distinct years ("81.2% (H27) → 89.9% (H28見込)"),
    they are one indicator's series rather than several indicators.
    """
    years = [search_fiscal_year(f.label or "", context_era=None) or fiscal_year for f in goal.actuals]
    if (
        not goal.targets
        and len(goal.actuals) > 1
        and len({f.unit for f in goal.actuals}) == 1
        and len(set(years)) == len(years)
    ):
        return [(None, list(zip(years, goal.actuals, strict=True)))]
    count = max(len(goal.targets), len(goal.actuals))
    series: list[tuple[Figure | None, list[tuple[int, Figure]]]] = []
    for k in range(count):
        target = goal.targets[k] if k < len(goal.targets) else None
        actuals = [(fiscal_year, goal.actuals[k])] if k < len(goal.actuals) else []
        series.append((target, actuals))
    return series


def _sync_sections(goal: Goal, sections: list[Section], *, actor: Actor) -> bool:
    current = [gs.section for gs in GoalSection.objects.filter(goal=goal).select_related("section")]
    if [s.pk for s in current] == [s.pk for s in sections]:
        return False
    GoalSection.objects.filter(goal=goal).delete()
    GoalSection.objects.bulk_create(
        [GoalSection(goal=goal, section=s, position=i) for i, s in enumerate(sections)]
    )
    record_changes(
        goal, actor=actor, changes={"sections": ([str(s) for s in current], [str(s) for s in sections])}
    )
    return True


def _sync_figure(
    model: type[Target] | type[Measurement],
    existing: Target | Measurement | None,
    figure: Figure | None,
    *,
    indicator: Indicator,
    fiscal_year: int,
    actor: Actor,
    summary: ChangeSummary,
) -> None:
    if figure is None:
        if existing is not None:
            record_delete(existing, actor=actor)
            summary.add_deleted(existing)
            existing.delete()
        return
    values = _figure_values(figure)
    if existing is None:
        obj = model.objects.create(indicator=indicator, fiscal_year=fiscal_year, **values)
        record_create(obj, actor=actor, fields=list(values))
        summary.add_created(obj)
    else:
        summary.add_updated(existing, list(apply_changes(existing, values, actor=actor)))


def _sync_indicators(
    goal: Goal,
    parsed: ParsedGoal,
    *,
    fiscal_year: int,
    sections: list[Section],
    actor: Actor,
    summary: ChangeSummary,
) -> None:
    indicators = list(goal.indicators.order_by("position", "id"))
    series = _series(parsed, fiscal_year)
    for k, (target, actuals) in enumerate(series):
        first = target or actuals[0][1]
        name = (first.label or goal.title)[:300]
        values = {"name": name, "unit": first.unit, "position": k}
        if k < len(indicators):
            indicator = indicators[k]
            summary.add_updated(indicator, list(apply_changes(indicator, values, actor=actor)))
        else:
            indicator = Indicator.objects.create(
                municipality=goal.declaration.municipality,
                formula=propose_formula(parsed),
                reported_as_change=propose_reported_as_change(parsed, actuals[0][1] if actuals else None),
                **values,
            )
            indicator.sections.set(sections)
            goal.indicators.add(indicator)
            proposed = ["formula", "reported_as_change"] if indicator.reported_as_change else ["formula"]
            record_create(indicator, actor=actor, fields=["name", "unit", *proposed])
            summary.add_created(indicator)
        targets = {t.fiscal_year: t for t in indicator.targets.filter(kind=Target.Kind.FINAL)}
        _sync_figure(
            Target,
            targets.pop(fiscal_year, None),
            target,
            indicator=indicator,
            fiscal_year=fiscal_year,
            actor=actor,
            summary=summary,
        )
        measurements = {m.fiscal_year: m for m in indicator.measurements.all()}
        for year, actual in actuals:
            _sync_figure(
                Measurement,
                measurements.pop(year, None),
                actual,
                indicator=indicator,
                fiscal_year=year,
                actor=actor,
                summary=summary,
            )
        # Figures of this report's years that the corrected document no longer states.
        for stale in [m for y, m in measurements.items() if y == fiscal_year]:
            _sync_figure(
                Measurement,
                stale,
                None,
                indicator=indicator,
                fiscal_year=fiscal_year,
                actor=actor,
                summary=summary,
            )
    for extra in indicators[len(series) :]:
        record_delete(extra, actor=actor)
        summary.add_deleted(extra)
        extra.delete()


@transaction.atomic
def goal_declaration_import(
    *,
    municipality: Municipality,
    department: Department,
    parsed: ParsedGoalDeclaration,
    actor: Actor,
    create_missing: bool = False,
) -> tuple[GoalDeclaration, ChangeSummary]:
    """Create or update a declaration and its goals from a parsed report.

    Idempotent: importing the same document twice changes nothing the second
    time; a corrected document updates records in place, each change audited.
    """
    summary = ChangeSummary()
    resolver = SectionResolver(municipality, parsed.fiscal_year)
    names = [name for goal in parsed.goals for name in goal.sections]
    sections = resolver.ensure(names, actor=actor, create_missing=create_missing, department=department)
    fiscal_year_ensure(municipality=municipality, year=parsed.fiscal_year, actor=actor)

    values = {
        "title": parsed.title,
        "declarer_position": parsed.declarer_position,
        "declarer_name": parsed.declarer_name,
    }
    declaration = GoalDeclaration.objects.filter(
        municipality=municipality, fiscal_year=parsed.fiscal_year, department=department
    ).first()
    if declaration is None:
        declaration = GoalDeclaration.objects.create(
            municipality=municipality, fiscal_year=parsed.fiscal_year, department=department, **values
        )
        record_create(declaration, actor=actor, fields=list(values))
        summary.add_created(declaration)
    else:
        summary.add_updated(declaration, list(apply_changes(declaration, values, actor=actor)))

    existing = {g.number: g for g in declaration.goals.all()}
    for parsed_goal in parsed.goals:
        goal_values: dict[str, object] = {name: getattr(parsed_goal, name) for name in GOAL_TEXT_FIELDS}
        goal = existing.pop(parsed_goal.number, None)
        goal_sections = [sections[name] for name in parsed_goal.sections]
        if goal is None:
            # number_inferred records how the goal first came in; a later export/import
            # that writes the number explicitly does not rewrite that history.
            goal = Goal.objects.create(
                declaration=declaration,
                number=parsed_goal.number,
                number_inferred=parsed_goal.number_inferred,
                **goal_values,
            )
            record_create(goal, actor=actor, fields=list(GOAL_TEXT_FIELDS))
            summary.add_created(goal)
            _sync_sections(goal, goal_sections, actor=actor)
        else:
            changed = list(apply_changes(goal, goal_values, actor=actor))
            if _sync_sections(goal, goal_sections, actor=actor):
                changed.append("sections")
            summary.add_updated(goal, changed)
        _sync_indicators(
            goal,
            parsed_goal,
            fiscal_year=parsed.fiscal_year,
            sections=goal_sections,
            actor=actor,
            summary=summary,
        )
    for stale_goal in existing.values():
        record_delete(stale_goal, actor=actor)
        summary.add_deleted(stale_goal)
        stale_goal.delete()
    return declaration, summary


# --- the year-end results form (the staff workspace, ADR 7) ------------------------------

GOAL_RESULT_FIELDS = ("result_text", "direction_text", "status_text")


@transaction.atomic
def goal_results_update(
    *,
    goal: Goal,
    values: dict[str, str],
    actuals: dict[Indicator, tuple[str, Figure | None]],
    fiscal_year: int,
    expected_version: int | None,
    actor: Actor,
) -> Goal:
    """Save a goal's year-end texts and the actual figures of its indicators for ``fiscal_year``.

    ``actuals`` maps an indicator to the text as typed and its parsed figure (``None``
    with an empty text removes the year's actual). The goal's version moves when
    anything of the form changed, so a second person's stale form is refused with
    ``ConflictError`` even if only a figure changed.
    """
    locked = Goal.objects.select_for_update().get(pk=goal.pk)
    check_version(locked, expected_version, GOAL_RESULT_FIELDS)
    unknown = set(values) - set(GOAL_RESULT_FIELDS)
    if unknown:
        raise ValueError(f"Not a result field: {sorted(unknown)}")
    goal_changed = bool(apply_changes(locked, {k: v.strip() for k, v in values.items()}, actor=actor))
    changed = False
    existing = {
        m.indicator_id: m
        for m in Measurement.objects.select_for_update().filter(
            indicator__in=list(actuals), fiscal_year=fiscal_year
        )
    }
    for indicator, (text, figure) in actuals.items():
        measurement = existing.get(indicator.pk)
        if figure is None:
            if measurement is not None:
                record_changes(measurement, actor=actor, changes={"value": (measurement.value, None)})
                record_delete(measurement, actor=actor)
                measurement.delete()
                changed = True
            continue
        new = {
            "value": figure.value,
            "approximate": figure.approximate,
            "provisional": figure.provisional,
            "text": text.strip()[:300],
        }
        if measurement is None:
            measurement = Measurement.objects.create(indicator=indicator, fiscal_year=fiscal_year, **new)
            record_create(measurement, actor=actor, fields=["fiscal_year", *new])
            changed = True
        elif apply_changes(measurement, new, actor=actor):
            changed = True
    if changed and not goal_changed:
        # Only figures changed: the goal's version still moves, so the form stays one unit.
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
    return locked
