"""Every indicator of a municipality judged for every year, kept while its inputs do not change.

The achievement pages show the share at or above a grade per year, per department and per
plan node. Those shares need every indicator of every year judged: a city of 40 departments
keeps 600 indicators a year, and after ten years judging them all took more than a second
per page view (bench/national.py, ADR 10). A roll-up needs much less than a judged result:
the grade, its scale, the weight, and the groups it falls in. That is a ``Judged``.

The judged years are kept per process, each under a *fingerprint* of what it is computed
from: for each input table, the municipality's row count, highest id, latest ``updated_at``
and sum of versions. One query reads it. Any insert raises a highest id (ids are never reused:
Django's SQLite tables use AUTOINCREMENT), a delete lowers a count, an update moves an
``updated_at`` and a version (every input model is timestamped; the two link tables only insert
and delete). So a page never shows a judgement older than the data, in any process, without
any writer having to remember to invalidate anything. Kept in the process rather than in
Django's cache: the values are object graphs that pickling would cost more to read back than
the fingerprint saves.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import connections, router

from shinchoku.evaluation.models import GradeBand, GradeScale, ManualGrade
from shinchoku.evaluation.scales import Grade, Scale

if TYPE_CHECKING:
    from shinchoku.evaluation.selectors import ScaleBook
from shinchoku.goals.models import Goal, GoalDeclaration
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.plans.models import Indicator, Measurement, Plan, PlanNode, Target


@dataclass(frozen=True, slots=True)
class Judged:
    """What a roll-up needs of one judged indicator (or goal without figures) for one year."""

    fiscal_year: int
    departments: frozenset[int]  # the departments whose pages list it
    department_id: int | None
    department_name: str
    department_position: int
    goal_id: int | None
    goal_number: int | None
    goal_title: str
    plan_node_id: int | None
    plan_node_label: str
    grade: Grade | None
    scale: Scale
    weight: Decimal


@dataclass(frozen=True)
class JudgedYears:
    years: list[int]  # years with a declaration or a plan indicator's figure, newest first
    judged: list[Judged]  # every year, in document order
    book: ScaleBook  # the municipality's grade scales, as judged


# The municipality's declarations and indicators, read first through their municipality's index
# (``d`` and ``i`` below): joined in each branch instead, PostgreSQL chose a parallel scan of the
# country's 440,000 declarations for some municipalities (90 ms of a 120 ms page).
_WITH = (
    f"WITH d AS MATERIALIZED (SELECT id, fiscal_year, updated_at, version FROM {GoalDeclaration._meta.db_table} "
    "WHERE municipality_id = %s), "
    f"i AS MATERIALIZED (SELECT id, updated_at, version FROM {Indicator._meta.db_table} WHERE municipality_id = %s) "
)
_WITH_PARAMS = 2
_G = Goal._meta.db_table
_MUNICIPALITY = "t.municipality_id = %s"


@dataclass(frozen=True)
class _Input:
    """An input of the judgements: its rows ``t`` of one municipality (``%s`` is its id), and the
    fiscal year a row belongs to when a year's judgements depend on that year's rows only."""

    rows: str  # FROM … [WHERE …]
    year: str | None = None
    timestamped: bool = True


_INPUTS: list[_Input] = [
    # By year: a year is judged from its declarations, goals, their indicators and grades, and
    # the actuals of that year and the years before (cumulative totals, last year's figure).
    _Input("d t", year="t.fiscal_year"),
    _Input(f"{_G} t JOIN d ON d.id = t.declaration_id", year="d.fiscal_year"),
    _Input(f"{ManualGrade._meta.db_table} t WHERE {_MUNICIPALITY}", year="t.fiscal_year"),
    _Input(f"{Measurement._meta.db_table} t JOIN i ON i.id = t.indicator_id", year="t.fiscal_year"),
    # Every year: the goals' indicators (an indicator no goal names is a plan's, judged in every
    # year it has figures), an indicator's definition, its targets (a prorated target is read
    # from the plan's last year), the scales, and the names of departments, sections and nodes.
    _Input(
        f"{Goal.indicators.through._meta.db_table} t JOIN {_G} g ON g.id = t.goal_id "
        "JOIN d ON d.id = g.declaration_id",
        timestamped=False,
    ),
    _Input(f"{Target._meta.db_table} t JOIN i ON i.id = t.indicator_id"),
    _Input("i t"),
    _Input(
        f"{Indicator.sections.through._meta.db_table} t JOIN i ON i.id = t.indicator_id", timestamped=False
    ),
    _Input(f"{GradeScale._meta.db_table} t WHERE {_MUNICIPALITY}"),
    _Input(
        f"{GradeBand._meta.db_table} t JOIN {GradeScale._meta.db_table} s ON s.id = t.scale_id "
        "WHERE s.municipality_id = %s",
        timestamped=False,
    ),
    _Input(f"{Department._meta.db_table} t WHERE {_MUNICIPALITY}"),
    _Input(f"{Section._meta.db_table} t WHERE {_MUNICIPALITY}"),
    _Input(f"{Plan._meta.db_table} t WHERE {_MUNICIPALITY}"),
    _Input(
        f"{PlanNode._meta.db_table} t JOIN {Plan._meta.db_table} p ON p.id = t.plan_id "
        "WHERE p.municipality_id = %s"
    ),
]
_ACTUALS = 3  # the position of the actuals: a year depends on those of the years before too


@dataclass(frozen=True)
class Fingerprint:
    """The state of a municipality's inputs: every input's (count, highest id, latest change)."""

    every_year: tuple[object, ...]
    by_year: dict[int, dict[int, tuple[object, ...]]]  # input position → year → state

    def of_year(self, year: int) -> tuple[object, ...]:
        """What judging ``year`` depends on."""
        own = tuple(self.by_year.get(position, {}).get(year) for position in range(_ACTUALS))
        actuals = tuple(
            sorted((y, state) for y, state in self.by_year.get(_ACTUALS, {}).items() if y <= year)
        )
        return (self.every_year, own, actuals)

    def whole(self) -> tuple[object, ...]:
        return (
            self.every_year,
            tuple(sorted((p, tuple(sorted(y.items()))) for p, y in self.by_year.items())),
        )


def fingerprint(municipality: Municipality) -> Fingerprint:
    """The state of every input of the municipality's judgements, by year where it is: one query."""
    parts = []
    params: list[int] = [municipality.pk] * _WITH_PARAMS
    for position, source in enumerate(_INPUTS):
        # The latest change, and the sum of versions: two changes committed in the other order
        # than their clocks leave MAX(updated_at) as it was, not the sum (every update of a
        # timestamped row through the services raises its version).
        latest = "MAX(t.updated_at), SUM(t.version)" if source.timestamped else "NULL, NULL"
        year = source.year or "NULL"
        group = f" GROUP BY {source.year}" if source.year else ""
        parts.append(f"SELECT {position}, {year}, COUNT(*), MAX(t.id), {latest} FROM {source.rows}{group}")
        params += [municipality.pk] * source.rows.count("%s")
    # Read where the judgements are read (a replica for a portal read, else the primary).
    alias = router.db_for_read(Indicator)
    with connections[alias].cursor() as cursor:
        cursor.execute(_WITH + " UNION ALL ".join(parts), params)
        rows = cursor.fetchall()
    every_year: list[tuple[object, ...]] = []
    by_year: dict[int, dict[int, tuple[object, ...]]] = {}
    # Sorted here: PostgreSQL may run the branches in parallel and return them in any order.
    for position, year, count, highest, changed, versions in sorted(
        rows, key=lambda row: (row[0], row[1] or 0)
    ):
        state = (count, highest, str(changed), versions)
        if year is None:
            every_year.append((position, *state))
        else:
            by_year.setdefault(position, {})[year] = state
    return Fingerprint(tuple(every_year), by_year)


