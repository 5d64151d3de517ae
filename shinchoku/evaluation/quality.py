"""Quality checks before publishing: findings on one report, each naming its record.

A report is a goal declaration (seed 000) or the guideline progress of one year
(seed 004). Findings are computed on demand, in a fixed number of queries per
report, and carry a *fingerprint* — kind, record and what is wrong — under which
a person may dismiss them with a reason (``services.finding_dismiss``, audited).
A dismissal stays attached while the record and the defect stay the same.

Checks:

``duplicate_entry``
    the same bullet twice for one initiative, kind and year (seed 004 repeats a
    plan bullet under 審議会等); for declarations, two goals with the same title
    and target.
``unknown_section``
    a section named by an entry that the organisation master does not hold for
    that year: outside its validity (renamed, merged), or not placed in any
    department (created by an import told to create missing names and never
    confirmed). One finding per section, naming the first entry.
``carry_over_gap``
    a plan for year N+1, written in the report of year N, with no result of year
    N+1 for the same initiative and section (successors count). Checked on the
    report of N+1 once it exists: that is the report about to be published.
``target_without_actual``
    an indicator with a target for the year and no actual.
``unit_mismatch``
    a target and an actual written in different units. The indicator keeps one
    unit, so the units are read back from the figures as written (the figure's
    own text, or the goal's 達成目標 / 目標達成状況 column).
``non_jis_characters``
    characters outside JIS X 0208 (①, Ⅱ, 髙, emoji …), per record and field.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import Any, Literal

from django.apps import apps
from django.db.models import Model, Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext

from shinchoku.core.eras import format_fiscal_year
from shinchoku.core.figures import find_figures
from shinchoku.core.text import non_jis_x0208, squash_spaces
from shinchoku.evaluation.models import FindingDismissal, FindingKind
from shinchoku.goals.models import Goal, GoalDeclaration, GoalSection
from shinchoku.organizations.models import Municipality, Section, SectionSuccession
from shinchoku.plans.models import Indicator, Measurement, Plan, PlanNode, Target
from shinchoku.progress.models import EntryResponsible, InitiativeRow, ProgressEntry

ReportKind = Literal["goal_declaration", "guideline_progress"]


@dataclass(frozen=True)
class ReportRef:
    """A report the checks run on: a goal declaration, or a guideline's report of one result year."""

    kind: ReportKind
    pk: int  # the declaration, or the guideline plan
    fiscal_year: int
    title: str = ""

    @property
    def key(self) -> str:
        if self.kind == "goal_declaration":
            return f"goal_declaration:{self.pk}"
        return f"guideline_progress:{self.pk}:{self.fiscal_year}"

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "id": self.pk, "fiscal_year": self.fiscal_year, "title": self.title}


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    fingerprint: str
    record: str  # what a person looks for: "goal 7 広報活動の充実", "plan entry: ●…"
    record_label: str  # model and id: "goals.goal #12"
    detail: str
    dismissal: FindingDismissal | None = None

    @property
    def kind_label(self) -> str:
        return str(FindingKind(self.kind).label)

    @property
    def record_kind(self) -> str:
        """What kind of record it is, in words (its model's name): 「進捗の記載」, never ``progress.progressentry``."""
        try:
            model = apps.get_model(self.record_label.split(" #")[0])
        except (LookupError, ValueError):
            return ""
        return str(model._meta.verbose_name)

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind.value,
            "fingerprint": self.fingerprint,
            "record": self.record,
            "record_id": self.record_label,
            "detail": self.detail,
            "dismissed": self.dismissal is not None,
            "dismissal_reason": self.dismissal.reason if self.dismissal else None,
        }


