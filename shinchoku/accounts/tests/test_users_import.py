"""Users in bulk from a file: create with a temporary password, re-import, deactivate, refuse bad rows."""

from __future__ import annotations

import io
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone, translation
from openpyxl import Workbook

from shinchoku.accounts.models import PasswordChangeRequired
from shinchoku.accounts.roster import roster_apply, roster_plan, roster_read
from shinchoku.core.audit import Actor
from shinchoku.core.eras import parse_date
from shinchoku.core.models import AuditEvent
from shinchoku.core.tables import TableError
from shinchoku.organizations.models import Department, Membership, Municipality, Role, Section
from shinchoku.organizations.services import section_create

HEADER = "ユーザー名,氏名,メール,役割,部,課,有効開始日,有効終了日"
SAMPLES = Path(__file__).resolve().parents[3] / "docs" / "samples"
TODAY = timezone.localdate()
PAST = (TODAY - timedelta(days=30)).isoformat()
ROWS = (
    "yamada,山田 花子,yamada@city.example,企画課管理者,,,2024-04-01,",
    "sato,佐藤 一郎,,部長,企画部,,,",
    "suzuki,鈴木 次郎,suzuki@city.example,課長,企画部,企画政策課,令和6年4月1日,",
    "takahashi,高橋 美咲,,担当,,企画政策課,R6.4.1,",
    "takahashi,高橋 美咲,,担当,,会計課,,",
    "ito,伊藤 直子,,外部評価委員,,,,",
    "watanabe,渡辺 誠,,viewer,,,,",
)


def csv(*lines: str, encoding: str = "utf-8-sig") -> bytes:
    return "\r\n".join((HEADER, *lines)).encode(encoding)


@pytest.fixture
def city(municipality: Municipality, section: Section, actor: Actor) -> Municipality:
    """企画部 / 企画政策課 (from conftest), and 会計課 outside any department."""
    section_create(municipality=municipality, name="会計課", actor=actor)
    return municipality


def run(municipality: Municipality, data: bytes, actor: Actor, **options: bool):  # type: ignore[no-untyped-def]
    roster = roster_read(data, source="users.csv", municipality=municipality)
    plan = roster_plan(municipality=municipality, roster=roster, **options)
    return plan, roster_apply(municipality=municipality, plan=plan, actor=actor)


def problems(municipality: Municipality, data: bytes) -> list[tuple[int | None, str]]:
    with pytest.raises(TableError) as error:
        roster_read(data, source="users.csv", municipality=municipality)
    return [(p.line, p.column) for p in error.value.problems]


def test_users_are_created_with_their_roles_and_a_temporary_password(
    city: Municipality, actor: Actor
) -> None:
    plan, passwords = run(city, csv(*ROWS), actor)
    assert plan.counts()["new"] == 6
    assert {p.username for p in passwords} == {"yamada", "sato", "suzuki", "takahashi", "ito", "watanabe"}
    yamada = User.objects.get(username="yamada")
    assert yamada.get_full_name() == "山田 花子" and yamada.email == "yamada@city.example"
    assert yamada.check_password(next(p.password for p in passwords if p.username == "yamada"))
    assert PasswordChangeRequired.objects.count() == 6
    roles = {
        (
            m.user.username,
            m.role,
            m.department and m.department.name,
            m.section and m.section.name,
            m.valid_from,
        )
        for m in Membership.objects.select_related("user", "department", "section")
    }
    assert roles == {
        ("yamada", Role.PLANNING_ADMIN, None, None, date(2024, 4, 1)),
        ("sato", Role.DEPARTMENT_HEAD, "企画部", None, None),
        ("suzuki", Role.SECTION_HEAD, None, "企画政策課", date(2024, 4, 1)),
        ("takahashi", Role.SECTION_STAFF, None, "企画政策課", date(2024, 4, 1)),
        ("takahashi", Role.SECTION_STAFF, None, "会計課", None),
        ("ito", Role.EVALUATOR, None, None, None),
        ("watanabe", Role.VIEWER, None, None, None),
    }
    # Audited: the user and each membership, never the password.
    assert AuditEvent.objects.filter(object_repr="yamada", field="last_name", new_value="山田 花子").exists()
    assert not AuditEvent.objects.filter(field="password").exists()


