"""Writes of guideline progress: the guideline's tree, its yearly rows and their bullets."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.db import transaction

from shinchoku.core.audit import Actor, apply_changes, record_changes, record_create, record_delete
from shinchoku.core.changes import ChangeSummary
from shinchoku.documents.layouts import without_sections
from shinchoku.documents.schema import ParsedEntry, ParsedGuidelineProgress, ParsedRow
from shinchoku.organizations.models import Municipality, Section
from shinchoku.organizations.services import SectionResolver, fiscal_year_ensure, looks_like_section
from shinchoku.plans.models import Classification, Plan, PlanNode
from shinchoku.progress.models import EntryResponsible, InitiativeRow, ProgressEntry
from shinchoku.workflow.conflicts import check_version

# Chapters are numbered ("1 市政運営の…"), sub-sections circled ("① 政策形成…"); the
# number is the node's display label. Other headings keep any leading digits.
_LABEL_PATTERNS = {
    PlanNode.Kind.CHAPTER: re.compile(r"^\s*(\d+)[ \u3000]+(\S.*)$", re.S),
    PlanNode.Kind.SECTION: re.compile(r"^\s*([\u2460-\u2473])\s*(\S.*)$", re.S),
}


def split_label(kind: str, heading: str) -> tuple[str, str]:
    """("1", "市政運営の各過程における市民参加の推進") from a chapter heading "1 市政運営の…"."""
    pattern = _LABEL_PATTERNS.get(kind)  # type: ignore[call-overload]
    match = pattern.match(heading) if pattern else None
    if not match:
        return "", heading.strip()
    return match.group(1), match.group(2).strip()


@dataclass
class _TreeWriter:
    """Creates or updates nodes in document order; remembers which ones the document still has."""

    plan: Plan
    actor: Actor
    summary: ChangeSummary

    def __post_init__(self) -> None:
        self.existing: dict[tuple[int | None, str, str], PlanNode] = {
            (n.parent_id, n.kind, n.title): n for n in PlanNode.objects.filter(plan=self.plan)
        }
        self.seen: set[int] = set()
        self.child_count: dict[int | None, int] = {}

    def node(
        self, parent: PlanNode | None, kind: str, heading: str, body: str = "", mark: str = ""
    ) -> PlanNode:
        """The node for ``heading``; ``mark`` is its display label when the heading carries none (◎, ○)."""
        label, title = split_label(kind, heading)
        label = label or mark
        parent_id = parent.pk if parent else None
        position = self.child_count.get(parent_id, 0) + 1
        self.child_count[parent_id] = position
        path = f"{parent.path}.{position:04d}" if parent else f"{position:04d}"
        values = {"label": label, "body": body, "position": position, "path": path}
        node = self.existing.get((parent_id, kind, title))
        if node is None or node.pk in self.seen:
            node = PlanNode.objects.create(plan=self.plan, parent=parent, kind=kind, title=title, **values)
            record_create(node, actor=self.actor, fields=["kind", "label", "title", "body"])
            self.summary.add_created(node)
        else:
            self.summary.add_updated(node, list(apply_changes(node, values, actor=self.actor)))
        self.seen.add(node.pk)
        return node


def _parties(entry: ParsedEntry, sections: dict[str, Section]) -> list[tuple[Section | None, str]]:
    return [(sections.get(name), "" if name in sections else name) for name in entry.sections]


def _sync_entries(
    row: InitiativeRow,
    kind: str,
    fiscal_year: int,
    entries: list[ParsedEntry],
    sections: dict[str, Section],
    *,
    actor: Actor,
    summary: ChangeSummary,
) -> None:
    existing = {
        e.position: e for e in row.entries.filter(kind=kind).prefetch_related("responsibles__section")
    }
    for position, parsed in enumerate(entries, start=1):
        entry = existing.pop(position, None)
        values = {"text": parsed.text, "fiscal_year": fiscal_year}
        if entry is None:
            entry = ProgressEntry.objects.create(row=row, kind=kind, position=position, **values)
            record_create(entry, actor=actor, fields=["kind", "fiscal_year", "text"])
            summary.add_created(entry)
            old_parties: list[str] = []
        else:
            changed = list(apply_changes(entry, values, actor=actor))
            old_parties = [str(r) for r in entry.responsibles.all()]
            new_names = [str(s) if s is not None else body for s, body in _parties(parsed, sections)]
            if old_parties != new_names:
                changed.append("responsibles")
            summary.add_updated(entry, changed)
        parties = _parties(parsed, sections)
        new_parties = [str(s) if s is not None else body for s, body in parties]
        if old_parties != new_parties:
            entry.responsibles.all().delete()
            EntryResponsible.objects.bulk_create(
                [
                    EntryResponsible(entry=entry, position=i, section=s, body_name=body)
                    for i, (s, body) in enumerate(parties)
                ]
            )
            record_changes(entry, actor=actor, changes={"responsibles": (old_parties, new_parties)})
    for stale in existing.values():
        record_delete(stale, actor=actor)
        summary.add_deleted(stale)
        stale.delete()


def _sync_row(
    initiative: PlanNode,
    position: int,
    parsed: ParsedRow,
    report: ParsedGuidelineProgress,
    classifications: dict[str, Classification],
    sections: dict[str, Section],
    *,
    existing: dict[int, InitiativeRow],
    actor: Actor,
    summary: ChangeSummary,
) -> InitiativeRow:
    values = {"classification": classifications[parsed.classification], "policy": parsed.policy}
    row = existing.pop(position, None)
    if row is None:
        row = InitiativeRow.objects.create(
            initiative=initiative, fiscal_year=report.result_year, position=position, **values
        )
        record_create(row, actor=actor, fields=["classification", "policy"])
        summary.add_created(row)
    else:
        summary.add_updated(row, list(apply_changes(row, values, actor=actor)))
    _sync_entries(
        row,
        ProgressEntry.Kind.RESULT,
        report.result_year,
        parsed.results,
        sections,
        actor=actor,
        summary=summary,
    )
    _sync_entries(
        row, ProgressEntry.Kind.PLAN, report.plan_year, parsed.plans, sections, actor=actor, summary=summary
    )
    return row


def _sync_classifications(
    plan: Plan, report: ParsedGuidelineProgress, *, actor: Actor, summary: ChangeSummary
) -> dict[str, Classification]:
    existing = {c.code: c for c in plan.classifications.all()}
    result: dict[str, Classification] = {}
    for position, parsed in enumerate(report.classifications, start=1):
        values = {"label": parsed.label, "position": position}
        classification = existing.get(parsed.code)
        if classification is None:
            classification = Classification.objects.create(plan=plan, code=parsed.code, **values)
            record_create(classification, actor=actor, fields=["code", "label"])
            summary.add_created(classification)
        else:
            summary.add_updated(classification, list(apply_changes(classification, values, actor=actor)))
        result[parsed.code] = classification
    # A 区分 used by a row but missing from the document's legend (the reader warned, and the
    # warning was accepted): kept as a code of the plan, without a label, after the legend's.
    used = [row.classification for initiative in report.initiatives for row in initiative.rows]
    for code in dict.fromkeys(code for code in used if code not in result):
        classification = existing.get(code)
        if classification is None:
            position = len(result) + 1
            classification = Classification.objects.create(plan=plan, code=code, label="", position=position)
            record_create(classification, actor=actor, fields=["code", "label"])
            summary.add_created(classification)
        result[code] = classification
    return result


@transaction.atomic
def guideline_progress_import(
    *,
    municipality: Municipality,
    parsed: ParsedGuidelineProgress,
    actor: Actor,
    create_missing: bool = False,
) -> tuple[Plan, ChangeSummary]:
    """Create or update a guideline's tree and its rows and bullets of ``parsed.result_year``.

    Names in a bullet's parentheses are sections when the master knows them or
    they look like one (…課, …室); otherwise bodies outside the city hall.
    """
    summary = ChangeSummary()
    resolver = SectionResolver(municipality, parsed.result_year)
    names = [
        name
        for initiative in parsed.initiatives
        for row in initiative.rows
        for entry in [*row.results, *row.plans]
        for name in entry.sections
    ]
    section_names = [n for n in names if resolver.find(n) is not None or looks_like_section(n)]
    sections: dict[str, Section] = dict(
        resolver.ensure(section_names, actor=actor, create_missing=create_missing)
    )
    for year in (parsed.result_year, parsed.plan_year):
        fiscal_year_ensure(municipality=municipality, year=year, actor=actor)

    plan = Plan.objects.filter(municipality=municipality, name=parsed.guideline).first()
    if plan is None:
        plan = Plan.objects.create(municipality=municipality, name=parsed.guideline, kind=Plan.Kind.GUIDELINE)
        record_create(plan, actor=actor, fields=["name", "kind"])
        summary.add_created(plan)
    classifications = _sync_classifications(plan, parsed, actor=actor, summary=summary)

    tree = _TreeWriter(plan, actor, summary)
    rows_by_initiative: dict[int, dict[int, InitiativeRow]] = {}
    for row in InitiativeRow.objects.filter(initiative__plan=plan, fiscal_year=parsed.result_year):
        rows_by_initiative.setdefault(row.initiative_id, {})[row.position] = row
    parents: dict[tuple[str, ...], PlanNode] = {}
    for initiative in parsed.initiatives:
        key: tuple[str, ...] = (initiative.chapter,)
        if key not in parents:
            parents[key] = tree.node(None, PlanNode.Kind.CHAPTER, initiative.chapter)
        parent = parents[key]
        for kind, heading in (
            (PlanNode.Kind.SECTION, initiative.subsection),
            (PlanNode.Kind.GROUP, initiative.group),
        ):
            if heading:
                key = (*key, heading)
                if key not in parents:
                    parents[key] = tree.node(parent, kind, heading)
                parent = parents[key]
        node = tree.node(parent, PlanNode.Kind.INITIATIVE, initiative.title, initiative.guideline_text)
        existing_rows = rows_by_initiative.pop(node.pk, {})
        for position, parsed_row in enumerate(initiative.rows, start=1):
            _sync_row(
                node,
                position,
                parsed_row,
                parsed,
                classifications,
                sections,
                existing=existing_rows,
                actor=actor,
                summary=summary,
            )
        for stale_row in existing_rows.values():
            record_delete(stale_row, actor=actor)
            summary.add_deleted(stale_row)
            stale_row.delete()
    for leftover in rows_by_initiative.values():
        for stale_row in leftover.values():
            record_delete(stale_row, actor=actor)
            summary.add_deleted(stale_row)
            stale_row.delete()
    return plan, summary


# --- editing entries one by one (the staff workspace, ADR 7) -----------------------------

ENTRY_FIELDS = ("text", "position")
_MOVING = 32767  # a free position while two entries swap (the constraint is row × kind × position)


def _locked_entry(entry: ProgressEntry) -> ProgressEntry:
    return ProgressEntry.objects.select_for_update().get(pk=entry.pk)


def _parties_of(entry: ProgressEntry) -> list[str]:
    return [str(r) for r in entry.responsibles.select_related("section").order_by("position")]


@transaction.atomic
def progress_entry_create(
    *,
    row: InitiativeRow,
    kind: str,
    text: str,
    sections: list[Section],
    actor: Actor,
    fiscal_year: int | None = None,
    bodies: list[str] | None = None,
) -> ProgressEntry:
    """A new bullet at the end of ``row``'s results or plans, with its responsible sections.

    Results belong to the row's year, plans to the next year unless ``fiscal_year`` says otherwise.
    """
    if kind not in ProgressEntry.Kind.values:
        raise ValueError(f"Unknown entry kind {kind!r}.")
    if not text.strip():
        raise ValueError("An entry needs a text.")
    if fiscal_year is None:
        fiscal_year = row.fiscal_year if kind == ProgressEntry.Kind.RESULT else row.fiscal_year + 1
    # Two people adding to the same row at once would both take the last position + 1
    # (a unique violation, HTTP 500, found by bench/load.py): lock the row first.
    list(InitiativeRow.objects.select_for_update().filter(pk=row.pk).values_list("pk", flat=True))
    last = (
        ProgressEntry.objects.filter(row=row, kind=kind)
        .exclude(position=_MOVING)
        .order_by("-position")
        .values_list("position", flat=True)
        .first()
    )
    # The section is kept as the entry's responsible, and the reports append it: not in the text too.
    text = without_sections(text.strip(), [str(s) for s in dict.fromkeys(sections)] + list(bodies or []))
    entry = ProgressEntry.objects.create(
        row=row, kind=kind, fiscal_year=fiscal_year, position=(last or 0) + 1, text=text
    )
    record_create(entry, actor=actor, fields=["kind", "fiscal_year", "position", "text"])
    parties: list[tuple[Section | None, str]] = [(s, "") for s in dict.fromkeys(sections)]
    parties += [(None, body) for body in bodies or []]
    EntryResponsible.objects.bulk_create(
        [
            EntryResponsible(entry=entry, position=i, section=s, body_name=b)
            for i, (s, b) in enumerate(parties)
        ]
    )
    names = [str(s) if s is not None else b for s, b in parties]
    record_changes(entry, actor=actor, changes={"responsibles": ([], names)})
    return entry


@transaction.atomic
def progress_entry_update(
    *, entry: ProgressEntry, text: str, expected_version: int | None, actor: Actor
) -> ProgressEntry:
    """Change a bullet's text; refused with ``ConflictError`` when someone saved it in between."""
    locked = _locked_entry(entry)
    check_version(locked, expected_version, ENTRY_FIELDS)
    if not text.strip():
        raise ValueError("An entry needs a text.")
    text = without_sections(text.strip(), _parties_of(locked))
    apply_changes(locked, {"text": text}, actor=actor)
    return locked