@dataclass
class _Town:
    """One municipality's kept judgements; its lock serialises their update (gunicorn threads)."""

    years: tuple[tuple[object, ...], list[int]] | None = None  # (whole fingerprint, years)
    book: tuple[tuple[object, ...], ScaleBook] | None = None  # (every year's inputs, the scales)
    judged: dict[int, tuple[tuple[object, ...], list[Judged]]] = field(default_factory=dict)
    held: int = 0  # judged rows, for the bound (read without the lock: an int)
    lock: threading.Lock = field(default_factory=threading.Lock)


class _Kept:
    """The judged years of the municipalities read last, bounded by the judged rows held."""

    def __init__(self, max_rows: int) -> None:
        self.max_rows = max_rows
        self._lock = threading.Lock()
        self._towns: OrderedDict[int, _Town] = OrderedDict()

    def town(self, municipality_id: int) -> _Town:
        with self._lock:
            town = self._towns.setdefault(municipality_id, _Town())
            self._towns.move_to_end(municipality_id)
            return town

    def trim(self) -> None:
        with self._lock:
            while len(self._towns) > 1 and sum(t.held for t in self._towns.values()) > self.max_rows:
                self._towns.popitem(last=False)

    def discard(self, municipality_id: int) -> None:
        with self._lock:
            self._towns.pop(municipality_id, None)

    def clear(self) -> None:
        with self._lock:
            self._towns.clear()


