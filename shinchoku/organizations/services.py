"""Writes to the organisation master. Every change is audited."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shinchoku.core.audit import Actor, apply_changes, record_create, record_delete
from shinchoku.organizations.models import (
    Department,
    DepartmentAlias,
    DepartmentSuccession,
    FiscalYear,
    Membership,
    Municipality,
    Role,
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


@transaction.atomic
def municipality_create(*, code: str, name: str, prefecture: str, slug: str, actor: Actor) -> Municipality:
    """A new tenant. Refuses a wrong check digit, and a code or slug already taken, naming the holder."""
    municipality = Municipality(code=code, name=name, prefecture=prefecture, slug=slug)
    errors: dict[str, list[ValidationError]] = {}
    try:
        municipality.full_clean(validate_unique=False)
    except ValidationError as error:
        errors = {field: list(messages) for field, messages in error.error_dict.items()}
    for field, value in (("code", code), ("slug", slug)):
        holder = Municipality.objects.filter(**{field: value}).first()
        if holder is not None:
            errors.setdefault(field, []).append(
                ValidationError(
                    _("%(value)s is already used by %(municipality)s (code %(code)s)."),
                    code="duplicate",
                    params={"value": value, "municipality": str(holder), "code": holder.code},
                )
            )
    if errors:
        raise ValidationError(errors)
    municipality.save()
    record_create(municipality, actor=actor, fields=["code", "name", "prefecture", "slug"])
    return municipality


class AlreadySetUpError(Exception):
    """The first-run set-up is over: a municipality exists."""


@transaction.atomic
def municipality_set_up(
    *, code: str, name: str, prefecture: str, slug: str, administrator: User, actor: Actor
) -> Municipality:
    """The first run: the municipality, and the system administrator as its planning administrator.

    Only while the database holds no municipality; afterwards the planning section
    manages its own master and users.
    """
    if Municipality.objects.exists():
        raise AlreadySetUpError
    municipality = municipality_create(code=code, name=name, prefecture=prefecture, slug=slug, actor=actor)
    membership_create(user=administrator, municipality=municipality, role=Role.PLANNING_ADMIN, actor=actor)
    return municipality


@transaction.atomic
def membership_create(
    *,
    user: User,
    municipality: Municipality,
    role: str,
    actor: Actor,
    department: Department | None = None,
    section: Section | None = None,
    valid_from: date | None = None,
    valid_to: date | None = None,
) -> Membership:
    for unit in (department, section):
        if unit is not None and unit.municipality_id != municipality.pk:
            raise ValidationError(_("%(unit)s belongs to another municipality.") % {"unit": unit})
    membership = Membership(
        user=user,
        municipality=municipality,
        role=role,
        department=department,
        section=section,
        valid_from=valid_from,
        valid_to=valid_to,
    )
    membership.full_clean()
    membership.save()
    record_create(membership, actor=actor, fields=["role", "department", "section", "valid_from", "valid_to"])
    return membership


def membership_update(
    *, membership: Membership, actor: Actor, valid_from: date | None, valid_to: date | None, reason: str = ""
) -> dict[str, tuple[Any, Any]]:
    """Change a membership's period (ending it is setting ``valid_to``); audited, no-op when equal."""
    return apply_changes(
        membership, {"valid_from": valid_from, "valid_to": valid_to}, actor=actor, reason=reason
    )


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


_S = TypeVar("_S", SectionSuccession, DepartmentSuccession)


def _succession_create(model: type[_S], *, actor: Actor, **values: Any) -> _S:
    """Record that ``predecessor``'s duties continue in ``successor`` from ``fiscal_year`` (audited)."""
    succession = model.objects.create(municipality=values["predecessor"].municipality, **values)
    record_create(succession, actor=actor, fields=["predecessor", "successor", "kind", "fiscal_year"])
    return succession


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
    return _succession_create(
        SectionSuccession,
        predecessor=predecessor,
        successor=successor,
        kind=kind,
        fiscal_year=fiscal_year,
        note=note,
        actor=actor,
    )


_UNIT_FIELDS = frozenset({"name", "valid_from", "valid_to", "position", "kana"})


def department_update(
    *, department: Department, changes: Mapping[str, Any], actor: Actor, reason: str = ""
) -> dict[str, tuple[Any, Any]]:
    """Change a department's name, years or display order (``valid_to`` set: abolished after that year)."""
    unknown = set(changes) - _UNIT_FIELDS
    if unknown:
        raise ValueError(f"Not a department field to change: {sorted(unknown)}")
    return apply_changes(department, changes, actor=actor, reason=reason)


def section_update(
    *, section: Section, changes: Mapping[str, Any], actor: Actor, reason: str = ""
) -> dict[str, tuple[Any, Any]]:
    """Change a section's name, department, years or display order; audited, no-op when equal."""
    unknown = set(changes) - _UNIT_FIELDS - {"department"}
    if unknown:
        raise ValueError(f"Not a section field to change: {sorted(unknown)}")
    department = changes.get("department")
    if department is not None and department.municipality_id != section.municipality_id:
        raise ValueError("A section's department belongs to the same municipality.")
    return apply_changes(section, changes, actor=actor, reason=reason)


@transaction.atomic
def department_succeed(
    *,
    predecessor: Department,
    successor: Department,
    kind: SuccessionKind,
    fiscal_year: int,
    actor: Actor,
    note: str = "",
) -> DepartmentSuccession:
    """Record that ``predecessor``'s duties continue in ``successor`` from ``fiscal_year``."""
    return _succession_create(
        DepartmentSuccession,
        predecessor=predecessor,
        successor=successor,
        kind=kind,
        fiscal_year=fiscal_year,
        note=note,
        actor=actor,
    )


def section_alias_add(*, section: Section, name: str, actor: Actor, note: str = "") -> SectionAlias:
    alias = SectionAlias.objects.create(
        municipality_id=section.municipality_id, section=section, name=name, note=note
    )
    record_create(alias, actor=actor, fields=["section", "name"])
    return alias


def section_alias_remove(*, alias: SectionAlias, actor: Actor) -> None:
    record_delete(alias, actor=actor)
    alias.delete()


def department_alias_add(
    *, department: Department, name: str, actor: Actor, note: str = ""
) -> DepartmentAlias:
    alias = DepartmentAlias.objects.create(
        municipality_id=department.municipality_id, department=department, name=name, note=note
    )
    record_create(alias, actor=actor, fields=["department", "name"])
    return alias


def department_alias_remove(*, alias: DepartmentAlias, actor: Actor) -> None:
    record_delete(alias, actor=actor)
    alias.delete()


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