@transaction.atomic
def progress_entry_delete(*, entry: ProgressEntry, expected_version: int | None, actor: Actor) -> None:
    locked = _locked_entry(entry)
    check_version(locked, expected_version, ENTRY_FIELDS)
    record_changes(locked, actor=actor, changes={"text": (locked.text, None)})
    record_delete(locked, actor=actor)
    locked.delete()


@transaction.atomic
def progress_entry_move(*, entry: ProgressEntry, offset: int, actor: Actor) -> ProgressEntry:
    """Swap a bullet with its neighbour above (``offset=-1``) or below (``+1``) in its row and kind.

    At the top or bottom nothing changes. Moving never conflicts: it changes no text.
    """
    locked = _locked_entry(entry)
    siblings = ProgressEntry.objects.select_for_update().filter(row_id=locked.row_id, kind=locked.kind)
    neighbour = (
        siblings.filter(position__lt=locked.position).order_by("-position").first()
        if offset < 0
        else siblings.filter(position__gt=locked.position)
        .exclude(position=_MOVING)
        .order_by("position")
        .first()
    )
    if neighbour is None:
        return locked
    mine, theirs = locked.position, neighbour.position
    ProgressEntry.objects.filter(pk=locked.pk).update(position=_MOVING)
    apply_changes(neighbour, {"position": mine}, actor=actor)
    apply_changes(locked, {"position": theirs}, actor=actor)
    return locked
