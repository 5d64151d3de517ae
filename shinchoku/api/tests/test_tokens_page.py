"""「APIアクセストークン」: staff make, list and revoke their own tokens; only a hash is kept; audited."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import User
from django.test import Client

from shinchoku.api.models import AccessToken
from shinchoku.core.models import AuditEvent

from .conftest import client_for, make_token

PAGE = "/account/tokens/"


def make(client: Client, **data: str) -> str:
    """Make a token through the page; the secret shown once."""
    form = {"name": "実績の一括登録", "scope": "read_write", "lifetime_days": "90", **data}
    response = client.post(PAGE, form, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200, response.content
    assert response["Cache-Control"].startswith("max-age=0")
    return str(response.context["new"].secret)


def test_the_page_needs_a_log_in(client: Client, db: None) -> None:
    response = client.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert client.post(PAGE, {"name": "x", "scope": "read", "lifetime_days": "30"}).status_code == 302
    assert not AccessToken.objects.exists()


def test_a_token_is_shown_once_kept_as_a_hash_and_audited(client: Client, staff: User) -> None:
    client.force_login(staff)
    secret = make(client)
    assert secret.startswith("shk_") and len(secret) > 40
    token = AccessToken.objects.get()
    assert token.user == staff and token.scope == "read_write"
    assert token.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12] and secret not in str(token.__dict__)
    # The audit log says who made which token, with its name and scope, never the secret.
    events = AuditEvent.objects.filter(object_id=str(token.pk), content_type__model="accesstoken")
    assert {e.field for e in events} >= {"", "name", "scope", "expires_at"}
    assert all(e.actor == staff for e in events)
    assert not any(secret in (e.new_value or "") or secret in e.object_repr for e in events)
    # Later, the page lists the token by its beginning only.
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "実績の一括登録" in page and token.prefix in page and secret not in page
    # The token works, as its user.
    assert client_for(secret).get("/api/v1/me/").json()["username"] == "staff"


def test_a_revoked_token_stops_at_once_and_the_revocation_is_audited(client: Client, staff: User) -> None:
    client.force_login(staff)
    secret = make(client)
    token = AccessToken.objects.get()
    response = client.post(f"{PAGE}{token.pk}/revoke/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 302 and response["Location"] == PAGE
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(object_id=str(token.pk), field="revoked_at", actor=staff).exists()
    assert client_for(secret).get("/api/v1/me/").status_code == 401
    # Revoking again changes nothing and records nothing more.
    client.post(f"{PAGE}{token.pk}/revoke/")
    assert AuditEvent.objects.filter(object_id=str(token.pk), field="revoked_at").count() == 1
    assert client.get(f"{PAGE}{token.pk}/revoke/").status_code == 405


def test_nobody_lists_or_revokes_anothers_token(client: Client, staff: User, planner: User) -> None:
    client.force_login(staff)
    secret = make(client)
    token = AccessToken.objects.get()
    client.force_login(planner)
    assert token.prefix not in client.get(PAGE).content.decode()
    assert client.post(f"{PAGE}{token.pk}/revoke/").status_code == 404
    assert client_for(secret).get("/api/v1/me/").status_code == 200


def test_a_wrong_form_says_what_to_correct(client: Client, staff: User) -> None:
    client.force_login(staff)
    response = client.post(
        PAGE, {"name": "", "scope": "admin", "lifetime_days": "10000"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"name", "scope", "lifetime_days"}
    assert 'class="error-summary"' in response.content.decode()
    assert not AccessToken.objects.exists()


def test_the_page_lists_read_only_expired_and_revoked_tokens(client: Client, staff: User, tokens) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    page = client.get(PAGE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for name in ("read only", "revoked", "expired"):
        assert name in page
    assert "Revoked (" in page and "Expired" in page and "Read only" in page.replace("read only", "Read only")


def test_a_system_administrator_revokes_tokens_in_the_admin(client: Client, staff: User) -> None:
    secret = make_token(staff)
    admin = User.objects.create_superuser("root", password="persona-password-1")
    client.force_login(admin)
    assert client.get("/admin/api/accesstoken/").status_code == 200
    token = AccessToken.objects.get()
    response = client.post(
        "/admin/api/accesstoken/", {"action": "revoke", "_selected_action": [token.pk]}, follow=True
    )
    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(object_id=str(token.pk), field="revoked_at")
    assert (event.actor, event.actor_label) == (admin, "admin")
    assert client_for(secret).get("/api/v1/me/").status_code == 401
