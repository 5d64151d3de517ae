"""Setting up the municipality: the command, and the first-run page for the system administrator."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from shinchoku.core.models import AuditEvent
from shinchoku.organizations.models import Membership, Municipality, Role

ISEHARA = ["--code", "142140", "--name", "伊勢原市", "--prefecture", "神奈川県", "--slug", "isehara"]
FORM = {"code": "142140", "prefecture": "神奈川県", "name": "伊勢原市", "slug": "isehara"}


def test_the_command_creates_the_municipality_and_audits_it(db: None, capsys) -> None:  # type: ignore[no-untyped-def]
    call_command("municipality_create", *ISEHARA)
    municipality = Municipality.objects.get()
    assert (municipality.code, municipality.name, municipality.prefecture, municipality.slug) == (
        "142140",
        "伊勢原市",
        "神奈川県",
        "isehara",
    )
    assert "神奈川県伊勢原市" in capsys.readouterr().out
    assert AuditEvent.objects.filter(
        object_id=str(municipality.pk), field="code", new_value="142140"
    ).exists()


def test_a_wrong_check_digit_is_refused(db: None) -> None:
    with pytest.raises(CommandError) as error:
        call_command("municipality_create", "--code", "142141", *ISEHARA[2:])
    assert "142141" in str(error.value)
    assert not Municipality.objects.exists()


def test_a_duplicate_code_or_slug_is_refused_naming_the_holder(db: None) -> None:
    call_command("municipality_create", *ISEHARA)
    with translation.override("en"), pytest.raises(CommandError) as error:
        call_command("municipality_create", *ISEHARA[:6], "--slug", "isehara2")
    assert "142140 is already used by 神奈川県伊勢原市" in str(error.value)
    with pytest.raises(CommandError) as error:
        call_command("municipality_create", "--code", "131016", *ISEHARA[2:])
    assert "isehara" in str(error.value)
    assert Municipality.objects.count() == 1


def test_the_admin_option_makes_a_planning_administrator(db: None) -> None:
    admin = get_user_model().objects.create_superuser("root", password="root-password-1")
    call_command("municipality_create", *ISEHARA, "--admin", "root")
    assert Membership.objects.get(user=admin).role == Role.PLANNING_ADMIN
    with pytest.raises(CommandError):
        call_command("municipality_create", "--code", "131016", "--name", "千代田区", "--prefecture", "東京都",
                     "--slug", "chiyoda", "--admin", "nobody")  # fmt: skip
    assert Municipality.objects.count() == 1


def test_the_command_exits_non_zero_on_error(tmp_path: Path) -> None:
    # A real process with its own throw-away database: the exit status a script sees.
    database = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    env = {"SHINCHOKU_ENV": "development", "DATABASE_URL": database, "PATH": "/usr/bin:/bin"}
    manage = Path(__file__).resolve().parents[3] / "manage.py"
    subprocess.run([sys.executable, str(manage), "migrate", "-v0"], env=env, check=True)
    bad = subprocess.run(
        [sys.executable, str(manage), "municipality_create", "--code", "142141", *ISEHARA[2:]],
        env=env,
        capture_output=True,
        text=True,
    )
    assert bad.returncode != 0 and "142141" in bad.stderr


# The first-run page


@pytest.fixture
def root(db: None):  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_superuser("root", password="root-password-1")


def test_home_without_a_municipality_leads_to_the_setup_page(client: Client, db: None) -> None:
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No municipality has been set up yet." in page
    assert 'href="/setup/"' in page


def test_home_with_a_municipality_does_not(client: Client, municipality: Municipality) -> None:
    assert 'href="/setup/"' not in client.get("/").content.decode()


def test_anonymous_is_sent_to_log_in(client: Client, db: None) -> None:
    response = client.get("/setup/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=/setup/")


def test_only_a_superuser_may_set_up(client: Client, db: None) -> None:
    client.force_login(get_user_model().objects.create_user("clerk", password="clerk-password-1"))
    assert client.get("/setup/").status_code == 403
    assert client.post("/setup/", FORM).status_code == 403
    assert not Municipality.objects.exists()


def test_the_superuser_sets_up_and_becomes_planning_administrator(client: Client, root) -> None:  # type: ignore[no-untyped-def]
    client.force_login(root)
    assert client.get("/setup/").status_code == 200
    response = client.post("/setup/", {**FORM, "code": "１４２１４０"})  # typed through an IME
    assert response.status_code == 302 and response["Location"] == "/m/isehara/organization/"
    municipality = Municipality.objects.get()
    assert municipality.code == "142140"
    membership = Membership.objects.get(user=root)
    assert (membership.municipality, membership.role) == (municipality, Role.PLANNING_ADMIN)
    # They can continue: the organisation master page is theirs now.
    assert client.get("/m/isehara/organization/").status_code == 200
    assert AuditEvent.objects.filter(actor=root, object_id=str(membership.pk)).exists()


def test_the_page_refuses_a_wrong_check_digit(client: Client, root) -> None:  # type: ignore[no-untyped-def]
    client.force_login(root)
    response = client.post("/setup/", {**FORM, "code": "142141"})
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert not Municipality.objects.exists()


def test_the_page_is_gone_once_a_municipality_exists(
    client: Client, root, municipality: Municipality
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(root)
    assert client.get("/setup/").status_code == 404
    assert client.post("/setup/", FORM).status_code == 404
    client.logout()
    assert client.get("/setup/").status_code == 404
    assert Municipality.objects.count() == 1
