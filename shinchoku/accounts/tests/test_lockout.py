"""Log-in lockout: per username and per address, same answer whether the user exists or not."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.utils import timezone

from shinchoku.accounts.http import client_ip
from shinchoku.accounts.models import LoginFailure
from shinchoku.accounts.selectors import lockout_until

LOCKED = "Too many failed log-in attempts"
WRONG = "Please enter a correct username and password"


@pytest.fixture
def user(db: None):  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_user("tanaka", password="right-password-1")


def attempt(client: Client, username: str, password: str, ip: str = "192.0.2.10"):  # type: ignore[no-untyped-def]
    return client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE="en"
    )


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_lock_the_username_even_with_the_right_password(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        response = attempt(client, "tanaka", "wrong")
        assert response.status_code == 200 and WRONG in response.content.decode()
    response = attempt(client, "tanaka", "wrong")
    # The attempt that reaches the limit already says so.
    assert response.status_code == 429
    assert LOCKED in response.content.decode() and "15 minutes" in response.content.decode()
    response = attempt(client, "tanaka", "right-password-1")
    assert response.status_code == 429 and not logged_in(client)
    # Refused attempts are not counted: they do not extend the lockout.
    assert LoginFailure.objects.count() == 5


def test_an_unknown_username_is_locked_with_the_same_message(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    def main(response) -> str:  # type: ignore[no-untyped-def]
        page = response.content.decode()
        return page[page.index('<main id="main">') :].replace('name="csrfmiddlewaretoken"', "")

    known = [attempt(client, "tanaka", "wrong") for _ in range(5)][-1]
    unknown = [attempt(client, "nobody", "wrong", ip="192.0.2.11") for _ in range(5)][-1]
    assert known.status_code == unknown.status_code == 429
    assert LOCKED in main(known)
    # The pages differ only in the username typed back into the form (and the CSRF token).
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", main(known)) == strip.sub("", main(unknown))


def test_lockout_ends_after_fifteen_minutes(client: Client, user, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        attempt(client, "tanaka", "wrong")
    now = timezone.now()
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(minutes=14))
    assert attempt(client, "tanaka", "right-password-1").status_code == 429
    monkeypatch.setattr(timezone, "now", lambda: now + timedelta(minutes=15, seconds=1))
    assert attempt(client, "tanaka", "right-password-1").status_code == 302
    assert logged_in(client)


def test_failures_spread_over_more_than_the_window_do_not_lock(user) -> None:  # type: ignore[no-untyped-def]
    now = timezone.now()

    def failed(minutes_ago: int) -> None:
        failure = LoginFailure.objects.create(username="tanaka", ip="192.0.2.10")
        LoginFailure.objects.filter(pk=failure.pk).update(failed_at=now - timedelta(minutes=minutes_ago))

    for minutes_ago in (40, 30, 20, 10, 1):
        failed(minutes_ago)
    assert lockout_until(username="tanaka", ip=None, now=now) is None
    failed(5)
    failed(3)  # the last five: 1, 3, 5, 10, 20 minutes ago — over more than 15 minutes
    assert lockout_until(username="tanaka", ip=None, now=now) is None
    failed(0)  # 0, 1, 3, 5, 10: five within 15 minutes, locked for 15 minutes from the newest
    assert lockout_until(username="tanaka", ip=None, now=now) == now + timedelta(minutes=15)


def test_a_successful_log_in_resets_the_count(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        attempt(client, "tanaka", "wrong")
    assert attempt(client, "tanaka", "right-password-1").status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, "tanaka", "wrong").status_code == 200
    assert attempt(client, "tanaka", "right-password-1").status_code == 302
    # The failures stay on record, cleared.
    assert LoginFailure.objects.filter(cleared_at__isnull=False).count() == 8


def test_case_and_full_width_variants_count_as_one_username(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    for name in ("tanaka", "Tanaka", "TANAKA", "ｔａｎａｋａ", " tanaka"):
        attempt(client, name, "wrong")
    assert attempt(client, "tanaka", "right-password-1").status_code == 429
    assert set(LoginFailure.objects.values_list("username", flat=True)) == {"tanaka"}


@override_settings(LOGIN_FAILURE_LIMIT_PER_IP=8)
def test_one_address_trying_many_usernames_is_locked(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    for n in range(8):
        attempt(client, f"guess{n}", "wrong", ip="198.51.100.7")
    response = attempt(client, "tanaka", "right-password-1", ip="198.51.100.7")
    assert response.status_code == 429 and LOCKED in response.content.decode()
    # The same user from another address is not affected.
    assert attempt(client, "tanaka", "right-password-1", ip="198.51.100.8").status_code == 302


def test_the_address_limit_is_higher_than_the_username_limit(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    # A city hall reaches us through one proxy: a few colleagues' typos must not lock everyone.
    for n in range(6):
        attempt(client, f"colleague{n}", "wrong")
    assert attempt(client, "tanaka", "right-password-1").status_code == 302


def test_an_empty_form_is_not_counted(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    for _ in range(6):
        attempt(client, "tanaka", "")
    assert LoginFailure.objects.count() == 0


def test_failures_record_time_username_and_address(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    attempt(client, "Tanaka", "wrong", ip="2001:db8::1")
    failure = LoginFailure.objects.get()
    assert (failure.username, failure.ip, failure.cleared_at) == ("tanaka", "2001:db8::1", None)
    assert timezone.now() - failure.failed_at < timedelta(minutes=1)


def test_the_admin_log_in_counts_and_refuses_too(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    for _ in range(5):
        client.post("/admin/login/", {"username": "tanaka", "password": "wrong"}, REMOTE_ADDR="192.0.2.10")
    response = client.post(
        "/admin/login/",
        {"username": "tanaka", "password": "right-password-1"},
        REMOTE_ADDR="192.0.2.10",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert LOCKED in response.content.decode()


def test_a_non_staff_user_with_the_right_password_on_the_admin_is_not_a_failure(
    client: Client,
    user,  # type: ignore[no-untyped-def]
) -> None:
    client.post("/admin/login/", {"username": "tanaka", "password": "right-password-1"})
    assert LoginFailure.objects.count() == 0


class _Request:
    def __init__(self, remote: str, forwarded: str | None = None) -> None:
        self.META = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            self.META["HTTP_X_FORWARDED_FOR"] = forwarded


def test_client_address_ignores_forwarded_for_unless_proxies_are_trusted() -> None:
    request = _Request("10.0.0.1", "203.0.113.9")
    assert client_ip(request) == "10.0.0.1"  # type: ignore[arg-type]
    with override_settings(LOGIN_TRUSTED_PROXY_COUNT=1):
        # The client may write anything before the entry our proxy appended.
        assert client_ip(_Request("10.0.0.1", "1.2.3.4, 203.0.113.9")) == "203.0.113.9"  # type: ignore[arg-type]
        assert client_ip(_Request("10.0.0.1", "not-an-address")) == "10.0.0.1"  # type: ignore[arg-type]
        assert client_ip(_Request("10.0.0.1")) == "10.0.0.1"  # type: ignore[arg-type]
    with override_settings(LOGIN_TRUSTED_PROXY_COUNT=2):
        assert client_ip(_Request("10.0.0.2", "1.2.3.4, 203.0.113.9, 10.0.0.1")) == "203.0.113.9"  # type: ignore[arg-type]
