"""Writes to the organisation master. Every change is audited."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction

from shinchoku.core.audit import Actor, record_create
from shinchoku.organizations.models import (
    Department,
    DepartmentAlias,
    FiscalYear,
    Municipality,
    Section,
    SectionAlias,
    SectionSuccession,
    SuccessionKind,
)
from shinchoku.organizations.selectors import name_key, resolve_section, section_lookup

# Names of the city hall's own units end like this; anything else named as
# responsible (市野球協会学童部, 国際交流委員会) is a body outside the city hall.
_SECTION_NAME = re.compile(r"(課|室|担当|センター|事務局|局)$")


class UnknownSectionsError(Exception):
    """Sections named by a document that the organisation master does not know."""

    def __init__(self, names: Iterable[str]):
        self.names = sorted(set(names))
        super().__init__("Unknown sections: " + "、".join(self.names))


class UnknownDepartmentError(Exception):
    def __init__(self, name: str):
        self.name = name
        super().__init__(f"Unknown department: {name}")


def looks_like_section(name: str) -> bool:
    return bool(_SECTION_NAME.search(name.strip()))


def municipality_create(*, code: str, name: str, prefecture: str, slug: str, actor: Actor) -> Municipality:
    municipality = Municipality(code=code, name=name, prefecture=prefecture, slug=slug)
    municipality.full_clean()
    municipality.save()
    record_create(municipality, actor=actor, fields=["code", "name", "prefecture", "slug"])
    return municipality


def fiscal_year_ensure(*, municipality: Municipality, year: int, actor: Actor) -> FiscalYear:
    fiscal_year, created = FiscalYear.objects.get_or_create(municipality=municipality, year=year)
    if created:
        record_create(fiscal_year, actor=actor, fields=["year"])
    return fiscal_year


def department_create(
    *,
    municipality: Municipality,
    name: str,
    actor: Actor,
    valid_from: int | None = None,
    valid_to: int | None = None,
    position: int = 0,
    aliases: Iterable[str] = (),
) -> Department:
    department = Department.objects.create(
        municipality=municipality, name=name, valid_from=valid_from, valid_to=valid_to, position=position
    )
    record_create(department, actor=actor, fields=["name", "valid_from", "valid_to"])
    for alias in aliases:
        DepartmentAlias.objects.create(municipality=municipality, department=department, name=alias)
    return department


def section_create(
    *,
    municipality: Municipality,
    name: str,
    actor: Actor,
    department: Department | None = None,
    valid_from: int | None = None,
    valid_to: int | None = None,
    position: int = 0,
    aliases: Iterable[str] = (),
) -> Section:
    section = Section.objects.create(
        municipality=municipality,
        department=department,
        name=name,
        valid_from=valid_from,
        valid_to=valid_to,
        position=position,
    )
    record_create(section, actor=actor, fields=["name", "department", "valid_from", "valid_to"])
    for alias in aliases:
        SectionAlias.objects.create(municipality=municipality, section=section, name=alias)
    return section


@transaction.atomic
def section_succeed(
    *,
    predecessor: Section,
    successor: Section,
    kind: SuccessionKind,
    fiscal_year: int,
    actor: Actor,
    note: str = "",
) -> SectionSuccession:
    """Record that ``predecessor``'s duties continue in ``successor`` from ``fiscal_year``."""
    succession = SectionSuccession.objects.create(
        municipality=predecessor.municipality,
        predecessor=predecessor,
        successor=successor,
        kind=kind,
        fiscal_year=fiscal_year,
        note=note,
    )
    record_create(succession, actor=actor, fields=["predecessor", "successor", "kind", "fiscal_year"])
    return succession


def department_resolve(municipality: Municipality, name: str) -> Department | None:
    """A department by its name or an alias (normalised like section names)."""
    key = name_key(name)
    for department in Department.objects.filter(municipality=municipality):
        if name_key(department.name) == key:
            return department
    alias = (
        DepartmentAlias.objects.filter(municipality=municipality, name=name)
        .select_related("department")
        .first()
    )
    return alias.department if alias else None


class SectionResolver:
    """Resolves the section names of one document against the master, in a fixed number of queries.

    Unknown names are either refused (the default: the planning section must
    confirm them) or created when ``create_missing`` is set.
    """

    def __init__(self, municipality: Municipality, fiscal_year: int | None):
        self.municipality = municipality
        self.fiscal_year = fiscal_year
        self.lookup = section_lookup(municipality)

    def find(self, name: str) -> Section | None:
        return resolve_section(self.lookup, name, self.fiscal_year)

    def unknown(self, names: Iterable[str]) -> list[str]:
        return sorted({n for n in names if self.find(n) is None})

    def ensure(
        self,
        names: Iterable[str],
        *,
        actor: Actor,
        create_missing: bool,
        department: Department | None = None,
    ) -> dict[str, Section]:
        names = list(dict.fromkeys(names))
        missing = self.unknown(names)
        if missing and not create_missing:
            raise UnknownSectionsError(missing)
        for name in missing:
            section = section_create(
                municipality=self.municipality, name=name, department=department, actor=actor
            )
            self.lookup.setdefault(name_key(name), []).append(section)
        resolved: dict[str, Section] = {}
        for name in names:
            found = self.find(name)
            assert found is not None  # created above when missing
            resolved[name] = found
        return resolved