def test_reimporting_the_same_file_changes_nothing(city: Municipality, actor: Actor) -> None:
    run(city, csv(*ROWS), actor)
    before = AuditEvent.objects.count()
    plan, passwords = run(city, csv(*ROWS), actor)
    assert not plan.changed and passwords == []
    assert AuditEvent.objects.count() == before


def test_a_past_end_date_deactivates_and_end_dates_but_never_deletes(
    city: Municipality, actor: Actor
) -> None:
    run(city, csv(*ROWS), actor)
    lines = [*ROWS[:3], ROWS[3].replace("R6.4.1,", f"R6.4.1,{PAST}"), *ROWS[4:]]
    plan, _ = run(city, csv(*lines), actor)
    assert [c.username for c in plan.changes if c.action == "changed"] == ["takahashi"]  # still 会計課
    lines = [
        line.replace(",2024-04-01,", f",2024-04-01,{PAST}") if line.startswith("yamada") else line
        for line in ROWS
    ]
    plan, _ = run(city, csv(*lines), actor)
    assert [c.username for c in plan.changes if c.action == "deactivated"] == ["yamada"]
    yamada = User.objects.get(username="yamada")
    assert not yamada.is_active
    assert Membership.objects.get(user=yamada).valid_to == date.fromisoformat(PAST)
    assert AuditEvent.objects.filter(object_repr="yamada", field="is_active", new_value="false").exists()
    # The same file again: nothing more.
    assert not run(city, csv(*lines), actor)[0].changed


def test_users_missing_from_the_file_are_deactivated_only_when_asked(
    city: Municipality, actor: Actor
) -> None:
    run(city, csv(*ROWS), actor)
    shorter = csv(*ROWS[1:])
    plan, _ = run(city, shorter, actor)
    assert not plan.changed and User.objects.get(username="yamada").is_active
    plan, _ = run(city, shorter, actor, deactivate_missing=True)
    assert [(c.username, c.action) for c in plan.changes if c.action != "unchanged"] == [
        ("yamada", "deactivated")
    ]
    yamada = User.objects.get(username="yamada")
    assert not yamada.is_active
    assert Membership.objects.get(user=yamada).valid_to == TODAY - timedelta(days=1)
    assert User.objects.filter(username="yamada").exists()  # history keeps the name


def test_a_role_dropped_from_the_file_ends_and_a_returning_user_is_reactivated(
    city: Municipality, actor: Actor
) -> None:
    run(city, csv(*ROWS), actor)
    without_accounting = [line for line in ROWS if "会計課" not in line]
    run(city, csv(*without_accounting), actor)
    ended = Membership.objects.get(section__name="会計課")
    assert ended.valid_to == TODAY - timedelta(days=1) and User.objects.get(username="takahashi").is_active
    # Back in the file: a new membership (the ended one stays as history).
    run(city, csv(*ROWS), actor)
    assert Membership.objects.filter(section__name="会計課").count() == 2


def test_superusers_and_people_with_roles_elsewhere_stay_active(
    city: Municipality, other_municipality: Municipality, actor: Actor
) -> None:
    run(city, csv(*ROWS), actor)
    User.objects.filter(username="sato").update(is_superuser=True)
    Membership.objects.create(
        user=User.objects.get(username="ito"), municipality=other_municipality, role=Role.VIEWER
    )
    run(city, csv(ROWS[0]), actor, deactivate_missing=True)
    assert User.objects.get(username="sato").is_active and User.objects.get(username="ito").is_active
    assert not User.objects.get(username="watanabe").is_active
    assert Membership.objects.get(user__username="ito", municipality=city).valid_to is not None


def test_errors_name_the_line_and_the_column(city: Municipality) -> None:
    data = csv(
        "a b,名前,,担当,,企画政策課,,",  # a space in the user name
        "b,,,担当,,企画政策課,,",  # no name
        "c,名前,not-mail,担当,,企画政策課,,",  # bad e-mail
        "d,名前,,社長,,,,",  # unknown role
        "e,名前,,部長,,,,",  # a 部長 without 部
        "f,名前,,課長,,,,",  # a 課長 without 課
        "g,名前,,担当,,存在しない課,,",  # unknown section
        "h,名前,,担当,総務部,企画政策課,,",  # unknown department
        "i,名前,,担当,,企画政策課,2024-13-01,",  # no such date
        "j,名前,,担当,,企画政策課,2024-04-01,2024-03-31",  # ends before it starts
        "k,名前,,担当,,企画政策課,,",
        "k,別の名前,,課長,,企画政策課,,",  # the same user with another name
    )
    assert problems(city, data) == [
        (2, "ユーザー名"),
        (3, "氏名"),
        (4, "メール"),
        (5, "役割"),
        (6, "部"),
        (7, "課"),
        (8, "課"),
        (9, "部"),
        (10, "有効開始日"),
        (11, "有効終了日"),
        (13, "氏名"),
    ]


