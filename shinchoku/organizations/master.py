"""The organisation master (組織マスタ) as the table a 人事課 keeps: read, check, plan, apply, export.

Layout
======

One header row (Japanese headers, any column order; a title row above it is
skipped), then one row per department or section. CSV in UTF-8 (with or without
BOM) or Shift_JIS/CP932, or the first sheet of an XLSX workbook.

==============  ========  ==============================================================
column          required  meaning
==============  ========  ==============================================================
部              yes       the department; **empty: the section is outside any
                          department** (行政委員会, 議会事務局, 会計課 …). Write it on every row.
課              yes       the section; empty on a row of the department itself
係              no        a 係 under the section: Shinchoku holds no 係, so the row counts
                          for its 課 only (the file says so in a warning)
有効開始年度    no        first fiscal year: 2024, 2024年度, 令和6年度, 令和6, R6
有効終了年度    no        last fiscal year (inclusive); empty: still in place
旧名称          no        former names and other spellings, separated by 、
表示順          no        display order (a whole number)
==============  ========  ==============================================================

A row with 部 and no 課 describes the department itself (its years, former names
and order); a department named only by its sections needs no row of its own.

How the file is compared with the master (``master_plan``)
==========================================================

The file describes the organisation as it is from a fiscal year on (``fiscal_year``,
this fiscal year unless told). Each row finds its unit: by name and start year when
the start year is written, by name and end year for a row that ended before that
year, otherwise the unit of that name in place in that year. Then:

- a row that finds nothing is **new**. It starts in the file's year (or the year
  written); on the very first import (empty master) an empty start year stays
  empty: the unit existed before Shinchoku.
- a new row whose 旧名称 names a unit in place that the file no longer lists is a
  **rename**: the old unit ends the year before, the new one starts, and a
  succession (renamed; merged when several old units point to one new, split when
  one old unit points to several new) links them. The former names become aliases
  of the new unit, so documents that still use the old name find it.
- a unit in place that the file does not list is **abolished** after the year
  before the file's year; so is a unit whose row gets a 有効終了年度.
- anything else the row says differently (department, years, former names, order)
  is a **change**; the rest is **unchanged**. An empty 有効開始年度 or 表示順 leaves
  what the master holds; an empty 有効終了年度 means "still in place".

Units that ended before the file's year and are absent from the file are history
and stay as they are. Nothing is ever deleted. An export (``master_export``) writes
every unit, history included, in this layout, so exporting and importing again
changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shinchoku.core.audit import Actor
from shinchoku.core.eras import EraParseError, format_fiscal_year, parse_fiscal_year
from shinchoku.core.tables import Problem, Row, TableError, read_table, write_csv, write_xlsx
from shinchoku.core.text import normalize
from shinchoku.organizations.models import (
    Department,
    DepartmentAlias,
    DepartmentSuccession,
    Municipality,
    OrganizationUpload,
    OrgUnit,
    Section,
    SectionAlias,
    SectionSuccession,
    SuccessionKind,
)
from shinchoku.organizations.selectors import name_key
from shinchoku.organizations.services import (
    department_alias_add,
    department_alias_remove,
    department_create,
    department_succeed,
    department_update,
    section_alias_add,
    section_alias_remove,
    section_create,
    section_succeed,
    section_update,
)

__all__ = [
    "LAYOUT",
    "Change",
    "MasterChangedError",
    "MasterFile",
    "MasterPlan",
    "master_apply",
    "master_export",
    "master_fingerprint",
    "master_plan",
    "master_read",
]

DEPARTMENT = "部"
SECTION = "課"
SUBSECTION = "係"
VALID_FROM = "有効開始年度"
VALID_TO = "有効終了年度"
FORMER_NAMES = "旧名称"
POSITION = "表示順"
LAYOUT = (DEPARTMENT, SECTION, SUBSECTION, VALID_FROM, VALID_TO, FORMER_NAMES, POSITION)

# Spellings of the headers seen in city hall files → the column.
HEADERS = {
    **{h: h for h in LAYOUT},
    "部名": DEPARTMENT,
    "部局": DEPARTMENT,
    "部局名": DEPARTMENT,
    "課名": SECTION,
    "課室": SECTION,
    "課室名": SECTION,
    "所属": SECTION,
    "所属名": SECTION,
    "係名": SUBSECTION,
    "担当": SUBSECTION,
    "開始年度": VALID_FROM,
    "設置年度": VALID_FROM,
    "終了年度": VALID_TO,
    "廃止年度": VALID_TO,
    "旧名": FORMER_NAMES,
    "旧称": FORMER_NAMES,
    "別名": FORMER_NAMES,
    "並び順": POSITION,
    "順序": POSITION,
    "順番": POSITION,
}
NAME_MAX_LENGTH = 100
_NAME_SEPARATORS = re.compile(r"[、,，]")

Level = Literal["department", "section"]


class Action:
    NEW = "new"
    RENAMED = "renamed"  # also merged and split: a new unit that continues old ones
    ABOLISHED = "abolished"
    CHANGED = "changed"
    UNCHANGED = "unchanged"
    ORDER = (NEW, RENAMED, ABOLISHED, CHANGED, UNCHANGED)


def action_label(action: str) -> str:
    return {
        Action.NEW: _("New"),
        Action.RENAMED: _("Renamed"),
        Action.ABOLISHED: _("Abolished"),
        Action.CHANGED: _("Changed"),
        Action.UNCHANGED: _("Unchanged"),
    }[action]


def level_label(level: Level) -> str:
    return _("Department") if level == "department" else _("Section")


def year_label(year: int | None) -> str:
    return "—" if year is None else f"{format_fiscal_year(year)}（{year}）"


class MasterChangedError(Exception):
    """The master changed after the plan was computed: nothing was applied."""


# ---------------------------------------------------------------------------
# Reading


@dataclass
class Unit:
    """A department or section as the file describes it (rows of its 係 merged into one)."""

    level: Level
    name: str
    line: int
    valid_from: int | None = None
    valid_to: int | None = None
    former_names: tuple[str, ...] | None = ()  # None: a department only named by sections (keep)
    position: int | None = None  # None: keep what the master holds (a new unit: its line)
    department: str = ""  # a section's 部 cell; "" outside any department
    explicit: bool = True
    rows: list[Row] = field(default_factory=list)

    @property
    def key(self) -> tuple[str, str, int | None, int | None]:
        return (self.level, name_key(self.name), self.valid_from, self.valid_to)

    def alive_in(self, year: int) -> bool:
        return self.valid_to is None or self.valid_to >= year


@dataclass
class MasterFile:
    source: str
    format: str
    departments: list[Unit]
    sections: list[Unit]
    warnings: list[Problem]


def _year(row: Row, column: str, problems: list[Problem]) -> int | None:
    text = row[column]
    if not text:
        return None
    try:
        return parse_fiscal_year(text)
    except EraParseError:
        problems.append(
            row.problem(
                column,
                _("%(value)s is not a fiscal year: write e.g. 2024, 2024年度, 令和6年度 or R6.")
                % {"value": text},
            )
        )
        return None


def _name(row: Row, column: str, problems: list[Problem]) -> str:
    name = " ".join(row[column].split())
    if len(name) > NAME_MAX_LENGTH:
        problems.append(
            row.problem(column, _("The name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH})
        )
    return name


def _former_names(row: Row, own: str, problems: list[Problem]) -> tuple[str, ...]:
    names: list[str] = []
    for part in _NAME_SEPARATORS.split(row[FORMER_NAMES]):
        name = " ".join(part.split())
        if not name or name_key(name) == name_key(own) or name in names:
            continue
        if len(name) > NAME_MAX_LENGTH:
            problems.append(
                row.problem(
                    FORMER_NAMES,
                    _("The name is longer than %(max)d characters.") % {"max": NAME_MAX_LENGTH},
                )
            )
            continue
        names.append(name)
    return tuple(sorted(names))


def _position(row: Row, problems: list[Problem]) -> int | None:
    text = normalize(row[POSITION]).replace(",", "")
    if not text:
        return None
    # ① and ² are digits to str.isdigit() but not to int(); a 5,000-digit number is beyond int() too.
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        problems.append(
            row.problem(POSITION, _("%(value)s is not a whole number.") % {"value": row[POSITION]})
        )
        return None
    return int(text)


def _unit_of_row(row: Row, problems: list[Problem], *, positions_written: bool) -> Unit | None:
    department = _name(row, DEPARTMENT, problems)
    section = _name(row, SECTION, problems)
    if not section and not department:
        column = next((c for c in LAYOUT if row[c]), SECTION)
        problems.append(row.problem(column, _("The row names neither a 部 nor a 課.")))
        return None
    if row[SUBSECTION] and not section:
        problems.append(row.problem(SUBSECTION, _("A 係 needs its 課 on the same row.")))
        return None
    level: Level = "section" if section else "department"
    name = section or department
    before = len(problems)
    unit = Unit(
        level=level,
        name=name,
        line=row.line,
        valid_from=_year(row, VALID_FROM, problems),
        valid_to=_year(row, VALID_TO, problems),
        former_names=_former_names(row, name, problems),
        position=_position(row, problems) if positions_written else row.line,
        department=department if level == "section" else "",
        rows=[row],
    )
    if unit.valid_from and unit.valid_to and unit.valid_to < unit.valid_from:
        problems.append(row.problem(VALID_TO, _("The end year is before the start year.")))
    return unit if len(problems) == before else None


def _merge(into: Unit, other: Unit, problems: list[Problem]) -> None:
    """Rows of one unit (its 係, typically) must not contradict each other."""
    row = other.rows[0]
    if name_key(into.department) != name_key(other.department):
        problems.append(
            row.problem(
                DEPARTMENT,
                _("%(name)s is under %(this)s here but under %(that)s on line %(line)d.")
                % {
                    "name": other.name,
                    "this": other.department or "—",
                    "that": into.department or "—",
                    "line": into.line,
                },
            )
        )
    for column, attribute in ((FORMER_NAMES, "former_names"), (POSITION, "position")):
        if not row[column]:
            continue
        theirs = getattr(other, attribute)
        setter = next((r for r in into.rows if r[column]), None)
        if setter is None:
            setattr(into, attribute, theirs)
        elif getattr(into, attribute) != theirs:
            problems.append(
                row.problem(
                    column,
                    _("%(name)s has another value on line %(line)d.")
                    % {"name": other.name, "line": setter.line},
                )
            )
    into.rows.append(row)


def master_read(data: bytes, *, source: str) -> MasterFile:
    """Read and check an organisation master file; ``TableError`` lists every problem with its place."""
    table = read_table(data, source=source, headers=HEADERS, required=(DEPARTMENT, SECTION))
    problems: list[Problem] = []
    warnings = list(table.warnings)
    positions_written = POSITION in table.columns
    units: dict[tuple[str, str, int | None, int | None], Unit] = {}
    subsection_lines: list[int] = []
    for row in table.rows:
        unit = _unit_of_row(row, problems, positions_written=positions_written)
        if unit is None:
            continue
        if row[SUBSECTION]:
            subsection_lines.append(row.line)
        if unit.key in units:
            _merge(units[unit.key], unit, problems)
        else:
            units[unit.key] = unit
    if problems:
        raise TableError(problems)
    if subsection_lines:
        warnings.append(
            Problem(
                source=source,
                column=table.written.get(SUBSECTION, SUBSECTION),
                message=_(
                    "Shinchoku keeps departments and sections only: the 係 column is ignored and "
                    "each of these rows counts for its 課 (lines %(lines)s)."
                )
                % {"lines": _line_list(subsection_lines)},
            )
        )
    departments = [u for u in units.values() if u.level == "department"]
    sections = [u for u in units.values() if u.level == "section"]
    named = {name_key(d.name) for d in departments}
    for section in sections:
        key = name_key(section.department)
        if section.department and key not in named:
            named.add(key)
            departments.append(
                Unit(
                    level="department",
                    name=section.department,
                    line=section.line,
                    former_names=None,
                    position=None,
                    explicit=False,
                )
            )
    if not departments and not sections:
        raise TableError(
            [Problem(source=source, message=_("The file has a header row but no department or section."))]
        )
    return MasterFile(
        source=source, format=table.format, departments=departments, sections=sections, warnings=warnings
    )


def _line_list(lines: Sequence[int], limit: int = 20) -> str:
    shown = ", ".join(str(n) for n in lines[:limit])
    return f"{shown}, …" if len(lines) > limit else shown


# ---------------------------------------------------------------------------
# Planning


@dataclass
class Change:
    """What applying the file does to one department or section."""

    action: str
    level: Level
    name: str
    line: int | None
    existing_id: int | None = None
    values: dict[str, Any] = field(default_factory=dict)  # fields to set (a new unit: all of them)
    department_ref: int | None = None  # a section: index of its department in ``MasterPlan.departments``
    department_name: str = ""
    aliases_add: list[str] = field(default_factory=list)
    aliases_remove: list[str] = field(default_factory=list)
    predecessors: list[tuple[int, str, str]] = field(default_factory=list)  # (id, name, kind)
    details: list[str] = field(default_factory=list)  # what changes, for a person

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    @property
    def level_label(self) -> str:
        return level_label(self.level)

    def describe(self) -> str:
        where = _("line %(line)d") % {"line": self.line} if self.line else _("not in the file")
        text = f"{self.action_label} {self.level_label} {self.name} ({where})"
        return f"{text}: {'; '.join(self.details)}" if self.details else text


@dataclass
class MasterPlan:
    municipality_id: int
    source: str
    fiscal_year: int
    fingerprint: str  # of the master the plan was computed against
    departments: list[Change]
    sections: list[Change]
    warnings: list[Problem]
    # Units that end because a new unit continues them: level → {id: last fiscal year}.
    predecessor_ends: dict[str, dict[int, int]] = field(default_factory=dict)

    @property
    def changes(self) -> list[Change]:
        return [*self.departments, *self.sections]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Action.ORDER, 0)
        for change in self.changes:
            counts[change.action] += 1
        return counts

    def counts_labelled(self) -> list[tuple[str, int]]:
        return [(action_label(action), n) for action, n in self.counts().items()]

    def of(self, action: str) -> list[Change]:
        return [c for c in self.changes if c.action == action]

    @property
    def changed(self) -> bool:
        return any(c.action != Action.UNCHANGED for c in self.changes)

    # For templates, which cannot pass an argument to ``of``.
    @property
    def of_new(self) -> list[Change]:
        return self.of(Action.NEW)

    @property
    def of_renamed(self) -> list[Change]:
        return self.of(Action.RENAMED)

    @property
    def of_abolished(self) -> list[Change]:
        return self.of(Action.ABOLISHED)

    @property
    def of_changed(self) -> list[Change]:
        return self.of(Action.CHANGED)

    def digest(self) -> str:
        """Identifies what the plan does: a confirmation must match the preview it confirms."""
        payload = [
            (
                c.action,
                c.level,
                c.name,
                c.existing_id,
                sorted(map(str, c.values.items())),
                c.department_ref,
                c.aliases_add,
                c.aliases_remove,
                c.predecessors,
            )
            for c in self.changes
        ]
        text = json.dumps([self.fingerprint, self.fiscal_year, payload, self.predecessor_ends], default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def summary(self) -> str:
        return ", ".join(f"{label} {n}" for label, n in self.counts_labelled())


def master_fingerprint(municipality: Municipality) -> str:
    """Changes whenever any department, section, alias or succession of the municipality does."""
    parts: list[Any] = [
        list(
            Department.objects.filter(municipality=municipality)
            .order_by("pk")
            .values_list("pk", "name", "valid_from", "valid_to", "position", "version")
        ),
        list(
            Section.objects.filter(municipality=municipality)
            .order_by("pk")
            .values_list("pk", "name", "department_id", "valid_from", "valid_to", "position", "version")
        ),
        list(
            DepartmentAlias.objects.filter(municipality=municipality)
            .order_by("pk")
            .values_list("pk", "department_id", "name")
        ),
        list(
            SectionAlias.objects.filter(municipality=municipality)
            .order_by("pk")
            .values_list("pk", "section_id", "name")
        ),
        list(DepartmentSuccession.objects.filter(municipality=municipality).order_by("pk").values_list("pk")),
        list(SectionSuccession.objects.filter(municipality=municipality).order_by("pk").values_list("pk")),
    ]
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()


def _alive(unit: OrgUnit, year: int) -> bool:
    return unit.valid_to is None or unit.valid_to >= year


def _match(
    units: Sequence[Unit], existing: Sequence[OrgUnit], year: int, department_of: dict[int, str]
) -> dict[int, OrgUnit]:
    """Which existing unit each row of the file means (index in ``units`` → unit)."""
    by_name: dict[str, list[OrgUnit]] = defaultdict(list)
    for unit in existing:
        by_name[name_key(unit.name)].append(unit)
    used: set[int] = set()
    matched: dict[int, OrgUnit] = {}

    def take(index: int, candidates: Iterable[OrgUnit]) -> None:
        for candidate in candidates:
            if candidate.pk not in used:
                used.add(candidate.pk)
                matched[index] = candidate
                return

    # 1. the start year is written: the unit of that name that started that year
    for i, u in enumerate(units):
        if u.valid_from is not None:
            take(i, (e for e in by_name[name_key(u.name)] if e.valid_from == u.valid_from))
    # 2. a row that ends before the year, without a start year: the unit of that name that ended
    #    that year, else the one in place that year (which the row abolishes)
    for i, u in enumerate(units):
        if i not in matched and u.valid_from is None and u.valid_to is not None and u.valid_to < year:
            last = u.valid_to
            same = [e for e in by_name[name_key(u.name)] if e.valid_to == last]
            take(i, same or (e for e in by_name[name_key(u.name)] if e.is_valid_in(last)))
    # 3. the unit of that name in place in the year (a section: preferably under the same 部)
    for i, u in enumerate(units):
        if i not in matched and u.alive_in(year):
            candidates = [e for e in by_name[name_key(u.name)] if _alive(e, year)]
            candidates.sort(key=lambda e: name_key(department_of.get(e.pk, "")) != name_key(u.department))
            take(i, candidates)
    return matched


class _Planner:
    def __init__(self, municipality: Municipality, master: MasterFile, fiscal_year: int):
        self.municipality = municipality
        self.master = master
        self.year = fiscal_year
        self.problems: list[Problem] = []
        self.departments = list(
            Department.objects.filter(municipality=municipality).prefetch_related("aliases")
        )
        self.sections = list(
            Section.objects.filter(municipality=municipality)
            .select_related("department")
            .prefetch_related("aliases")
        )
        self.first_import = not self.departments and not self.sections
        self.predecessor_ends: dict[str, dict[int, int]] = {"department": {}, "section": {}}

    def problem(self, unit: Unit | None, column: str, message: str) -> None:
        if unit is not None and unit.rows:
            self.problems.append(unit.rows[0].problem(column, message))
        else:
            line = unit.line if unit is not None else None
            self.problems.append(Problem(source=self.master.source, line=line, message=message))

    # -- one level (departments, then sections) ------------------------------------------
    def plan_level(
        self, level: Level, units: list[Unit], existing: Sequence[OrgUnit], department_of: dict[int, str]
    ) -> tuple[list[Change], dict[int, OrgUnit]]:
        matched = _match(units, existing, self.year, department_of)
        used = {e.pk for e in matched.values()}
        changes: list[Change] = []
        successors = self.successions(level, units, matched, existing, used)
        for i, unit in enumerate(units):
            if i in matched:
                changes.append(self.compare(unit, matched[i]))
            else:
                changes.append(self.new(unit, successors.get(i, [])))
        for unit_ in existing:
            if unit_.pk in used or not _alive(unit_, self.year):
                continue
            last = self.year - 1
            if unit_.valid_from is not None and unit_.valid_from > last:
                self.problem(
                    None,
                    "",
                    _(
                        "%(name)s starts in %(start)s and is not in the file: it cannot be abolished before it "
                        "starts. Add it to the file, or import the file for a later fiscal year."
                    )
                    % {"name": unit_.name, "start": year_label(unit_.valid_from)},
                )
                continue
            changes.append(
                Change(
                    action=Action.ABOLISHED,
                    level=level,
                    name=unit_.name,
                    line=None,
                    existing_id=unit_.pk,
                    values={"valid_to": last},
                    details=[_("in place until %(year)s") % {"year": year_label(last)}],
                )
            )
        return changes, matched

    def successions(
        self,
        level: Level,
        units: list[Unit],
        matched: dict[int, OrgUnit],
        existing: Sequence[OrgUnit],
        used: set[int],
    ) -> dict[int, list[tuple[OrgUnit, str]]]:
        """New units whose 旧名称 names units in place that the file no longer lists."""
        by_name: dict[str, list[OrgUnit]] = defaultdict(list)
        for unit_ in existing:
            if unit_.pk not in used:
                by_name[name_key(unit_.name)].append(unit_)
        edges: dict[int, list[OrgUnit]] = {}
        for i, unit in enumerate(units):
            if i in matched or not unit.former_names or not unit.alive_in(self.year):
                continue
            start = unit.valid_from if unit.valid_from is not None else self.year
            found = [
                e
                for name in unit.former_names
                for e in by_name[name_key(name)]
                if (e.valid_to is None or e.valid_to >= start - 1)
                and (e.valid_from is None or e.valid_from <= start - 1)
            ]
            if found:
                edges[i] = list(dict.fromkeys(found))
        successors_of: dict[int, list[int]] = defaultdict(list)
        for i, predecessors in edges.items():
            for p in predecessors:
                successors_of[p.pk].append(i)
        result: dict[int, list[tuple[OrgUnit, str]]] = {}
        ends = self.predecessor_ends[level]
        for i, predecessors in edges.items():
            unit = units[i]
            start = unit.valid_from if unit.valid_from is not None else self.year
            result[i] = []
            for p in predecessors:
                many_out, many_in = len(successors_of[p.pk]) > 1, len(predecessors) > 1
                if many_out and many_in:
                    self.problem(
                        unit,
                        FORMER_NAMES,
                        _("%(name)s is split and merged at once: record this reorganisation by hand.")
                        % {"name": p.name},
                    )
                    continue
                kind = (
                    SuccessionKind.SPLIT
                    if many_out
                    else SuccessionKind.MERGED
                    if many_in
                    else SuccessionKind.RENAMED
                )
                result[i].append((p, kind))
                ends[p.pk] = min(ends.get(p.pk, start - 1), start - 1)
                used.add(p.pk)
        return result

    def new(self, unit: Unit, predecessors: list[tuple[OrgUnit, str]]) -> Change:
        valid_from = unit.valid_from
        if valid_from is None and (predecessors or (not self.first_import and unit.alive_in(self.year))):
            valid_from = self.year
        if valid_from is not None and unit.valid_to is not None and unit.valid_to < valid_from:
            self.problem(
                unit,
                VALID_TO,
                _("A new unit starts in %(start)s (the fiscal year of the file): write its 有効開始年度.")
                % {"start": year_label(valid_from)},
            )
        values = {
            "name": unit.name,
            "valid_from": valid_from,
            "valid_to": unit.valid_to,
            "position": unit.position if unit.position is not None else unit.line,
        }
        details = [f"{VALID_FROM} {year_label(valid_from)}"] if valid_from is not None else []
        if unit.valid_to is not None:
            details.append(f"{VALID_TO} {year_label(unit.valid_to)}")
        if unit.former_names:
            details.append(f"{FORMER_NAMES} {'、'.join(unit.former_names)}")
        change = Change(
            action=Action.RENAMED if predecessors else Action.NEW,
            level=unit.level,
            name=unit.name,
            line=unit.line,
            values=values,
            aliases_add=list(unit.former_names or ()),
            predecessors=[(p.pk, p.name, str(kind)) for p, kind in predecessors],
        )
        for p, kind in predecessors:
            details.insert(
                0,
                _("%(old)s → %(new)s (%(kind)s, from %(year)s)")
                % {
                    "old": p.name,
                    "new": unit.name,
                    "kind": SuccessionKind(kind).label,
                    "year": year_label(self.predecessor_ends[unit.level][p.pk] + 1),
                },
            )
        change.details = details
        return change

    def compare(self, unit: Unit, existing: OrgUnit) -> Change:
        values: dict[str, Any] = {}
        details: list[str] = []
        if unit.explicit and existing.name != unit.name:
            values["name"] = unit.name
            details.append(f"{existing.name} → {unit.name}")
        if unit.valid_from is not None and unit.valid_from != existing.valid_from:
            values["valid_from"] = unit.valid_from
            details.append(f"{VALID_FROM} {year_label(existing.valid_from)} → {year_label(unit.valid_from)}")
        if unit.explicit and unit.valid_to != existing.valid_to:
            values["valid_to"] = unit.valid_to
            details.append(f"{VALID_TO} {year_label(existing.valid_to)} → {year_label(unit.valid_to)}")
        start = values.get("valid_from", existing.valid_from)
        end = values.get("valid_to", existing.valid_to)
        if start is not None and end is not None and end < start:
            self.problem(unit, VALID_TO, _("The end year is before the start year."))
        if unit.explicit and unit.position is not None and unit.position != existing.position:
            values["position"] = unit.position
            details.append(f"{POSITION} {existing.position} → {unit.position}")
        add: list[str] = []
        remove: list[str] = []
        if unit.former_names is not None:
            current = {a.name for a in existing.aliases.all()}  # type: ignore[attr-defined]
            add = sorted(set(unit.former_names) - current)
            remove = sorted(current - set(unit.former_names))
            details += [f"{FORMER_NAMES} +{n}" for n in add] + [f"{FORMER_NAMES} −{n}" for n in remove]
        action = Action.CHANGED if values or add or remove else Action.UNCHANGED
        if existing.valid_to is None and values.get("valid_to") is not None:
            action = Action.ABOLISHED
        return Change(
            action=action,
            level=unit.level,
            name=unit.name,
            line=unit.line,
            existing_id=existing.pk,
            values=values,
            aliases_add=add,
            aliases_remove=remove,
            details=details,
        )

    # -- sections: which department ------------------------------------------------------
    def department_index(self, section: Unit, departments: list[Unit]) -> int | None:
        if not section.department:
            return None
        key = name_key(section.department)
        candidates = [i for i, d in enumerate(departments) if name_key(d.name) == key]
        reference = (
            section.valid_to if section.valid_to is not None else max(self.year, section.valid_from or 0)
        )
        for i in candidates:
            d = departments[i]
            if (d.valid_from is None or d.valid_from <= reference) and (
                d.valid_to is None or reference <= d.valid_to
            ):
                return i
        for i in candidates:
            if departments[i].alive_in(self.year):
                return i
        return candidates[0]

    def plan(self) -> MasterPlan:
        fingerprint = master_fingerprint(self.municipality)
        department_units = self.master.departments
        department_changes, department_matches = self.plan_level(
            "department", department_units, self.departments, {}
        )
        department_of = {s.pk: s.department.name if s.department else "" for s in self.sections}
        section_units = self.master.sections
        section_changes, _matches = self.plan_level("section", section_units, self.sections, department_of)
        sections_by_pk = {s.pk: s for s in self.sections}
        for unit, change in zip(section_units, section_changes, strict=False):
            index = self.department_index(unit, department_units)
            change.department_ref = index
            change.department_name = department_units[index].name if index is not None else ""
            if change.existing_id is None:
                continue
            existing = sections_by_pk[change.existing_id]
            target = department_matches.get(index) if index is not None else None
            if (index is not None and target is None) or (
                target.pk if target else None
            ) != existing.department_id:
                change.values["department"] = index
                before = existing.department.name if existing.department else "—"
                change.details.insert(0, f"{DEPARTMENT} {before} → {change.department_name or '—'}")
                if change.action == Action.UNCHANGED:
                    change.action = Action.CHANGED
        for ends, existing_units in (
            (self.predecessor_ends["department"], self.departments),
            (self.predecessor_ends["section"], self.sections),
        ):
            for unit_ in existing_units:
                if unit_.pk in ends and unit_.valid_to is not None and unit_.valid_to < ends[unit_.pk]:
                    ends[unit_.pk] = unit_.valid_to  # already ended earlier: keep
        if self.problems:
            raise TableError(self.problems)
        return MasterPlan(
            municipality_id=self.municipality.pk,
            source=self.master.source,
            fiscal_year=self.year,
            fingerprint=fingerprint,
            departments=department_changes,
            sections=section_changes,
            warnings=self.master.warnings,
            predecessor_ends=self.predecessor_ends,
        )


def master_plan(*, municipality: Municipality, master: MasterFile, fiscal_year: int) -> MasterPlan:
    """What applying ``master`` from ``fiscal_year`` on would change; ``TableError`` if it cannot apply."""
    return _Planner(municipality, master, fiscal_year).plan()


# ---------------------------------------------------------------------------
# Applying


@transaction.atomic
def master_apply(*, municipality: Municipality, plan: MasterPlan, actor: Actor) -> MasterPlan:
    """Apply ``plan`` in one transaction, every change through the audited services.

    Refuses (``MasterChangedError``, nothing written) when the master is no longer
    the one the plan was computed against.
    """
    if plan.municipality_id != municipality.pk:
        raise ValueError("The plan was made for another municipality.")
    if master_fingerprint(municipality) != plan.fingerprint:
        raise MasterChangedError
    reason = _("organisation master %(source)s") % {"source": plan.source}
    departments = _apply_level(municipality, plan.departments, plan, {}, actor=actor, reason=reason)
    _apply_level(municipality, plan.sections, plan, departments, actor=actor, reason=reason)
    return plan


def _apply_level(
    municipality: Municipality,
    changes: list[Change],
    plan: MasterPlan,
    departments: dict[int, Department],
    *,
    actor: Actor,
    reason: str,
) -> dict[int, Department]:
    """Apply the changes of one level; returns the unit of each change by its index (departments)."""
    if not changes:
        return {}
    level = changes[0].level
    ops = _DEPARTMENT_OPS if level == "department" else _SECTION_OPS
    existing: dict[int, Any] = {u.pk: u for u in ops.model.objects.filter(municipality=municipality)}
    aliases = {(a.unit_id, a.name): a for a in ops.aliases(municipality)}
    for pk, last_year in plan.predecessor_ends.get(level, {}).items():
        ops.update(existing[pk], {"valid_to": last_year}, actor, reason)
    objects: dict[int, Any] = {}
    for index, change in enumerate(changes):
        values = dict(change.values)
        if "department" in values:
            ref = values["department"]
            values["department"] = departments[ref] if ref is not None else None
        if change.existing_id is None:
            department = departments[change.department_ref] if change.department_ref is not None else None
            obj = ops.create(municipality, values, department, actor)
        else:
            obj = existing[change.existing_id]
            if values:
                ops.update(obj, values, actor, reason)
        for name in change.aliases_add:
            ops.alias_add(obj, name, actor)
        for name in change.aliases_remove:
            ops.alias_remove(aliases[(obj.pk, name)].alias, actor)
        for pk, _name, kind in change.predecessors:
            ops.succeed(existing[pk], obj, SuccessionKind(kind), actor)
        objects[index] = obj
    return objects


@dataclass(frozen=True)
class _AliasRef:
    unit_id: int
    name: str
    alias: Any


@dataclass(frozen=True)
class _Ops:
    """The services of one level, so that departments and sections are applied by one loop."""

    model: Any
    aliases: Any
    create: Any
    update: Any
    alias_add: Any
    alias_remove: Any
    succeed: Any


def _unit_values(values: dict[str, Any]) -> dict[str, Any]:
    return {k: values[k] for k in ("name", "valid_from", "valid_to", "position")}


_DEPARTMENT_OPS = _Ops(
    model=Department,
    aliases=lambda m: [
        _AliasRef(a.department_id, a.name, a) for a in DepartmentAlias.objects.filter(municipality=m)
    ],
    create=lambda m, values, _department, actor: department_create(
        municipality=m, actor=actor, **_unit_values(values)
    ),
    update=lambda unit, changes, actor, reason: department_update(
        department=unit, changes=changes, actor=actor, reason=reason
    ),
    alias_add=lambda unit, name, actor: department_alias_add(department=unit, name=name, actor=actor),
    alias_remove=lambda alias, actor: department_alias_remove(alias=alias, actor=actor),
    succeed=lambda old, new, kind, actor: department_succeed(
        predecessor=old, successor=new, kind=kind, fiscal_year=new.valid_from, actor=actor
    ),
)
_SECTION_OPS = _Ops(
    model=Section,
    aliases=lambda m: [
        _AliasRef(a.section_id, a.name, a) for a in SectionAlias.objects.filter(municipality=m)
    ],
    create=lambda m, values, department, actor: section_create(
        municipality=m, department=department, actor=actor, **_unit_values(values)
    ),
    update=lambda unit, changes, actor, reason: section_update(
        section=unit, changes=changes, actor=actor, reason=reason
    ),
    alias_add=lambda unit, name, actor: section_alias_add(section=unit, name=name, actor=actor),
    alias_remove=lambda alias, actor: section_alias_remove(alias=alias, actor=actor),
    succeed=lambda old, new, kind, actor: section_succeed(
        predecessor=old, successor=new, kind=kind, fiscal_year=new.valid_from, actor=actor
    ),
)


# ---------------------------------------------------------------------------
# Uploads: preview, then confirm


class AlreadyAppliedError(Exception):
    pass


def organization_upload_create(
    *, municipality: Municipality, user: User, upload_name: str, data: bytes, fiscal_year: int
) -> OrganizationUpload:
    """Keep an uploaded file, with the master as it is now, until the planning section confirms it."""
    return OrganizationUpload.objects.create(
        municipality=municipality,
        uploaded_by=user,
        source_name=upload_name[:300],
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        fiscal_year=fiscal_year,
        master_fingerprint=master_fingerprint(municipality),
    )


def organization_upload_plan(*, upload: OrganizationUpload) -> MasterPlan:
    """The plan of an upload against the master as it is now; ``TableError`` if the file cannot apply."""
    master = master_read(bytes(upload.data), source=upload.source_name)
    return master_plan(municipality=upload.municipality, master=master, fiscal_year=upload.fiscal_year)


@transaction.atomic
def organization_upload_apply(*, upload: OrganizationUpload, digest: str, actor: Actor) -> MasterPlan:
    """Apply exactly the plan that was previewed (``digest``), or nothing.

    ``MasterChangedError`` when the master has changed since the upload, or the
    plan is no longer the one previewed; ``AlreadyAppliedError`` the second time.
    """
    upload = OrganizationUpload.objects.select_for_update().select_related("municipality").get(pk=upload.pk)
    if upload.applied:
        raise AlreadyAppliedError
    plan = organization_upload_plan(upload=upload)
    if plan.fingerprint != upload.master_fingerprint or plan.digest() != digest:
        raise MasterChangedError
    master_apply(municipality=upload.municipality, plan=plan, actor=actor)
    upload.applied_at = timezone.now()
    upload.save(update_fields=["applied_at"])
    return plan


# ---------------------------------------------------------------------------
# Exporting


def master_rows(municipality: Municipality) -> list[list[Any]]:
    """Every department and section, history included, in the layout (``LAYOUT``)."""

    def order(unit: OrgUnit) -> tuple[int, str, int]:
        return (unit.position, unit.name, unit.valid_from or 0)

    def cells(department: str, section: str, unit: OrgUnit) -> list[Any]:
        aliases = "、".join(sorted(a.name for a in unit.aliases.all()))  # type: ignore[attr-defined]
        return [department, section, "", unit.valid_from, unit.valid_to, aliases, unit.position]

    sections = list(Section.objects.filter(municipality=municipality).prefetch_related("aliases"))
    by_department: dict[int | None, list[Section]] = defaultdict(list)
    for section in sections:
        by_department[section.department_id].append(section)
    rows: list[list[Any]] = []
    for department in sorted(
        Department.objects.filter(municipality=municipality).prefetch_related("aliases"), key=order
    ):
        rows.append(cells(department.name, "", department))
        rows += [cells(department.name, s.name, s) for s in sorted(by_department[department.pk], key=order)]
    rows += [cells("", s.name, s) for s in sorted(by_department[None], key=order)]
    return rows


def master_export(municipality: Municipality, *, format: str) -> bytes:
    """The master as CSV (UTF-8 with BOM) or XLSX, in the layout ``master_read`` reads."""
    rows = master_rows(municipality)
    if format == "xlsx":
        return write_xlsx(LAYOUT, rows, title="組織マスタ")
    if format == "csv":
        return write_csv(LAYOUT, rows)
    raise ValueError(f"Unknown format {format!r}: csv or xlsx.")
