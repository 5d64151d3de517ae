"""Reads of the organisation master, each with the joins a page needs (fixed query count)."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from shinchoku.core.text import normalize, squash_spaces
from shinchoku.organizations.models import (
    Department,
    DepartmentAlias,
    FiscalYear,
    Municipality,
    Section,
    SectionAlias,
)


def municipality_list() -> QuerySet[Municipality]:
    return Municipality.objects.order_by("code")


def municipality_public(slug: str) -> Municipality:
    """A municipality's public face: its name, years and organisation are public information."""
    return get_object_or_404(Municipality, slug=slug)


def municipality_exists() -> bool:
    """Whether the first run is over: the database holds a municipality."""
    return Municipality.objects.exists()


def municipality_by_code_or_slug(value: str) -> Municipality | None:
    """The municipality a command line names by its 地方公共団体コード or its slug."""
    return Municipality.objects.filter(code=value).first() or Municipality.objects.filter(slug=value).first()


def fiscal_years_of(municipality: Municipality) -> QuerySet[FiscalYear]:
    return FiscalYear.objects.filter(municipality=municipality).order_by("-year")


def departments_with_sections(municipality: Municipality) -> QuerySet[Department]:
    sections = Section.objects.order_by("position", "name")
    return (
        Department.objects.filter(municipality=municipality)
        .order_by("position", "name")
        .prefetch_related(Prefetch("sections", queryset=sections))
    )


def sections_without_department(municipality: Municipality) -> QuerySet[Section]:
    """Sections an import created before anyone placed them in a department."""
    return Section.objects.filter(municipality=municipality, department__isnull=True).order_by(
        "position", "name"
    )


def name_key(name: str) -> str:
    """The form in which two spellings of one organisation name compare equal."""
    # Documents write the same name with PDF spaces, full-width letters or stray brackets.
    return squash_spaces(normalize(name)).strip().strip("()（）")


def section_lookup(municipality: Municipality) -> dict[str, list[Section]]:
    """Every name and alias of the municipality's sections (all years), normalised, in two queries.

    Importers resolve hundreds of names; one dictionary beats one query per name.
    """
    lookup: dict[str, list[Section]] = {}
    for section in Section.objects.filter(municipality=municipality).select_related("department"):
        lookup.setdefault(name_key(section.name), []).append(section)
    for alias in SectionAlias.objects.filter(municipality=municipality).select_related("section__department"):
        lookup.setdefault(name_key(alias.name), []).append(alias.section)
    return lookup


def organisation_names(municipality: Municipality) -> list[str]:
    """Every name the master knows for the municipality's sections and departments, all years, with aliases.

    Readers consult them before guessing from a name's ending (〇〇担当, 〇〇監 …).
    """
    names = set(Section.objects.filter(municipality=municipality).values_list("name", flat=True))
    names |= set(SectionAlias.objects.filter(municipality=municipality).values_list("name", flat=True))
    names |= set(Department.objects.filter(municipality=municipality).values_list("name", flat=True))
    names |= set(DepartmentAlias.objects.filter(municipality=municipality).values_list("name", flat=True))
    return sorted(name for name in names if name)


def resolve_section(
    lookup: dict[str, list[Section]], name: str, fiscal_year: int | None = None
) -> Section | None:
    """The section a document means by ``name`` in ``fiscal_year``.

    A name may denote several sections over time (a name reused after a
    reorganisation); prefer the one valid in the document's year, then the one
    whose validity is nearest to it.
    """
    candidates = lookup.get(name_key(name), [])
    if not candidates:
        return None
    if fiscal_year is None or len(candidates) == 1:
        return candidates[0]
    valid = [s for s in candidates if s.is_valid_in(fiscal_year)]
    if valid:
        return valid[0]

    def distance(section: Section) -> int:
        if section.valid_to is not None and section.valid_to < fiscal_year:
            return fiscal_year - section.valid_to
        if section.valid_from is not None and section.valid_from > fiscal_year:
            return section.valid_from - fiscal_year
        return 0

    return min(candidates, key=distance)