# About 200 bytes a row: some 40 MB at most per process.
KEPT = _Kept(max_rows=200_000)


def judged_years(municipality: Municipality) -> JudgedYears:
    """Every indicator of every year of the municipality, judged.

    Each year is kept until what it is judged from changes: a new actual of this year has the
    year (and the years after it) judged again, not the ten before.
    """
    # Imported here: selectors imports this module for the achievement pages.
    from shinchoku.evaluation.selectors import evaluation_years, grade_scales_of

    state = fingerprint(municipality)
    town = KEPT.town(municipality.pk)
    # One thread judges; another asking for the same municipality meanwhile waits and then
    # finds the years kept (four threads of a worker would otherwise each judge them all).
    with town.lock:
        # The scales are inputs of every year: kept while those are unchanged.
        if town.book is None or town.book[0] != state.every_year:
            town.book = (state.every_year, grade_scales_of(municipality))
        book = town.book[1]
        whole = state.whole()
        if town.years is None or town.years[0] != whole:
            town.years = (whole, evaluation_years(municipality))
        years = town.years[1]
        stale = [y for y in years if (kept := town.judged.get(y)) is None or kept[0] != state.of_year(y)]
        if stale:
            fresh = _judge(municipality, stale, book)
            for year in stale:
                town.judged[year] = (state.of_year(year), fresh.get(year, []))
        for year in set(town.judged) - set(years):
            town.judged.pop(year, None)
        judged = [j for year in sorted(years) for j in town.judged[year][1]]
        town.held = len(judged)
    KEPT.trim()
    return JudgedYears(years=years, judged=judged, book=book)


def _judge(municipality: Municipality, years: list[int], book: ScaleBook) -> dict[int, list[Judged]]:
    from shinchoku.evaluation.selectors import achievement_results

    results = achievement_results(municipality, fiscal_years=years, book=book)
    owners = _plan_indicator_departments(r.indicator_id for r in results if r.declaration_id is None)
    by_year: dict[int, list[Judged]] = {}
    for r in results:
        by_year.setdefault(r.fiscal_year, []).append(
            Judged(
                fiscal_year=r.fiscal_year,
                departments=(
                    frozenset([r.department_id])
                    if r.declaration_id is not None and r.department_id
                    else owners.get(r.indicator_id or 0, frozenset())
                ),
                department_id=r.department_id,
                department_name=r.department_name,
                department_position=r.department_position,
                goal_id=r.goal_id,
                goal_number=r.goal_number,
                goal_title=r.goal_title,
                plan_node_id=r.plan_node_id,
                plan_node_label=r.plan_node_label,
                grade=r.grade,
                scale=r.scale,
                weight=r.weight,
            )
        )
    return by_year


def _plan_indicator_departments(indicator_ids: Iterable[int | None]) -> dict[int, frozenset[int]]:
    """The departments of each plan indicator's sections: its department pages list it."""
    wanted = {pk for pk in indicator_ids if pk is not None}
    departments: dict[int, set[int]] = {}
    links = Indicator.sections.through.objects.filter(indicator_id__in=wanted).values_list(
        "indicator_id", "section__department_id"
    )
    for indicator_id, department_id in links:
        if department_id is not None:
            departments.setdefault(indicator_id, set()).add(department_id)
    return {pk: frozenset(found) for pk, found in departments.items()}
