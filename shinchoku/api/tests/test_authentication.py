"""Token authentication, rate limits, and errors in one JSON shape."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from rest_framework.test import APIClient

from shinchoku.api.models import AccessToken

from .conftest import client_for, make_token


def header(value: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=value)
    return client


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("Bearer", "Send the token as"),
        ("Bearer one two", "Send the token as"),
        ("Bearer shk_not-a-token", "unknown"),
        ("Bearer ないトークン", "unknown"),
    ],
)
def test_a_malformed_or_unknown_token_is_a_401_that_says_why(municipality, value: str, message: str) -> None:  # type: ignore[no-untyped-def]
    response = header(value).get("/api/v1/municipalities/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    body = response.json()
    assert body["code"] == "authentication_failed" and message in body["message"]
    assert body["field"] is None and body["errors"][0]["code"] == "authentication_failed"


def test_without_a_token_public_data_answers_and_staff_data_asks_for_one(municipality) -> None:  # type: ignore[no-untyped-def]
    # Another scheme (Basic, Token) is not ours: the request is anonymous.
    client = header("Basic c3RhZmY6cGFzc3dvcmQ=")
    assert client.get("/api/v1/municipalities/").status_code == 200
    response = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401 and response.json()["code"] == "not_authenticated"


def test_a_user_who_may_no_longer_log_in_has_no_working_token(staff: User) -> None:
    secret = make_token(staff)
    staff.is_active = False
    staff.save()
    response = client_for(secret).get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401 and "can no longer log in" in response.json()["message"]


def test_the_last_use_is_noted_at_most_once_a_minute(staff: User) -> None:
    secret = make_token(staff)
    token = AccessToken.objects.get()
    assert token.last_used_at is None
    client = client_for(secret)
    client.get("/api/v1/me/")
    token.refresh_from_db()
    first = token.last_used_at
    assert first is not None
    client.get("/api/v1/me/")
    token.refresh_from_db()
    assert token.last_used_at == first
    AccessToken.objects.filter(pk=token.pk).update(last_used_at=first - timedelta(minutes=2))
    client.get("/api/v1/me/")
    token.refresh_from_db()
    assert token.last_used_at > first - timedelta(seconds=1)


def test_a_token_that_expires_now_is_refused(staff: User) -> None:
    secret = make_token(staff)
    AccessToken.objects.update(expires_at=timezone.now())
    assert client_for(secret).get("/api/v1/me/").status_code == 401


def _rates(settings: Any, **rates: str) -> None:
    defaults = {"anonymous": "1000/minute", "token": "1000/minute", "token_write": "1000/minute"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**defaults, **rates}}


def test_anonymous_clients_are_limited_per_address(municipality, staff: User, settings) -> None:  # type: ignore[no-untyped-def]
    _rates(settings, anonymous="3/minute")
    client = APIClient()
    assert [client.get("/api/v1/municipalities/").status_code for _ in range(3)] == [200, 200, 200]
    refused = client.get("/api/v1/municipalities/", HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    body = refused.json()
    assert body["code"] == "throttled" and body["retry_after"] == int(refused["Retry-After"])
    # Another client address, or a token, has its own count.
    assert client.get("/api/v1/municipalities/", REMOTE_ADDR="10.0.0.2").status_code == 200
    assert client_for(make_token(staff)).get("/api/v1/municipalities/").status_code == 200


def test_a_client_chosen_forwarded_address_does_not_escape_the_limit(municipality, settings) -> None:  # type: ignore[no-untyped-def]
    _rates(settings, anonymous="2/minute")
    client = APIClient()
    statuses = [
        client.get("/api/v1/municipalities/", HTTP_X_FORWARDED_FOR=f"192.0.2.{i}").status_code
        for i in range(3)
    ]
    assert statuses == [200, 200, 429]


def test_tokens_are_limited_per_token_and_writes_more_strictly(work, tokens, settings) -> None:  # type: ignore[no-untyped-def]
    _rates(settings, token="4/minute", token_write="1/minute")
    staff = client_for(tokens["staff"])
    url = f"/api/v1/municipalities/midori/rounds/{work.request.round_id}/sections/{work.request.section_id}/"
    entry = f"{url}entries/{work.entry.pk}/"
    assert staff.patch(entry, {"text": "一回目", "version": 1}, format="json").status_code == 200
    assert staff.patch(entry, {"text": "二回目", "version": 2}, format="json").status_code == 429
    assert [staff.get(url).status_code for _ in range(3)] == [200, 200, 429]  # four a minute

    assert client_for(tokens["planner"]).get(url).status_code == 200


def test_errors_share_one_json_shape(work, tokens) -> None:  # type: ignore[no-untyped-def]
    staff = client_for(tokens["staff"])
    url = f"/api/v1/municipalities/midori/rounds/{work.request.round_id}/sections/{work.request.section_id}/"
    checks = {
        404: staff.get(f"{url}entries/999999/"),
        403: client_for(tokens["viewer"]).get("/api/v1/municipalities/midori/rounds/"),
        405: staff.put(url, {}, format="json"),
        415: staff.post(f"{url}rows/{work.row.pk}/entries/", "text", content_type="text/plain"),
        400: staff.get("/api/v1/municipalities/midori/rounds/?status=someday"),
    }
    for status, response in checks.items():
        assert response.status_code == status
        body = response.json()
        assert set(body) >= {"status", "code", "message", "field", "errors"}, body
        assert body["status"] == status and body["message"] and body["errors"]
    assert checks[400].json()["field"] == "status"
