"""Log-in throttle: progressive waits per username, a softer limit per address, same answer whether the user exists or not."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.utils import timezone

from shinchoku.accounts.http import client_ip
from shinchoku.accounts.models import LoginFailure, LoginThrottle

LOCKED = "Too many failed log-in attempts"
WRONG = "Please enter a correct username and password"


@pytest.fixture
def user(db: None):  # type: ignore[no-untyped-def]
    return get_user_model().objects.create_user("tanaka", password="right-password-1")


def attempt(client: Client, username: str, password: str, ip: str = "192.0.2.10", language: str = "en"):  # type: ignore[no-untyped-def]
    return client.post(
        "/login/", {"username": username, "password": password}, REMOTE_ADDR=ip, HTTP_ACCEPT_LANGUAGE=language
    )


def logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_make_the_username_wait_even_with_the_right_password(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    for _ in range(4):
        response = attempt(client, "tanaka", "wrong")
        assert response.status_code == 200 and WRONG in response.content.decode()
    response = attempt(client, "tanaka", "wrong")
    # The attempt that starts the wait already says so: one minute after five failures.
    assert response.status_code == 429
    assert LOCKED in response.content.decode() and "1 minutes" in response.content.decode()
    response = attempt(client, "tanaka", "right-password-1")
    assert response.status_code == 429 and not logged_in(client)
    # Refused attempts are not counted: they do not extend the wait.
    assert LoginFailure.objects.count() == 5
    assert LoginThrottle.objects.get(username="tanaka").failures == 5


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


class Clock:
    """timezone.now() under the test's control."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def test_each_further_failure_doubles_the_wait_up_to_fifteen_minutes(
    client: Client, user, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(monkeypatch)
    for _ in range(5):
        attempt(client, "tanaka", "wrong")
    for minutes in (1, 2, 4, 8, 15, 15):
        throttle = LoginThrottle.objects.get(username="tanaka")
        assert throttle.wait_until == clock.now + timedelta(minutes=minutes)
        clock.advance(minutes=minutes, seconds=-1)
        assert attempt(client, "tanaka", "right-password-1").status_code == 429  # still waiting
        clock.advance(seconds=1)
        response = attempt(client, "tanaka", "wrong")  # the wait is over: one more try, checked
        assert response.status_code == 429
    # Nobody holds the account longer than the longest wait: when it ends, the right password logs in.
    clock.advance(minutes=15)
    assert attempt(client, "tanaka", "right-password-1").status_code == 302 and logged_in(client)
    # A successful log-in resets: five free attempts again.
    assert LoginThrottle.objects.get(username="tanaka").failures == 0


def test_a_quiet_window_forgives_earlier_failures(
    client: Client, user, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    clock = Clock(monkeypatch)
    for _ in range(4):
        attempt(client, "tanaka", "wrong")
    clock.advance(minutes=15)
    for _ in range(4):
        assert attempt(client, "tanaka", "wrong").status_code == 200
    # Within the window the count goes on: the fifth in a row starts a wait.
    clock.advance(minutes=14)
    assert attempt(client, "tanaka", "wrong").status_code == 429


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
def test_a_right_password_from_a_throttled_address_logs_in(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    # Behind a city-hall proxy everyone shares one address: its failures must not lock colleagues out.
    for n in range(8):
        attempt(client, f"guess{n}", "wrong", ip="198.51.100.7")
    response = attempt(client, "tanaka", "right-password-1", ip="198.51.100.7")
    assert response.status_code == 302 and logged_in(client)


@override_settings(LOGIN_FAILURE_LIMIT_PER_IP=8)
def test_a_throttled_address_gets_no_free_wrong_passwords(client: Client, user) -> None:  # type: ignore[no-untyped-def]
    for n in range(8):
        attempt(client, f"guess{n}", "wrong", ip="198.51.100.7")
    # From the throttled address the first wrong password already makes the username wait, and says why.
    response = attempt(client, "tanaka", "wrong", ip="198.51.100.7", language="en")
    assert response.status_code == 429 and "your network" in response.content.decode()
    assert attempt(client, "tanaka", "wrong", ip="198.51.100.8").status_code == 429
    # From another address, another username still has its free attempts.
    assert attempt(client, "guest", "wrong", ip="198.51.100.8").status_code == 200


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
