"""「パスワード変更」 for everyone, and the forced change after a temporary password."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.test import Client

from shinchoku.accounts.models import PasswordChangeRequired
from shinchoku.accounts.services import user_create
from shinchoku.core.audit import Actor
from shinchoku.core.models import AuditEvent
from shinchoku.organizations.models import Municipality

NEW_PASSWORD = "kawa-no-nagare-2026"


@pytest.fixture
def newcomer(municipality: Municipality, actor: Actor) -> tuple[User, str]:
    user, password = user_create(
        username="newcomer", full_name="新井 はじめ", email="", active=True, actor=actor
    )
    assert password is not None
    return user, password


def log_in(client: Client, username: str, password: str) -> None:
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content


def change(client: Client, old: str, new: str = NEW_PASSWORD, **extra: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/account/password/", {"old_password": old, "new_password1": new, "new_password2": new, **extra}
    )


def test_a_temporary_password_leads_every_page_to_the_password_change(
    client: Client, newcomer: tuple[User, str], municipality: Municipality
) -> None:
    _user, temporary = newcomer
    log_in(client, "newcomer", temporary)
    for url in ("/", "/m/midori/", "/m/midori/organization/", "/p/midori/", "/admin/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/account/password/?next="), url
    page = client.get("/account/password/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and page.context["required"]
    assert "temporary password" in page.content.decode()
    # htmx requests are sent there too, as a full-page navigation.
    response = client.get("/m/midori/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/account/password/")
    # Log-out and the language switch stay open.
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    assert client.post("/logout/").status_code == 302


def test_after_the_change_the_user_goes_on_and_the_change_is_audited(
    client: Client, newcomer: tuple[User, str], municipality: Municipality
) -> None:
    user, temporary = newcomer
    log_in(client, "newcomer", temporary)
    response = change(client, temporary, next="/m/midori/")
    assert response.status_code == 302 and response["Location"] == "/m/midori/"
    assert client.get("/m/midori/").status_code == 200  # still logged in, no more detour
    assert not PasswordChangeRequired.objects.filter(user=user).exists()
    assert AuditEvent.objects.filter(action="delete", object_repr="newcomer", actor=user).exists()
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    # The next log-in goes straight through.
    client.logout()
    log_in(client, "newcomer", NEW_PASSWORD)
    assert client.get("/").status_code == 200


def test_the_temporary_password_cannot_be_kept(client: Client, newcomer: tuple[User, str]) -> None:
    user, temporary = newcomer
    log_in(client, "newcomer", temporary)
    response = change(client, temporary, new=temporary)
    assert response.status_code == 200 and response.context["form"].errors
    assert PasswordChangeRequired.objects.filter(user=user).exists()
    assert client.get("/").status_code == 302


def test_a_weak_or_wrong_password_is_refused(client: Client, newcomer: tuple[User, str]) -> None:
    _user, temporary = newcomer
    log_in(client, "newcomer", temporary)
    assert change(client, temporary, new="12345").status_code == 200  # too short, numeric
    assert change(client, "not-the-password").status_code == 200
    assert client.get("/").status_code == 302


def test_an_external_next_is_ignored(client: Client, newcomer: tuple[User, str]) -> None:
    _user, temporary = newcomer
    log_in(client, "newcomer", temporary)
    response = change(client, temporary, next="https://evil.example/")
    assert response.status_code == 302 and response["Location"] == "/"


def test_an_ordinary_user_changes_their_password_from_the_navigation(client: Client, planner) -> None:  # type: ignore[no-untyped-def]
    log_in(client, "planner", "persona-password-1")
    assert client.get("/").status_code == 200  # no detour without a temporary password
    assert 'href="/account/password/"' in client.get("/").content.decode()
    page = client.get("/account/password/")
    assert page.status_code == 200 and not page.context["required"]
    response = change(client, "persona-password-1")
    assert response.status_code == 302
    planner.refresh_from_db()
    assert planner.check_password(NEW_PASSWORD)


def test_anonymous_is_sent_to_log_in(client: Client, db: None) -> None:
    response = client.get("/account/password/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_forgotten_password_is_replaced_by_a_temporary_one(client: Client, planner) -> None:  # type: ignore[no-untyped-def]
    out = io.StringIO()
    call_command("user_password_reset", "planner", stdout=out)
    temporary = out.getvalue().rsplit(": ", 1)[1].strip()
    log_in(client, "planner", temporary)
    assert client.get("/").status_code == 302
    assert change(client, temporary).status_code == 302
    assert client.get("/").status_code == 200