def test_a_section_not_in_its_department_is_refused(city: Municipality, actor: Actor) -> None:
    Department.objects.create(municipality=city, name="総務部")
    assert problems(city, csv("a,名前,,担当,総務部,企画政策課,,")) == [(2, "課")]


def test_a_bad_row_imports_nothing(city: Municipality, tmp_path: Path) -> None:
    path = tmp_path / "users.csv"
    path.write_bytes(csv(*ROWS, "zz,名前,,社長,,,,"))
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("users_import", str(path), "--municipality", "midori")
    assert "users.csv: line 9, column 役割: 社長 is not a role" in str(error.value)
    assert not User.objects.exists() and not Membership.objects.exists()


def test_the_command_prints_the_plan_and_each_temporary_password_once(
    city: Municipality, tmp_path: Path
) -> None:
    path = tmp_path / "users.csv"
    path.write_bytes(csv(*ROWS, encoding="cp932"))
    out = io.StringIO()
    with translation.override("en"):
        call_command("users_import", str(path), "--municipality", "midori", "--dry-run", stdout=out)
    assert (
        "Added 6, Changed 0, Deactivated 0, Unchanged 0" in out.getvalue()
        and "Temporary passwords" not in out.getvalue()
    )
    assert not User.objects.exists()
    out = io.StringIO()
    call_command("users_import", str(path), "--municipality", "992011", stdout=out)
    listing = out.getvalue().split("Temporary passwords", 1)[1]
    found = dict(re.findall(r"^  (\S+)\s+(\S+-\S+-\S+)\s", listing, re.M))
    assert set(found) == {"yamada", "sato", "suzuki", "takahashi", "ito", "watanabe"}
    assert User.objects.get(username="suzuki").check_password(found["suzuki"])
    out = io.StringIO()
    call_command("users_import", str(path), "--municipality", "midori", stdout=out)
    assert "Temporary passwords" not in out.getvalue()


def test_xlsx_with_date_cells(city: Municipality, actor: Actor) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER.split(","))
    sheet.append(["kimura", "木村 拓", None, "課長", None, "企画政策課", date(2024, 4, 1), None])
    data = io.BytesIO()
    workbook.save(data)
    run(city, data.getvalue(), actor)
    assert Membership.objects.get(user__username="kimura").valid_from == date(2024, 4, 1)


def test_the_sample_files_set_up_a_city(db: None, actor: Actor, tmp_path: Path) -> None:
    call_command("municipality_create", "--code", "992038", "--name", "かえで市", "--prefecture", "架空県",
                 "--slug", "kaede")  # fmt: skip
    call_command("organization_import", str(SAMPLES / "organization.csv"), "--municipality", "kaede")
    out = io.StringIO()
    call_command("users_import", str(SAMPLES / "users.csv"), "--municipality", "kaede", stdout=out)
    assert Section.objects.filter(department__isnull=True).count() == 5
    assert User.objects.filter(is_active=True).count() == 8
    assert not User.objects.get(username="kaede-taishoku1").is_active


@pytest.mark.parametrize(
    ("text", "day"),
    [("2024-04-01", date(2024, 4, 1)), ("2024/4/1", date(2024, 4, 1)), ("令和元年5月1日", date(2019, 5, 1)),
     ("R6.4.1", date(2024, 4, 1)), ("Ｈ３１．４．３０", date(2019, 4, 30))],
)  # fmt: skip
def test_dates_as_city_halls_write_them(text: str, day: date) -> None:
    assert parse_date(text) == day


def test_new_users_log_in_only_to_change_their_password(
    client: Client, city: Municipality, actor: Actor
) -> None:
    _plan, passwords = run(city, csv(ROWS[0]), actor)
    temporary = passwords[0].password
    response = client.post("/login/", {"username": "yamada", "password": temporary})
    assert response.status_code == 302
    response = client.get("/m/midori/")
    assert response.status_code == 302 and response["Location"].startswith("/account/password/?next=")
    assert get_user_model().objects.get(username="yamada").is_active
