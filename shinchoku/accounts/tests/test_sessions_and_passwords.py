"""Argon2 for new passwords, eight-hour sessions that also end with the browser, CSRF on log-in."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.sessions.models import Session
from django.test import Client, override_settings
from django.utils import timezone

import shinchoku.settings as real_settings

REAL_HASHERS = real_settings.PASSWORD_HASHERS


def test_the_real_settings_put_argon2_first() -> None:
    assert REAL_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"


@override_settings(PASSWORD_HASHERS=REAL_HASHERS)
def test_a_new_password_is_hashed_with_argon2id(db: None) -> None:
    user = get_user_model().objects.create_user("suzuki", password="a-new-password-1")
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password("a-new-password-1")


@override_settings(PASSWORD_HASHERS=REAL_HASHERS)
def test_an_older_hash_is_upgraded_to_argon2_at_log_in(client: Client, db: None) -> None:
    user = get_user_model().objects.create(
        username="sato", password=make_password("an-old-password-1", hasher="pbkdf2_sha256")
    )
    assert user.password.startswith("pbkdf2_sha256$")
    response = client.post("/login/", {"username": "sato", "password": "an-old-password-1"})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")


def test_sessions_last_eight_hours_and_end_with_the_browser() -> None:
    assert settings.SESSION_COOKIE_AGE == 8 * 60 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True


@pytest.fixture
def logged_in_client(client: Client, db: None) -> Client:
    get_user_model().objects.create_user("kato", password="kato-password-1")
    response = client.post("/login/", {"username": "kato", "password": "kato-password-1"})
    assert response.status_code == 302
    return client


def test_the_session_cookie_is_a_browser_session_cookie(client: Client, db: None) -> None:
    get_user_model().objects.create_user("kato", password="kato-password-1")
    response = client.post("/login/", {"username": "kato", "password": "kato-password-1"})
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    # No Expires and no Max-Age: the browser forgets it when it closes.
    assert cookie["expires"] == "" and cookie["max-age"] == ""
    assert cookie["httponly"]


def test_an_expired_session_is_logged_out(logged_in_client: Client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    session = Session.objects.get()
    assert abs(session.expire_date - (timezone.now() + timedelta(hours=8))) < timedelta(minutes=1)
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=7, minutes=59))
    assert logged_in_client.get("/").context["user"].is_authenticated
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(hours=8, minutes=1))
    assert not logged_in_client.get("/").context["user"].is_authenticated


def test_log_in_and_log_out_refuse_a_post_without_csrf_token(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/login/", {"username": "x", "password": "y"}).status_code == 403
    assert client.post("/logout/").status_code == 403
