"""Reads for the public portal: current publications only, and full-text search over them.

Search is Japanese-aware without a morphological analyser: SQLite's FTS5 with the
trigram tokenizer and PostgreSQL's pg_trgm both index every three-character
sequence, so any substring of three or more characters is found through an index.
Shorter terms (二文字: 財政, 広報) fall back to a plain substring scan of the
municipality's entries, which is small.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal

from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Min, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from shinchoku.core.text import normalize
from shinchoku.organizations.models import Municipality
from shinchoku.publishing.models import Artefact, Publication, PublishedRollup, SearchEntry
from shinchoku.reports.summary import SummaryRow, YearTotal

FTS_TABLE = "publishing_searchentry_fts"
SNIPPET_RADIUS = 60


def current_publications(municipality: Municipality) -> QuerySet[Publication]:
    return (
        Publication.objects.filter(municipality=municipality, is_current=True)
        .select_related("department", "plan")
        .defer("document")
        .order_by("-fiscal_year", "kind", "department__position", "title")
    )


def publication_public(municipality: Municipality, pk: int) -> Publication:
    """A published revision of this municipality (any revision: each was public once)."""
    return get_object_or_404(
        Publication.objects.select_related("department", "plan"), municipality=municipality, pk=pk
    )


def newer_revision(publication: Publication) -> Publication | None:
    if publication.is_current:
        return None
    return (
        Publication.objects.filter(
            municipality=publication.municipality,
            kind=publication.kind,
            fiscal_year=publication.fiscal_year,
            department=publication.department,
            plan=publication.plan,
            is_current=True,
        )
        .defer("document")
        .first()
    )


@dataclass(frozen=True)
class SearchFilters:
    year: int | None = None
    department: str = ""
    section: str = ""
    grade: str = ""


@dataclass(frozen=True)
class SearchHit:
    entry: SearchEntry
    snippet: SafeString


def search_terms(query: str) -> list[str]:
    return [t for t in normalize(query).split() if t][:8]


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def search(
    municipality: Municipality,
    query: str,
    filters: SearchFilters = SearchFilters(),
    limit: int = 100,
    offset: int = 0,
) -> list[SearchHit]:
    """Entries of current publications containing every term, newest year first: ``limit``
    of them from the ``offset``-th (the rows are ranked and cut in the database)."""
    terms = search_terms(query)
    if not terms:
        return []
    entries = SearchEntry.objects.filter(municipality=municipality, publication__is_current=True)
    if filters.year:
        entries = entries.filter(fiscal_year=filters.year)
    if filters.department:
        entries = entries.filter(department_name=filters.department)
    if filters.section:
        entries = entries.filter(section_names__contains=filters.section)
    if filters.grade:
        entries = entries.filter(grade__contains=f"|{filters.grade}|")
    for term in terms:
        if connection.vendor == "sqlite" and len(term) >= 3:
            # The trigram index answers the substring query; the base table keeps the filters.
            matching = RawSQL(
                f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [_fts_phrase(term)]
            )
            entries = entries.filter(id__in=matching)
        else:
            # PostgreSQL: icontains becomes ILIKE, which the pg_trgm GIN indexes serve.
            entries = entries.filter(Q(body__icontains=term) | Q(heading__icontains=term))
    rows = entries.select_related("publication").defer("publication__document").order_by("-fiscal_year", "id")
    return [SearchHit(entry=e, snippet=highlight(e.body, terms)) for e in rows[offset : offset + limit]]


def highlight(text: str, terms: list[str]) -> SafeString:
    """An escaped snippet around the first match with every term wrapped in <mark>."""
    pattern = re.compile("|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True)), re.IGNORECASE)
    first = pattern.search(text)
    start = max(0, first.start() - SNIPPET_RADIUS) if first else 0
    end = min(len(text), (first.end() if first else 0) + SNIPPET_RADIUS * 2)
    piece = text[start:end].replace("\n", " ")
    parts: list[str] = []
    last = 0
    for match in pattern.finditer(piece):
        parts.append(escape(piece[last : match.start()]))
        parts.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    parts.append(escape(piece[last:]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return mark_safe(prefix + "".join(parts) + suffix)


# How long what changes only at publishing is kept under the newest revision's stamp. Not for
# ever: two publishings commit in the other order than their ids now and then (each renders its
# files inside its transaction), and a view between the commits keeps the newer stamp without
# the older revision; as long as a portal page may be kept by a browser (PAGE_MAX_AGE).
KEPT_SECONDS = 300


def _published_stamp(municipality: Municipality | None = None) -> str:
    """The newest revision (of one municipality or of all) and when it was published, for a
    cache key: a publishing (or a database restored with other revisions under the same ids)
    makes another one."""
    publications = Publication.objects.all()
    if municipality is not None:
        publications = publications.filter(municipality=municipality)
    # The newest row through the primary key's index: MAX(published_at) over the country's
    # 850,000 revisions was a 100 ms scan.
    newest = publications.order_by("-id").values_list("id", "published_at").first()
    if newest is None:
        return "none"
    latest, at = newest
    return f"{latest}:{at.strftime('%Y%m%d%H%M%S%f') if at else 'none'}"


def filter_choices(municipality: Municipality) -> dict[str, list[object]]:
    """Values offered by the search form's filters (from current publications only).

    They change only when the municipality publishes, so they are read in one pass over its
    current entries and kept (in each process's cache) under the newest revision's id: a
    publishing makes a new key. At national scale four separate DISTINCT scans cost 70 ms of a
    search page's 120 (bench/national.py).
    """
    key = f"portal:filter-choices:{municipality.pk}:{_published_stamp(municipality)}"
    found: dict[str, list[object]] | None = cache.get(key)
    if found is not None:
        return found
    years: set[int] = set()
    departments: set[str] = set()
    sections: set[str] = set()
    grades: set[str] = set()
    rows = (
        SearchEntry.objects.filter(municipality=municipality, publication__is_current=True)
        .order_by()
        .values_list("fiscal_year", "department_name", "section_names", "grade")
        .distinct()
    )
    for year, department, names, grade in rows:
        years.add(year)
        if department:
            departments.add(department)
        sections.update(n for n in names.split("、") if n)
        grades.update(g for g in grade.split("|") if g)
    found = {
        "years": list[object](sorted(years, reverse=True)),
        "departments": list[object](sorted(departments)),
        "sections": list[object](sorted(sections)),
        "grades": list[object](sorted(grades)),
    }
    cache.set(key, found, KEPT_SECONDS)
    return found


def published_summary(municipality: Municipality) -> tuple[list[SummaryRow], list[YearTotal]]:
    """Achievement per department and year from the current published goal declarations (one query)."""
    publications = (
        Publication.objects.filter(
            municipality=municipality, is_current=True, kind=Publication.Kind.GOAL_DECLARATION
        )
        .select_related("department")
        .order_by("-fiscal_year", "department__position")
        .only("id", "fiscal_year", "evaluation", "department__name", "department__position")
    )
    rows: list[SummaryRow] = []
    for publication in publications:
        rollup = publication.evaluation.get("rollup")
        if not rollup:
            continue
        grades: dict[str, int] = {}
        for indicator in publication.evaluation.get("indicators", []):
            if indicator.get("grade"):
                grades[indicator["grade"]] = grades.get(indicator["grade"], 0) + 1
        rows.append(
            SummaryRow(
                fiscal_year=publication.fiscal_year,
                department=publication.department.name if publication.department else "",
                publication_id=publication.pk,
                threshold=rollup["threshold"],
                indicators=rollup["indicators"],
                graded=rollup["graded"],
                at_or_above=rollup["at_or_above"],
                awaiting_person=rollup["awaiting_person"],
                not_evaluable=rollup["not_evaluable"],
                share=Decimal(rollup["share"]) if rollup["share"] is not None else None,
                grades=grades,
            )
        )
    totals: dict[int, tuple[int, int]] = {}
    for row in rows:
        graded, at = totals.get(row.fiscal_year, (0, 0))
        totals[row.fiscal_year] = (graded + row.graded, at + row.at_or_above)
    years = [YearTotal(year, graded, at) for year, (graded, at) in sorted(totals.items())]
    return rows, years


def published_artefact(slug: str, pk: int | None, key: str) -> Artefact | None:
    """A stored file of a revision (``pk``) or of the municipality (``pk`` None), in one query,
    without loading the revision's document."""
    found = Artefact.objects.filter(municipality__slug=slug, key=key)
    found = found.filter(publication_id=pk) if pk is not None else found.filter(publication__isnull=True)
    return found.only("sha256", "size", "content_type", "filename", "rendered_at").first()


def artefact_sizes(publication: Publication | None, municipality: Municipality) -> dict[str, int]:
    """Key → bytes of the stored files of a revision, or of the municipality's own."""
    rows = Artefact.objects.filter(municipality=municipality, publication=publication)
    return dict(rows.values_list("key", "size"))


# --- comparing municipalities (issue 13) ------------------------------------------------------------


_FIGURES = {
    "reports": Count("pk"),
    "indicators": Sum("indicators"),
    "graded": Sum("graded"),
    "at_or_above": Sum("at_or_above"),
}


@dataclass(frozen=True)
class ComparedTotal:
    """One municipality's (or one prefecture's) published achievement for a year, on one scale."""

    name: str
    prefecture: str
    code: str = ""
    slug: str = ""
    municipalities: int = 1
    reports: int = 0
    indicators: int = 0
    graded: int = 0
    at_or_above: int = 0

    @property
    def share(self) -> Decimal | None:
        return YearTotal(0, self.graded, self.at_or_above).share


@dataclass(frozen=True)
class Comparison:
    fiscal_year: int | None
    scale: str
    prefecture: str
    years: list[int]
    scales: list[str]
    prefectures: list[str]
    rows: list[ComparedTotal]


def comparison(fiscal_year: int | None = None, scale: str = "", prefecture: str = "") -> Comparison:
    """Published achievement side by side: each prefecture's total, or each municipality of one
    prefecture, for one fiscal year and one grade scale (figures judged on different scales do
    not add up). Current revisions only, from their stored roll-ups.

    It changes only when some municipality publishes: kept (in each process's cache) under the
    newest revision, so a view costs one query. Computed, it scans every municipality's
    roll-ups: 75–90 ms at national scale (bench/national.py).
    """
    key = f"portal:comparison:{_published_stamp()}:{fiscal_year}:{_key_text(scale)}:{_key_text(prefecture)}"
    found: Comparison | None = cache.get(key)
    if found is None:
        found = _comparison(fiscal_year, scale, prefecture)
        cache.set(key, found, KEPT_SECONDS)
    return found


def _key_text(text: str) -> str:
    # Cache keys must be plain ASCII without spaces (memcached's rule, checked by Django).
    return hashlib.sha1(text.encode()).hexdigest()[:16] if text else ""


def _comparison(fiscal_year: int | None, scale: str, prefecture: str) -> Comparison:
    """``comparison`` computed: three queries whatever the number of municipalities."""
    years = sorted(PublishedRollup.objects.values_list("fiscal_year", flat=True).distinct(), reverse=True)
    if not years:
        return Comparison(None, "", "", [], [], [], [])
    year: int = fiscal_year if fiscal_year is not None and fiscal_year in years else years[0]
    of_year = PublishedRollup.objects.filter(fiscal_year=year)
    counts = of_year.values("scale").annotate(n=Count("pk")).order_by("-n", "scale")
    scales = [row["scale"] for row in counts]
    chosen = scale if scale in scales else scales[0]
    by_prefecture = (
        of_year.filter(scale=chosen)
        .values("municipality__prefecture")
        .annotate(
            municipalities=Count("municipality", distinct=True), first=Min("municipality__code"), **_FIGURES
        )
        .order_by("first")
    )
    prefectures = [row["municipality__prefecture"] for row in by_prefecture]
    if prefecture and prefecture in prefectures:
        rows = comparison_rows(year, chosen, prefecture=prefecture)
    else:
        prefecture = ""
        rows = [
            ComparedTotal(
                name=row["municipality__prefecture"],
                prefecture=row["municipality__prefecture"],
                municipalities=row["municipalities"],
                reports=row["reports"],
                indicators=row["indicators"],
                graded=row["graded"],
                at_or_above=row["at_or_above"],
            )
            for row in by_prefecture
        ]
    return Comparison(year, chosen, prefecture, years, scales, prefectures, rows)


def comparison_rows(fiscal_year: int, scale: str, prefecture: str = "") -> list[ComparedTotal]:
    """Each municipality's published achievement for the year on the scale (of one prefecture,
    or all of them: the open data)."""
    rollups = PublishedRollup.objects.filter(fiscal_year=fiscal_year, scale=scale)
    if prefecture:
        rollups = rollups.filter(municipality__prefecture=prefecture)
    cities = (
        rollups.values(
            "municipality__code", "municipality__name", "municipality__prefecture", "municipality__slug"
        )
        .annotate(**_FIGURES)
        .order_by("municipality__code")
    )
    return [
        ComparedTotal(
            name=row["municipality__name"],
            prefecture=row["municipality__prefecture"],
            code=row["municipality__code"],
            slug=row["municipality__slug"],
            reports=row["reports"],
            indicators=row["indicators"],
            graded=row["graded"],
            at_or_above=row["at_or_above"],
        )
        for row in cities
    ]


def policy_trend(publication: Publication) -> dict[str, list[tuple[int, str, str]]]:
    """Each 施策's grades over the years of its plan: (year, internal, committee) by 施策 number.

    Read from the current revision of every other year of the same plan (their ``evaluation``
    holds the grades) and from ``publication`` itself for its own year (it may be a preview).
    """
    others = (
        Publication.objects.filter(
            municipality_id=publication.municipality_id,
            kind=Publication.Kind.POLICY_EVALUATION,
            plan=publication.plan,
            is_current=True,
        )
        .exclude(fiscal_year=publication.fiscal_year)
        .only("fiscal_year", "evaluation")
    )
    trend: dict[str, list[tuple[int, str, str]]] = {}
    for revision in [*others, publication]:
        for label, grades in (revision.evaluation or {}).get("policies", {}).items():
            trend.setdefault(label, []).append(
                (revision.fiscal_year, grades.get("internal", ""), grades.get("committee", ""))
            )
    return {label: sorted(points) for label, points in trend.items()}
