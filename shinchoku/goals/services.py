"""Writes of goal declarations. Imports, forms and the CLI all go through here."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _

from shinchoku.core.audit import Actor, apply_changes, record_changes, record_create, record_delete
from shinchoku.core.changes import ChangeSummary
from shinchoku.core.eras import search_fiscal_year
from shinchoku.core.figures import Figure, find_figures
from shinchoku.documents.schema import ParsedGoal, ParsedGoalDeclaration
from shinchoku.goals.models import Goal, GoalDeclaration, GoalSection
from shinchoku.goals.naming import propose_indicator_name
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


def _name_follows_proposal(indicator: Indicator, first: Figure, goal: Goal) -> bool:
    """Whether a re-import may rename ``indicator``: nobody has chosen its name.

    The name is still the importer's proposal; for an indicator imported before proposals
    were kept, it is still what the importer then wrote (the first figure's label or the
    goal's title). Any other name is a person's (the declaration form) and is kept.
    """
    if indicator.proposed_name:
        return indicator.name == indicator.proposed_name
    return indicator.name == (first.label or goal.title)[:300]


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
        proposal = propose_indicator_name(parsed, target, actuals[0][1] if actuals else None)
        values: dict[str, object] = {"proposed_name": proposal, "unit": first.unit, "position": k}
        if k < len(indicators):
            indicator = indicators[k]
            if _name_follows_proposal(indicator, first, goal):
                values["name"] = proposal
            summary.add_updated(indicator, list(apply_changes(indicator, values, actor=actor)))
        else:
            indicator = Indicator.objects.create(
                municipality=goal.declaration.municipality,
                name=proposal,
                formula=propose_formula(parsed),
                reported_as_change=propose_reported_as_change(parsed, actuals[0][1] if actuals else None),
                **values,
            )
            indicator.sections.set(sections)
            goal.indicators.add(indicator)
            proposed = ["formula", "reported_as_change"] if indicator.reported_as_change else ["formula"]
            record_create(indicator, actor=actor, fields=["name", "proposed_name", "unit", *proposed])
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
def measurements_save(
    actuals: dict[Indicator, tuple[str, Figure | None]], *, fiscal_year: int, actor: Actor
) -> bool:
    """Save the typed actual figure of each indicator for ``fiscal_year`` (``None`` removes it).

    Returns whether anything changed. Used by every form that takes actuals (a goal's, a 施策評価シート's).
    """
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
    return changed


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
    changed = measurements_save(actuals, fiscal_year=fiscal_year, actor=actor)
    if changed and not goal_changed:
        # Only figures changed: the goal's version still moves, so the form stays one unit.
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
    return locked


# --- the goal declaration form at the start of the year (ADR 7, addendum) -----------------

DECLARATION_FIELDS = ("title", "declarer_position", "declarer_name")
GOAL_DECLARED_FIELDS = ("title", "content", "target_text")
INDICATOR_FIELDS = ("name", "unit", "direction", "formula", "baseline_value", "baseline_year", "cumulative")


def declarer_position_for(department: Department) -> str:
    """The declarer's position as documents write it: 企画部 → 企画部長."""
    return f"{department.name}長"


def _require_department_sections(
    declaration: GoalDeclaration, sections: list[Section], keep: frozenset[int] = frozenset()
) -> None:
    """Sections of the declaration's department valid in its year (``keep``: ones the goal has already)."""
    wrong = [
        s.name
        for s in sections
        if s.pk not in keep
        and (s.department_id != declaration.department_id or not s.is_valid_in(declaration.fiscal_year))
    ]
    if wrong:
        raise ValidationError(
            {
                "sections": _("Not a section of the department in that fiscal year: %(names)s")
                % {"names": "、".join(wrong)}
            }
        )


@transaction.atomic
def goal_declaration_create(
    *,
    municipality: Municipality,
    department: Department,
    fiscal_year: int,
    actor: Actor,
    title: str = "",
    declarer_position: str = "",
    declarer_name: str = "",
) -> GoalDeclaration:
    """An empty declaration of ``department`` for ``fiscal_year``; goals are added one by one.

    The declarer's position defaults to the department's head (企画部 → 企画部長).
    """
    if department.municipality_id != municipality.pk:
        raise ValidationError({"department": _("The department belongs to another municipality.")})
    if not department.is_valid_in(fiscal_year):
        raise ValidationError({"department": _("The department does not exist in that fiscal year.")})
    if GoalDeclaration.objects.filter(
        municipality=municipality, fiscal_year=fiscal_year, department=department
    ).exists():
        raise ValidationError(
            {"fiscal_year": _("The department has a declaration for that fiscal year already.")}
        )
    fiscal_year_ensure(municipality=municipality, year=fiscal_year, actor=actor)
    declaration = GoalDeclaration.objects.create(
        municipality=municipality,
        fiscal_year=fiscal_year,
        department=department,
        title=title.strip(),
        declarer_position=declarer_position.strip() or declarer_position_for(department),
        declarer_name=declarer_name.strip(),
    )
    record_create(declaration, actor=actor, fields=["fiscal_year", "department", *DECLARATION_FIELDS])
    return declaration


@transaction.atomic
def goal_declaration_update(
    *, declaration: GoalDeclaration, values: dict[str, str], expected_version: int | None, actor: Actor
) -> GoalDeclaration:
    """Change the title and the declarer of a declaration."""
    locked = GoalDeclaration.objects.select_for_update().get(pk=declaration.pk)
    check_version(locked, expected_version, DECLARATION_FIELDS)
    unknown = set(values) - set(DECLARATION_FIELDS)
    if unknown:
        raise ValueError(f"Not a declaration field: {sorted(unknown)}")
    cleaned = {k: v.strip() for k, v in values.items()}
    if "declarer_position" in cleaned and not cleaned["declarer_position"]:
        raise ValidationError({"declarer_position": _("Name the declarer's position.")})
    apply_changes(locked, cleaned, actor=actor)
    return locked


def _locked_goal(goal: Goal) -> Goal:
    return Goal.objects.select_for_update().select_related("declaration").get(pk=goal.pk)


@transaction.atomic
def goal_create(
    *,
    declaration: GoalDeclaration,
    title: str,
    sections: list[Section],
    actor: Actor,
    content: str = "",
    target_text: str = "",
) -> Goal:
    """Add a goal at the end of the declaration (the next number)."""
    if not title.strip():
        raise ValidationError({"title": _("A goal needs a title.")})
    _require_department_sections(declaration, sections)
    # Lock the declaration so that two goals added at once do not take the same number.
    GoalDeclaration.objects.select_for_update().get(pk=declaration.pk)
    last = declaration.goals.order_by("-number").values_list("number", flat=True).first()
    goal = Goal.objects.create(
        declaration=declaration,
        number=(last or 0) + 1,
        title=title.strip(),
        content=content.strip(),
        target_text=target_text.strip(),
    )
    record_create(goal, actor=actor, fields=["number", *GOAL_DECLARED_FIELDS])
    _sync_sections(goal, sections, actor=actor)
    return goal


@transaction.atomic
def goal_update(
    *,
    goal: Goal,
    values: dict[str, str],
    sections: list[Section],
    expected_version: int | None,
    actor: Actor,
) -> Goal:
    """Change a goal's title, content, target text and responsible sections.

    The goal's indicators follow its sections (as the importer sets them). The
    version moves when only the sections changed, so the form is one unit.
    """
    locked = _locked_goal(goal)
    check_version(locked, expected_version, GOAL_DECLARED_FIELDS)
    unknown = set(values) - set(GOAL_DECLARED_FIELDS)
    if unknown:
        raise ValueError(f"Not a declared goal field: {sorted(unknown)}")
    cleaned = {k: v.strip() for k, v in values.items()}
    if "title" in cleaned and not cleaned["title"]:
        raise ValidationError({"title": _("A goal needs a title.")})
    keep = frozenset(GoalSection.objects.filter(goal=locked).values_list("section_id", flat=True))
    _require_department_sections(locked.declaration, sections, keep)
    changed = bool(apply_changes(locked, cleaned, actor=actor))
    if _sync_sections(locked, sections, actor=actor):
        for indicator in locked.indicators.prefetch_related("sections"):
            before = [str(s) for s in indicator.sections.all()]
            indicator.sections.set(sections)
            record_changes(indicator, actor=actor, changes={"sections": (before, [str(s) for s in sections])})
        if not changed:
            locked.version += 1
            locked.save(update_fields=["version", "updated_at"])
    return locked


def _delete_indicator(indicator: Indicator, *, actor: Actor) -> None:
    for target in indicator.targets.all():
        record_delete(target, actor=actor)
    for measurement in indicator.measurements.all():
        record_delete(measurement, actor=actor)
    record_delete(indicator, actor=actor)
    indicator.delete()


@transaction.atomic
def goal_delete(*, goal: Goal, expected_version: int | None, actor: Actor) -> None:
    """Delete a goal with its own indicators; the goals after it move up one number.

    An indicator that another goal or a plan also uses is only detached.
    """
    locked = _locked_goal(goal)
    check_version(locked, expected_version, GOAL_DECLARED_FIELDS)
    declaration = locked.declaration
    for indicator in locked.indicators.annotate(uses=models.Count("goals")):
        if indicator.uses > 1 or indicator.plan_node_id is not None:
            locked.indicators.remove(indicator)
        else:
            _delete_indicator(indicator, actor=actor)
    number = locked.number
    record_changes(locked, actor=actor, changes={"title": (locked.title, None)})
    record_delete(locked, actor=actor)
    locked.delete()
    # In ascending order each goal moves into the number just freed.
    for later in (
        Goal.objects.select_for_update().filter(declaration=declaration, number__gt=number).order_by("number")
    ):
        apply_changes(later, {"number": later.number - 1}, actor=actor)


@transaction.atomic
def goal_move(*, goal: Goal, offset: int, actor: Actor) -> Goal:
    """Swap a goal's number with the goal above (``offset=-1``) or below (``+1``).

    At the top or bottom nothing changes. Moving takes no expected version: it changes no text.
    """
    locked = _locked_goal(goal)
    siblings = Goal.objects.select_for_update().filter(declaration_id=locked.declaration_id)
    neighbour = (
        siblings.filter(number__lt=locked.number).order_by("-number").first()
        if offset < 0
        else siblings.filter(number__gt=locked.number).order_by("number").first()
    )
    if neighbour is None:
        return locked
    mine, theirs = locked.number, neighbour.number
    # The numbers are unique in a declaration: park this goal on a free number during the swap.
    parked = (siblings.aggregate(top=models.Max("number"))["top"] or 0) + 1
    Goal.objects.filter(pk=locked.pk).update(number=parked)
    apply_changes(neighbour, {"number": mine}, actor=actor)
    apply_changes(locked, {"number": theirs}, actor=actor)
    return locked


def _check_unit(unit: str, figures: dict[str, Figure | None]) -> str:
    """The indicator's unit: as given, or the unit of its typed figures; a differing unit is refused."""
    units = {f.unit for f in figures.values() if f is not None and f.unit}
    unit = unit.strip()
    if not unit and len(units) == 1:
        unit = units.pop()
    for name, figure in figures.items():
        if figure is not None and figure.unit and figure.unit != unit:
            raise ValidationError(
                {
                    name: _("The unit %(unit)s does not match the indicator's unit %(expected)s.")
                    % {"unit": figure.unit, "expected": unit or "—"}
                }
            )
    return unit


def _indicator_values(
    *,
    name: str,
    unit: str,
    direction: str,
    formula: str,
    baseline: Figure | None,
    baseline_year: int | None,
    target: Figure | None,
    cumulative: bool,
    fiscal_year: int,
) -> dict[str, object]:
    if not name.strip():
        raise ValidationError({"name": _("An indicator needs a name.")})
    if direction not in Indicator.Direction.values:
        raise ValidationError({"direction": _("Unknown direction.")})
    if formula not in Indicator.Formula.values:
        raise ValidationError({"formula": _("Unknown formula.")})
    unit = _check_unit(unit, {"baseline": baseline, "target": target})
    if baseline is not None and baseline_year is None:
        baseline_year = fiscal_year - 1  # the usual baseline: last year's figure
    return {
        "name": name.strip()[:300],
        "unit": unit[:30],
        "direction": direction,
        "formula": formula,
        "baseline_value": baseline.value if baseline is not None else None,
        "baseline_year": baseline_year if baseline is not None else None,
        "cumulative": cumulative,
    }


def _sync_target(
    indicator: Indicator, fiscal_year: int, target: Figure | None, target_text: str, *, actor: Actor
) -> bool:
    """Create, change or remove the indicator's target for the year; whether anything changed."""
    existing = (
        Target.objects.select_for_update()
        .filter(indicator=indicator, fiscal_year=fiscal_year, kind=Target.Kind.FINAL)
        .first()
    )
    if target is None:
        if existing is None:
            return False
        record_changes(existing, actor=actor, changes={"value": (existing.value, None)})
        record_delete(existing, actor=actor)
        existing.delete()
        return True
    values = {
        "value": target.value,
        "approximate": target.approximate,
        "provisional": target.provisional,
        "text": target_text.strip()[:300],
    }
    if existing is None:
        created = Target.objects.create(indicator=indicator, fiscal_year=fiscal_year, **values)
        record_create(created, actor=actor, fields=["fiscal_year", *values])
        return True
    return bool(apply_changes(existing, values, actor=actor))


@transaction.atomic
def indicator_create(
    *,
    goal: Goal,
    name: str,
    actor: Actor,
    unit: str = "",
    direction: str = Indicator.Direction.INCREASE,
    formula: str = Indicator.Formula.RATIO,
    baseline: Figure | None = None,
    baseline_year: int | None = None,
    target: Figure | None = None,
    target_text: str = "",
    cumulative: bool = False,
) -> Indicator:
    """Add an indicator to a goal with its target for the declaration's year (as the importer makes it)."""
    locked = _locked_goal(goal)
    fiscal_year = locked.declaration.fiscal_year
    values = _indicator_values(
        name=name,
        unit=unit,
        direction=direction,
        formula=formula,
        baseline=baseline,
        baseline_year=baseline_year,
        target=target,
        cumulative=cumulative,
        fiscal_year=fiscal_year,
    )
    last = locked.indicators.order_by("-position").values_list("position", flat=True).first()
    indicator = Indicator.objects.create(
        municipality_id=locked.declaration.municipality_id,
        position=0 if last is None else last + 1,
        **values,
    )
    indicator.sections.set(list(locked.sections.order_by("goalsection__position")))
    locked.indicators.add(indicator)
    record_create(indicator, actor=actor, fields=list(values))
    _sync_target(indicator, fiscal_year, target, target_text, actor=actor)
    return indicator


def _locked_indicator(indicator: Indicator, goal: Goal) -> Indicator:
    return Indicator.objects.select_for_update().get(pk=indicator.pk, goals=goal)


@transaction.atomic
def indicator_update(
    *,
    indicator: Indicator,
    goal: Goal,
    name: str,
    expected_version: int | None,
    actor: Actor,
    unit: str = "",
    direction: str = Indicator.Direction.INCREASE,
    formula: str = Indicator.Formula.RATIO,
    baseline: Figure | None = None,
    baseline_year: int | None = None,
    target: Figure | None = None,
    target_text: str = "",
    cumulative: bool = False,
) -> Indicator:
    """Change an indicator of ``goal`` and its target for the declaration's year.

    The version moves when only the target changed, so the form is one unit.
    """
    locked = _locked_indicator(indicator, goal)
    check_version(locked, expected_version, INDICATOR_FIELDS)
    fiscal_year = goal.declaration.fiscal_year
    values = _indicator_values(
        name=name,
        unit=unit,
        direction=direction,
        formula=formula,
        baseline=baseline,
        baseline_year=baseline_year,
        target=target,
        cumulative=cumulative,
        fiscal_year=fiscal_year,
    )
    changed = bool(apply_changes(locked, values, actor=actor))
    if _sync_target(locked, fiscal_year, target, target_text, actor=actor) and not changed:
        locked.version += 1
        locked.save(update_fields=["version", "updated_at"])
    return locked


@transaction.atomic
def indicator_delete(*, indicator: Indicator, goal: Goal, expected_version: int | None, actor: Actor) -> None:
    """Delete an indicator of ``goal`` with its figures (detach it only if something else uses it)."""
    locked = _locked_indicator(indicator, goal)
    check_version(locked, expected_version, INDICATOR_FIELDS)
    if locked.goals.exclude(pk=goal.pk).exists() or locked.plan_node_id is not None:
        goal.indicators.remove(locked)
        record_changes(goal, actor=actor, changes={"indicators": (str(locked), None)})
        return
    _delete_indicator(locked, actor=actor)
