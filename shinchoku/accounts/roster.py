"""Users in bulk (職員名簿): a CSV or XLSX with one row per role of a user, read, checked, planned, applied.

Layout
======

==========  ========  ================================================================
column      required  meaning
==========  ========  ================================================================
ユーザー名  yes       the log-in name (letters, digits and @ . + - _)
氏名        yes       the name as written, family name first: 山田 花子
メール      no        e-mail address
役割        yes       企画課管理者, 部長, 課長, 担当, 外部評価委員, 閲覧者, システム管理者
                      (see ``ROLE_NAMES``), or the internal value (planning_admin …)
部          for 部長  the department (for a 課長 or 担当, if written, it must be the 課's)
課          for 課長  the section; 課長 and 担当 need it
            and 担当
有効開始日  no        first day of the role: 2024-04-01, 2024/4/1, 令和6年4月1日, R6.4.1
有効終了日  no        last day of the role; a day in the past ends it
==========  ========  ================================================================

A user with several roles has several rows (the same 氏名 and メール on each).

What applying does (``roster_plan``)
====================================

The file is the list of every role of every user it names, in one municipality:

- a user not yet known is created with a temporary password, printed once by the
  command, to be changed at the first log-in (``shinchoku.accounts.passwords``);
- a role already held is kept (its dates updated if they differ); a new one is
  added; a role the user holds here that the file no longer lists ends yesterday;
- a user whose roles have all ended (a past 有効終了日) is deactivated: they can
  no longer log in, their memberships are end-dated, and they are never deleted,
  so the audit log and the workflow history keep their name;
- with ``deactivate_missing``, users who hold a role here and are absent from the
  file are ended and deactivated the same way.

A system administrator (superuser) is never deactivated by a file. Re-importing the
same file changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shinchoku.accounts.services import user_create, user_temporary_password_set, user_update
from shinchoku.core.audit import Actor
from shinchoku.core.eras import EraParseError, fiscal_year_of, parse_date
from shinchoku.core.tables import Problem, Row, TableError, read_table
from shinchoku.core.text import normalize
from shinchoku.organizations.models import (
    Department,
    DepartmentAlias,
    Membership,
    Municipality,
    Role,
    Section,
    SectionAlias,
)
from shinchoku.organizations.selectors import name_key
from shinchoku.organizations.services import membership_create, membership_update

USERNAME = "ユーザー名"
FULL_NAME = "氏名"
EMAIL = "メール"
ROLE = "役割"
DEPARTMENT = "部"
SECTION = "課"
VALID_FROM = "有効開始日"
VALID_TO = "有効終了日"
LAYOUT = (USERNAME, FULL_NAME, EMAIL, ROLE, DEPARTMENT, SECTION, VALID_FROM, VALID_TO)

HEADERS = {
    **{h: h for h in LAYOUT},
    "ログイン名": USERNAME,
    "ログインID": USERNAME,
    "ユーザーID": USERNAME,
    "名前": FULL_NAME,
    "職員名": FULL_NAME,
    "メールアドレス": EMAIL,
    "Eメール": EMAIL,
    "E-mail": EMAIL,
    "権限": ROLE,
    "ロール": ROLE,
    "部名": DEPARTMENT,
    "課名": SECTION,
    "所属": SECTION,
    "開始日": VALID_FROM,
    "終了日": VALID_TO,
}

# How city halls name the roles. The labels the application shows are accepted too.
ROLE_NAMES: dict[str, str] = {
    "システム管理者": Role.SYSTEM_ADMIN,
    "企画課管理者": Role.PLANNING_ADMIN,
    "経営企画課管理者": Role.PLANNING_ADMIN,
    "企画担当管理者": Role.PLANNING_ADMIN,
    "企画管理者": Role.PLANNING_ADMIN,
    "部長": Role.DEPARTMENT_HEAD,
    "課長": Role.SECTION_HEAD,
    "室長": Role.SECTION_HEAD,
    "所属長": Role.SECTION_HEAD,
    "担当": Role.SECTION_STAFF,
    "担当者": Role.SECTION_STAFF,
    "担当職員": Role.SECTION_STAFF,
    "課員": Role.SECTION_STAFF,
    "外部評価委員": Role.EVALUATOR,
    "評価委員": Role.EVALUATOR,
    "閲覧者": Role.VIEWER,
    **{role.value: role.value for role in Role},
}
ROLE_LABELS: dict[str, str] = {
    Role.SYSTEM_ADMIN: "システム管理者",
    Role.PLANNING_ADMIN: "企画課管理者",
    Role.DEPARTMENT_HEAD: "部長",
    Role.SECTION_HEAD: "課長",
    Role.SECTION_STAFF: "担当",
    Role.EVALUATOR: "外部評価委員",
    Role.VIEWER: "閲覧者",
}
SECTION_ROLES = (Role.SECTION_HEAD, Role.SECTION_STAFF)


class Action:
    NEW = "new"
    CHANGED = "changed"
    DEACTIVATED = "deactivated"
    UNCHANGED = "unchanged"
    ORDER = (NEW, CHANGED, DEACTIVATED, UNCHANGED)


def action_label(action: str) -> str:
    return {
        Action.NEW: _("Added"),
        Action.CHANGED: _("Changed"),
        Action.DEACTIVATED: _("Deactivated"),
        Action.UNCHANGED: _("Unchanged"),
    }[action]


# ---------------------------------------------------------------------------
# Reading


@dataclass
class RoleRow:
    """One row: one role of one user."""

    row: Row
    role: str
    department: Department | None
    section: Section | None
    valid_from: date | None
    valid_to: date | None

    @property
    def key(self) -> tuple[str, int | None, int | None]:
        return (self.role, _pk(self.department), _pk(self.section))

    def label(self) -> str:
        scope = self.section or self.department
        text = ROLE_LABELS[self.role] + (f" / {scope.name}" if scope else "")
        if self.valid_from or self.valid_to:
            text += f" ({_day(self.valid_from)}〜{_day(self.valid_to)})"
        return text


@dataclass
class Person:
    username: str
    full_name: str
    email: str
    line: int
    roles: list[RoleRow] = field(default_factory=list)


def _pk(obj: Any) -> int | None:
    return obj.pk if obj is not None else None


def _day(day: date | None) -> str:
    return day.isoformat() if day else ""


class _Units:
    """Departments and sections by name and alias, in two queries; the ones in place in a year first."""

    def __init__(self, municipality: Municipality):
        self.departments: dict[str, list[Department]] = defaultdict(list)
        self.sections: dict[str, list[Section]] = defaultdict(list)
        for department in Department.objects.filter(municipality=municipality):
            self.departments[name_key(department.name)].append(department)
        for department_alias in DepartmentAlias.objects.filter(municipality=municipality).select_related(
            "department"
        ):
            self.departments[name_key(department_alias.name)].append(department_alias.department)
        for section in Section.objects.filter(municipality=municipality).select_related("department"):
            self.sections[name_key(section.name)].append(section)
        for alias in SectionAlias.objects.filter(municipality=municipality).select_related(
            "section__department"
        ):
            self.sections[name_key(alias.name)].append(alias.section)

    @staticmethod
    def _in_place(candidates: list[Any], year: int) -> list[Any]:
        return list(dict.fromkeys(c for c in candidates if c.is_valid_in(year)))

    def department(self, name: str, year: int) -> list[Department]:
        return self._in_place(self.departments.get(name_key(name), []), year)

    def section(self, name: str, year: int) -> list[Section]:
        return self._in_place(self.sections.get(name_key(name), []), year)


def _date(row: Row, column: str, problems: list[Problem]) -> date | None:
    text = row[column]
    if not text:
        return None
    try:
        return parse_date(text)
    except EraParseError:
        problems.append(
            row.problem(
                column,
                _("%(value)s is not a date: write e.g. 2024-04-01, 2024/4/1, 令和6年4月1日 or R6.4.1.")
                % {"value": text},
            )
        )
        return None


def _role_row(row: Row, units: _Units, today: date, problems: list[Problem]) -> RoleRow | None:
    before = len(problems)
    role = ROLE_NAMES.get("".join(normalize(row[ROLE]).split()))
    if not row[ROLE]:
        problems.append(row.problem(ROLE, _("The role is missing.")))
    elif role is None:
        problems.append(
            row.problem(
                ROLE,
                _("%(value)s is not a role: write one of %(roles)s.")
                % {"value": row[ROLE], "roles": "、".join(ROLE_LABELS.values())},
            )
        )
    valid_from = _date(row, VALID_FROM, problems)
    valid_to = _date(row, VALID_TO, problems)
    if valid_from and valid_to and valid_to < valid_from:
        problems.append(row.problem(VALID_TO, _("The last day is before the first day.")))
    # 部 and 課 are looked up in the organisation of the fiscal year the role starts in.
    year = fiscal_year_of(valid_from or today)
    department = section = None
    if row[DEPARTMENT]:
        found_departments = units.department(row[DEPARTMENT], year)
        if len(found_departments) != 1:
            problems.append(
                row.problem(
                    DEPARTMENT,
                    _("There is no department %(name)s in the organisation master.")
                    % {"name": row[DEPARTMENT]}
                    if not found_departments
                    else _("%(name)s names several departments.") % {"name": row[DEPARTMENT]},
                )
            )
        else:
            department = found_departments[0]
    if row[SECTION]:
        found = units.section(row[SECTION], year)
        if department is not None and len(found) > 1:
            found = [s for s in found if s.department_id == department.pk] or found
        if len(found) != 1:
            problems.append(
                row.problem(
                    SECTION,
                    _("There is no section %(name)s in the organisation master.") % {"name": row[SECTION]}
                    if not found
                    else _("%(name)s names several sections: write its 部 too.") % {"name": row[SECTION]},
                )
            )
        else:
            section = found[0]
            if department is not None and section.department_id != department.pk:
                problems.append(
                    row.problem(
                        SECTION,
                        _("%(section)s is not in %(department)s.")
                        % {"section": section.name, "department": department.name},
                    )
                )
    if role == Role.DEPARTMENT_HEAD:
        if not row[DEPARTMENT]:
            problems.append(row.problem(DEPARTMENT, _("A department head needs a 部.")))
        if row[SECTION]:
            problems.append(row.problem(SECTION, _("A department head belongs to a 部: leave 課 empty.")))
    if role in SECTION_ROLES:
        if not row[SECTION]:
            problems.append(row.problem(SECTION, _("A section head or section staff needs a 課.")))
        department = None  # the 課 says where they are; the 部 was only checked
    if len(problems) > before or role is None:
        return None
    return RoleRow(
        row=row, role=role, department=department, section=section, valid_from=valid_from, valid_to=valid_to
    )


@dataclass
class Roster:
    source: str
    people: list[Person]
    warnings: list[Problem]


def roster_read(data: bytes, *, source: str, municipality: Municipality, today: date | None = None) -> Roster:
    """Read and check a users file against the organisation master; ``TableError`` lists every problem."""
    today = today or timezone.localdate()
    table = read_table(data, source=source, headers=HEADERS, required=(USERNAME, FULL_NAME, ROLE))
    units = _Units(municipality)
    problems: list[Problem] = []
    people: dict[str, Person] = {}
    validator = UnicodeUsernameValidator()
    for row in table.rows:
        username = normalize(row[USERNAME]).strip()
        full_name = " ".join(row[FULL_NAME].split())
        email = normalize(row[EMAIL]).strip()
        before = len(problems)
        if not username:
            problems.append(row.problem(USERNAME, _("The user name is missing.")))
        else:
            try:
                validator(username)
                if len(username) > 150:
                    raise ValidationError("too long")
            except ValidationError:
                problems.append(
                    row.problem(
                        USERNAME,
                        _("%(value)s cannot be a user name: up to 150 letters, digits and @ . + - _.")
                        % {"value": username},
                    )
                )
        if not full_name:
            problems.append(row.problem(FULL_NAME, _("The name is missing.")))
        elif len(full_name) > 150:
            problems.append(row.problem(FULL_NAME, _("The name is longer than 150 characters.")))
        if email:
            try:
                validate_email(email)
            except ValidationError:
                problems.append(
                    row.problem(EMAIL, _("%(value)s is not an e-mail address.") % {"value": email})
                )
        role_row = _role_row(row, units, today, problems)
        if len(problems) > before or role_row is None:
            continue
        person = people.get(username)
        if person is None:
            people[username] = Person(username, full_name, email, row.line, [role_row])
            continue
        for column, mine, theirs in ((FULL_NAME, person.full_name, full_name), (EMAIL, person.email, email)):
            if mine != theirs:
                problems.append(
                    row.problem(
                        column,
                        _("%(username)s has another value on line %(line)d.")
                        % {"username": username, "line": person.line},
                    )
                )
        same = next(
            (r for r in person.roles if r.key == role_row.key and r.valid_from == role_row.valid_from), None
        )
        if same is not None:
            problems.append(
                row.problem(ROLE, _("The same role is on line %(line)d.") % {"line": same.row.line})
            )
        person.roles.append(role_row)
    if problems:
        raise TableError(problems)
    if not people:
        raise TableError([Problem(source=source, message=_("The file has a header row but no user."))])
    return Roster(source=source, people=list(people.values()), warnings=table.warnings)


# ---------------------------------------------------------------------------
# Planning


@dataclass
class UserChange:
    action: str
    username: str
    full_name: str
    line: int | None
    user_id: int | None = None
    user_values: dict[str, Any] = field(default_factory=dict)  # a new user: all of them
    create: list[RoleRow] = field(default_factory=list)
    update: list[tuple[int, date | None, date | None]] = field(default_factory=list)  # (membership, from, to)
    details: list[str] = field(default_factory=list)

    @property
    def action_label(self) -> str:
        return action_label(self.action)

    def describe(self) -> str:
        where = _("line %(line)d") % {"line": self.line} if self.line else _("not in the file")
        text = f"{self.action_label} {self.username} {self.full_name} ({where})"
        return f"{text}: {'; '.join(self.details)}" if self.details else text


@dataclass
class RosterPlan:
    municipality_id: int
    source: str
    today: date
    changes: list[UserChange]
    warnings: list[Problem] = field(default_factory=list)

    def of(self, action: str) -> list[UserChange]:
        return [c for c in self.changes if c.action == action]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(Action.ORDER, 0)
        for change in self.changes:
            counts[change.action] += 1
        return counts

    def summary(self) -> str:
        return ", ".join(f"{action_label(a)} {n}" for a, n in self.counts().items())

    @property
    def changed(self) -> bool:
        return any(c.action != Action.UNCHANGED for c in self.changes)


def _current(valid_to: date | None, today: date) -> bool:
    """In force today or later (not ended)."""
    return valid_to is None or valid_to >= today


def _membership_label(m: Membership) -> str:
    scope = m.section or m.department
    return ROLE_LABELS.get(m.role, m.role) + (f" / {scope.name}" if scope else "")


def roster_plan(
    *, municipality: Municipality, roster: Roster, deactivate_missing: bool = False, today: date | None = None
) -> RosterPlan:
    """What applying the file would change, user by user."""
    today = today or timezone.localdate()
    people = roster.people
    yesterday = today - timedelta(days=1)
    users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in people])}
    memberships: dict[int, list[Membership]] = defaultdict(list)
    for m in Membership.objects.filter(municipality=municipality).select_related(
        "department", "section", "user"
    ):
        memberships[m.user_id].append(m)
    # Roles held elsewhere keep an account active even when its roles here end.
    elsewhere = set(
        Membership.objects.exclude(municipality=municipality)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .values_list("user_id", flat=True)
    )
    changes: list[UserChange] = []
    for person in people:
        user = users.get(person.username)
        active = any(_current(r.valid_to, today) for r in person.roles)
        if user is None:
            changes.append(
                UserChange(
                    action=Action.NEW if active else Action.DEACTIVATED,
                    username=person.username,
                    full_name=person.full_name,
                    line=person.line,
                    user_values={"last_name": person.full_name, "email": person.email, "is_active": active},
                    create=list(person.roles),
                    details=[r.label() for r in person.roles],
                )
            )
            continue
        change = UserChange(
            action=Action.UNCHANGED,
            username=person.username,
            full_name=person.full_name,
            line=person.line,
            user_id=user.pk,
        )
        for name, old, new in (
            ("last_name", user.last_name, person.full_name),
            ("email", user.email, person.email),
        ):
            if old != new:
                change.user_values[name] = new
                change.details.append(
                    f"{FULL_NAME if name == 'last_name' else EMAIL} {old or '—'} → {new or '—'}"
                )
        held = list(memberships.get(user.pk, []))
        used: set[int] = set()
        for role_row in person.roles:
            same_key = [
                m
                for m in held
                if m.pk not in used and (m.role, m.department_id, m.section_id) == role_row.key
            ]
            # An ended role comes back as a new membership (the gap stays in the history),
            # unless the row itself has an end: then it corrects that period.
            reachable = [m for m in same_key if _current(m.valid_to, today) or role_row.valid_to is not None]
            match = next((m for m in reachable if m.valid_from == role_row.valid_from), None) or next(
                (m for m in reachable if _current(m.valid_to, today)), None
            )
            if match is None:
                change.create.append(role_row)
                change.details.append(_("+ %(role)s") % {"role": role_row.label()})
                continue
            used.add(match.pk)
            if (match.valid_from, match.valid_to) != (role_row.valid_from, role_row.valid_to):
                change.update.append((match.pk, role_row.valid_from, role_row.valid_to))
                change.details.append(
                    f"{_membership_label(match)}: {_day(match.valid_from)}〜{_day(match.valid_to)} → "
                    f"{_day(role_row.valid_from)}〜{_day(role_row.valid_to)}"
                )
        for m in held:
            if m.pk not in used and _current(m.valid_to, today):
                change.update.append((m.pk, m.valid_from, yesterday))
                change.details.append(
                    _("− %(role)s (not in the file: ends %(day)s)")
                    % {"role": _membership_label(m), "day": yesterday}
                )
        keep_active = active or user.pk in elsewhere or user.is_superuser
        if user.is_active != keep_active:
            change.user_values["is_active"] = keep_active
            change.details.append(
                _("can log in again") if keep_active else _("deactivated: can no longer log in")
            )
        if change.user_values.get("is_active") is False:
            change.action = Action.DEACTIVATED
        elif change.user_values or change.create or change.update:
            change.action = Action.CHANGED
        changes.append(change)
    if deactivate_missing:
        named = {p.username for p in people}
        for user_id, held in memberships.items():
            user = held[0].user
            if user.username in named:
                continue
            ending = [m for m in held if _current(m.valid_to, today)]
            if not ending:
                continue
            change = UserChange(
                action=Action.CHANGED,
                username=user.username,
                full_name=user.get_full_name(),
                line=None,
                user_id=user_id,
            )
            for m in ending:
                change.update.append((m.pk, m.valid_from, yesterday))
                change.details.append(
                    _("− %(role)s (not in the file: ends %(day)s)")
                    % {"role": _membership_label(m), "day": yesterday}
                )
            if user.is_superuser:
                change.details.append(_("a system administrator stays able to log in"))
            elif user.pk not in elsewhere and user.is_active:
                change.user_values["is_active"] = False
                change.action = Action.DEACTIVATED
                change.details.append(_("deactivated: can no longer log in"))
            changes.append(change)
    return RosterPlan(
        municipality_id=municipality.pk,
        source=roster.source,
        today=today,
        changes=changes,
        warnings=roster.warnings,
    )


# ---------------------------------------------------------------------------
# Applying


@dataclass(frozen=True)
class NewPassword:
    username: str
    full_name: str
    password: str


@transaction.atomic
def roster_apply(*, municipality: Municipality, plan: RosterPlan, actor: Actor) -> list[NewPassword]:
    """Apply ``plan`` in one transaction through the audited services; returns the temporary passwords (once)."""
    if plan.municipality_id != municipality.pk:
        raise ValueError("The plan was made for another municipality.")
    reason = _("users file %(source)s") % {"source": plan.source}
    passwords: list[NewPassword] = []
    memberships = {m.pk: m for m in Membership.objects.filter(municipality=municipality)}
    for change in plan.changes:
        if change.action == Action.UNCHANGED:
            continue
        if change.user_id is None:
            user, password = user_create(
                username=change.username,
                full_name=change.user_values["last_name"],
                email=change.user_values["email"],
                active=change.user_values["is_active"],
                actor=actor,
            )
            if password:
                passwords.append(NewPassword(user.username, change.full_name, password))
        else:
            user = User.objects.get(pk=change.user_id)
            if change.user_values:
                user_update(user=user, changes=change.user_values, actor=actor, reason=reason)
            if change.user_values.get("is_active") and not user.has_usable_password():
                passwords.append(
                    NewPassword(
                        user.username, change.full_name, user_temporary_password_set(user=user, actor=actor)
                    )
                )
        for role_row in change.create:
            membership_create(
                user=user,
                municipality=municipality,
                role=role_row.role,
                department=role_row.department,
                section=role_row.section,
                valid_from=role_row.valid_from,
                valid_to=role_row.valid_to,
                actor=actor,
            )
        for membership_id, valid_from, valid_to in change.update:
            membership_update(
                membership=memberships[membership_id],
                valid_from=valid_from,
                valid_to=valid_to,
                actor=actor,
                reason=reason,
            )
    return passwords