def _ref(obj: Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def _finding(kind: FindingKind, obj: Model, record: str, detail: str, *extra: object) -> Finding:
    fingerprint = ":".join([kind.value, _ref(obj), *(str(e) for e in extra)])[:255]
    return Finding(kind, fingerprint, record, f"{obj._meta.label_lower} #{obj.pk}", detail)


def _text_key(text: str) -> str:
    return squash_spaces(text).strip()


def _excerpt(text: str, length: int = 40) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= length else flat[: length - 1] + "…"


# The names a finding shows for the fields it checked (the fingerprint keeps the English key).
FIELD_LABELS = {
    "title": gettext_lazy("title"),
    "declarer": gettext_lazy("declarer"),
    "content": gettext_lazy("content"),
    "target": gettext_lazy("target"),
    "result": gettext_lazy("result"),
    "direction": gettext_lazy("direction"),
    "status": gettext_lazy("achievement status"),
    "policy": gettext_lazy("policy"),
    "text": gettext_lazy("text"),
    "body": gettext_lazy("outside body"),
    "label": gettext_lazy("display label"),
}


def _non_jis(obj: Model, record: str, fields: Iterable[tuple[str, str]]) -> list[Finding]:
    findings = []
    for name, text in fields:
        chars = "".join(dict.fromkeys(ch for _, ch in non_jis_x0208(text or "")))
        if chars:
            detail = _("%(field)s contains characters outside JIS X 0208: %(chars)s") % {
                "field": FIELD_LABELS.get(name, name),
                "chars": " ".join(chars),
            }
            findings.append(_finding(FindingKind.NON_JIS_CHARACTERS, obj, record, detail, name, chars))
    return findings


def _section_problem(section: Section, fiscal_year: int) -> str | None:
    if not section.is_valid_in(fiscal_year):
        return "not_valid"
    if section.department_id is None:
        return "no_department"
    return None


def _unknown_sections(named: dict[Section, list[tuple[Model, str, int]]]) -> list[Finding]:
    """One finding per section the master does not hold, naming the first record that names it."""
    findings = []
    for section, uses in named.items():
        problems = sorted(
            {(problem, year) for *_, year in uses if (problem := _section_problem(section, year)) is not None}
        )
        if not problems:
            continue
        problem, year = problems[0]
        first, record, _year = uses[0]
        if problem == "not_valid":
            why = _("the organisation master does not hold %(section)s in %(year)s") % {
                "section": section.name,
                "year": format_fiscal_year(year),
            }
        else:
            why = _("%(section)s is not placed in any department of the organisation master") % {
                "section": section.name
            }
        detail = ngettext(
            "%(why)s (named by %(count)d record).", "%(why)s (named by %(count)d records).", len(uses)
        ) % {"why": why, "count": len(uses)}
        # Keyed by the section, not by the first record naming it: a dismissal
        # ("this body is outside the organisation on purpose") holds for every use.
        fingerprint = f"{FindingKind.UNKNOWN_SECTION.value}:{_ref(section)}:{problem}:{year}"
        findings.append(
            Finding(
                FindingKind.UNKNOWN_SECTION,
                fingerprint,
                record,
                f"{first._meta.label_lower} #{first.pk}",
                detail,
            )
        )
    return findings


# --- goal declarations --------------------------------------------------------------------------


def _goal_record(goal: Goal) -> str:
    return _("goal %(number)s %(title)s") % {"number": goal.number, "title": goal.title}


def _written_units(text: str) -> list[tuple[Decimal, str]]:
    return [(figure.value, figure.unit) for _, _, figure in find_figures(text or "")]


def _unit_as_written(row: Target | Measurement, column: list[tuple[Decimal, str]]) -> str | None:
    """The unit of a stored figure as the document wrote it; consumes the match from ``column``."""
    own = _written_units(row.text)
    for value, unit in own:
        if value == row.value:
            return unit
    for index, (value, unit) in enumerate(column):
        if value == row.value:
            del column[index]
            return unit
    return None


def declaration_findings(declaration: GoalDeclaration) -> list[Finding]:
    """The findings of one goal declaration: five queries."""
    year = declaration.fiscal_year
    indicators = Indicator.objects.order_by("position", "id").prefetch_related(
        Prefetch("targets", queryset=Target.objects.filter(kind=Target.Kind.FINAL, fiscal_year=year)),
        Prefetch("measurements", queryset=Measurement.objects.filter(fiscal_year=year)),
    )
    goals = list(
        Goal.objects.filter(declaration=declaration)
        .order_by("number")
        .prefetch_related(
            Prefetch("goalsection_set", queryset=GoalSection.objects.select_related("section")),
            Prefetch("indicators", queryset=indicators),
        )
    )
    findings = _non_jis(
        declaration,
        str(declaration),
        [
            ("title", declaration.title),
            ("declarer", f"{declaration.declarer_position} {declaration.declarer_name}"),
        ],
    )
    seen: dict[tuple[str, str], Goal] = {}
    named: dict[Section, list[tuple[Model, str, int]]] = defaultdict(list)
    for goal in goals:
        record = _goal_record(goal)
        key = (_text_key(goal.title), _text_key(goal.target_text))
        if key in seen:
            first = seen[key]
            detail = _("Repeats goal %(number)s.") % {"number": first.number}
            findings.append(_finding(FindingKind.DUPLICATE_ENTRY, goal, record, detail, f"goal{first.pk}"))
        else:
            seen[key] = goal
        for goal_section in goal.goalsection_set.all():
            named[goal_section.section].append((goal, record, year))
        target_column = _written_units(goal.target_text)
        status_column = _written_units(goal.status_text)
        for indicator in goal.indicators.all():
            label = f"{record} / {indicator.name}"
            targets = list(indicator.targets.all())
            actuals = list(indicator.measurements.all())
            if targets and not actuals:
                detail = _("A target for %(year)s and no actual.") % {"year": format_fiscal_year(year)}
                findings.append(_finding(FindingKind.TARGET_WITHOUT_ACTUAL, indicator, label, detail, year))
            if targets and actuals:
                target_unit = _unit_as_written(targets[0], target_column)
                actual_unit = _unit_as_written(actuals[0], status_column)
                if target_unit is not None and actual_unit is not None and target_unit != actual_unit:
                    detail = _("The target is in %(target)s, the actual in %(actual)s.") % {
                        "target": target_unit or "—",
                        "actual": actual_unit or "—",
                    }
                    findings.append(
                        _finding(
                            FindingKind.UNIT_MISMATCH,
                            indicator,
                            label,
                            detail,
                            year,
                            target_unit,
                            actual_unit,
                        )
                    )
        findings += _non_jis(
            goal,
            record,
            [
                ("title", goal.title),
                ("content", goal.content),
                ("target", goal.target_text),
                ("result", goal.result_text),
                ("direction", goal.direction_text),
                ("status", goal.status_text),
            ],
        )
    findings += _unknown_sections(named)
    return findings


# --- guideline progress -------------------------------------------------------------------------


def _entry_record(entry: ProgressEntry, initiative: PlanNode) -> str:
    kind = _("result") if entry.kind == ProgressEntry.Kind.RESULT else pgettext("progress entry", "plan")
    return _("%(initiative)s: %(kind)s %(year)s “%(text)s”") % {
        "initiative": initiative.title,
        "kind": kind,
        "year": format_fiscal_year(entry.fiscal_year),
        "text": _excerpt(entry.text),
    }


def _parties(entry: ProgressEntry) -> list[EntryResponsible]:
    return list(entry.responsibles.all())


def _rows(plan: Plan, years: list[int]) -> list[InitiativeRow]:
    entries = ProgressEntry.objects.order_by("fiscal_year", "position").prefetch_related(
        Prefetch(
            "responsibles", queryset=EntryResponsible.objects.select_related("section").order_by("position")
        )
    )
    return list(
        InitiativeRow.objects.filter(initiative__plan=plan, fiscal_year__in=years)
        .select_related("initiative", "classification")
        .prefetch_related(Prefetch("entries", queryset=entries))
        .order_by("initiative__path", "fiscal_year", "position")
    )


def _successors(municipality_id: int) -> dict[int, set[int]]:
    """Section → the sections its duties continue in (transitively)."""
    direct: dict[int, set[int]] = defaultdict(set)
    for predecessor, successor in SectionSuccession.objects.filter(
        municipality_id=municipality_id
    ).values_list("predecessor_id", "successor_id"):
        direct[predecessor].add(successor)
    closure: dict[int, set[int]] = {}
    for start in direct:
        found: set[int] = set()
        todo = list(direct[start])
        while todo:
            current = todo.pop()
            if current not in found:
                found.add(current)
                todo += direct.get(current, ())
        closure[start] = found
    return closure


def guideline_findings(plan: Plan, result_year: int) -> list[Finding]:
    """The findings of a guideline's report of ``result_year``: a fixed number of queries."""
    rows = _rows(plan, [result_year - 1, result_year])
    current = [row for row in rows if row.fiscal_year == result_year]
    previous = [row for row in rows if row.fiscal_year == result_year - 1]
    findings: list[Finding] = []

    # Duplicates, sections, characters: the entries of this report.
    seen: dict[tuple[Any, ...], ProgressEntry] = {}
    named: dict[Section, list[tuple[Model, str, int]]] = defaultdict(list)
    nodes: dict[int, PlanNode] = {}
    for row in current:
        initiative = row.initiative
        nodes[initiative.pk] = initiative
        findings += _non_jis(row, f"{initiative.title} [{row.classification.code}]", [("policy", row.policy)])
        for entry in row.entries.all():
            record = _entry_record(entry, initiative)
            parties = _parties(entry)
            key = (
                initiative.pk,
                entry.kind,
                entry.fiscal_year,
                _text_key(entry.text),
                tuple(str(p) for p in parties),
            )
            if key in seen:
                first = seen[key]
                detail = _("Repeats an entry of the same initiative: “%(first)s”.") % {
                    "first": _excerpt(first.text)
                }
                findings.append(
                    _finding(FindingKind.DUPLICATE_ENTRY, entry, record, detail, f"entry{first.pk}")
                )
            else:
                seen[key] = entry
            for party in parties:
                if party.section is not None:
                    named[party.section].append((entry, record, entry.fiscal_year))
            findings += _non_jis(
                entry,
                record,
                [("text", entry.text), *(("body", p.body_name) for p in parties if p.body_name)],
            )
    findings += _unknown_sections(named)

    # The tree's own texts, for the initiatives of this report and their ancestors.
    ancestors = _ancestors(plan, nodes)
    for node in ancestors:
        findings += _non_jis(
            node,
            f"{node.label}{node.title}",
            [("label", node.label), ("title", node.title), ("text", node.body)],
        )

    findings += _carry_over_gaps(plan, previous, current, result_year)
    return findings


def _ancestors(plan: Plan, nodes: dict[int, PlanNode]) -> list[PlanNode]:
    by_id = {n.pk: n for n in PlanNode.objects.filter(plan=plan).order_by("path")}
    wanted: set[int] = set()
    for node in nodes.values():
        current: PlanNode | None = by_id.get(node.pk)
        while current is not None and current.pk not in wanted:
            wanted.add(current.pk)
            current = by_id.get(current.parent_id) if current.parent_id else None
    return [n for n in by_id.values() if n.pk in wanted]


def _carry_over_gaps(
    plan: Plan, previous: list[InitiativeRow], current: list[InitiativeRow], result_year: int
) -> list[Finding]:
    """Plans for ``result_year`` (written the year before) without a result of ``result_year``."""
    if not previous or not current:
        return []
    successors = _successors(plan.municipality_id)
    done: dict[int, set[object]] = defaultdict(set)  # initiative → sections (ids) and bodies with a result
    for row in current:
        for entry in row.entries.all():
            if entry.kind != ProgressEntry.Kind.RESULT:
                continue
            for party in entry.responsibles.all():
                done[row.initiative_id].add(party.section_id if party.section_id else party.body_name)
    findings = []
    for row in previous:
        for entry in row.entries.all():
            if entry.kind != ProgressEntry.Kind.PLAN or entry.fiscal_year != result_year:
                continue
            results = done.get(row.initiative_id, set())
            parties = _parties(entry)
            missing = []
            for party in parties:
                if party.section_id:
                    ids = {party.section_id, *successors.get(party.section_id, set())}
                    if not ids & results:
                        missing.append(str(party))
                elif party.body_name not in results:
                    missing.append(party.body_name)
            if not parties and not results:
                missing.append("—")
            if missing:
                detail = _("Planned for %(year)s, but %(names)s report no result for it in %(year)s.") % {
                    "year": format_fiscal_year(result_year),
                    "names": "、".join(missing),
                }
                findings.append(
                    _finding(
                        FindingKind.CARRY_OVER_GAP,
                        entry,
                        _entry_record(entry, row.initiative),
                        detail,
                        result_year,
                        "|".join(missing),
                    )
                )
    return findings


# --- reports ------------------------------------------------------------------------------------


def reports_of(municipality: Municipality, fiscal_year: int | None = None) -> list[ReportRef]:
    """Every report of the municipality (of one year, if given): two queries."""
    declarations = GoalDeclaration.objects.filter(municipality=municipality).select_related("department")
    rows = InitiativeRow.objects.filter(initiative__plan__municipality=municipality)
    if fiscal_year is not None:
        declarations = declarations.filter(fiscal_year=fiscal_year)
        rows = rows.filter(fiscal_year=fiscal_year)
    reports = [
        ReportRef("goal_declaration", d.pk, d.fiscal_year, str(d))
        for d in declarations.order_by("-fiscal_year", "department__position")
    ]
    pairs = rows.values_list("initiative__plan_id", "initiative__plan__name", "fiscal_year").distinct()
    for plan_id, name, year in sorted(set(pairs), key=lambda p: (-p[2], p[1])):
        reports.append(ReportRef("guideline_progress", plan_id, year, f"{name} {format_fiscal_year(year)}"))
    reports.sort(key=lambda report: -report.fiscal_year)  # newest first; stable within a year
    return reports


def report_for(
    municipality: Municipality, kind: str, pk: int, fiscal_year: int | None = None
) -> ReportRef | None:
    """The report of the municipality with this identity, or None (another municipality's is None too)."""
    if kind == "goal_declaration":
        declaration = GoalDeclaration.objects.filter(municipality=municipality, pk=pk).first()
        if declaration is None:
            return None
        return ReportRef("goal_declaration", declaration.pk, declaration.fiscal_year, str(declaration))
    if kind == "guideline_progress" and fiscal_year is not None:
        plan = Plan.objects.filter(municipality=municipality, pk=pk).first()
        if (
            plan is None
            or not InitiativeRow.objects.filter(initiative__plan=plan, fiscal_year=fiscal_year).exists()
        ):
            return None
        return ReportRef(
            "guideline_progress", plan.pk, fiscal_year, f"{plan.name} {format_fiscal_year(fiscal_year)}"
        )
    return None


def report_findings(municipality: Municipality, report: ReportRef) -> list[Finding]:
    """The findings of a report, with the dismissals people made attached."""
    if report.kind == "goal_declaration":
        declaration = GoalDeclaration.objects.get(municipality=municipality, pk=report.pk)
        findings = declaration_findings(declaration)
    else:
        plan = Plan.objects.get(municipality=municipality, pk=report.pk)
        findings = guideline_findings(plan, report.fiscal_year)
    dismissals = {
        d.fingerprint: d
        for d in FindingDismissal.objects.filter(
            municipality=municipality, fingerprint__in=[f.fingerprint for f in findings]
        ).select_related("dismissed_by")
    }
    return [replace(f, dismissal=dismissals.get(f.fingerprint)) for f in findings]


def finding_counts(findings: Iterable[Finding]) -> dict[str, int]:
    """Open (not dismissed) findings per kind, in the order of ``FindingKind``."""
    counts = dict.fromkeys(FindingKind.values, 0)
    for finding in findings:
        if finding.dismissal is None:
            counts[finding.kind.value] += 1
    return counts
