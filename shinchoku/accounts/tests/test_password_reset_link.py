"""The planning section e-mails a user a one-time link to set a new password."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.auth.models import User
from django.core import mail
from django.test import Client, override_settings
from django.utils import translation
from django.utils.translation import gettext

from shinchoku.accounts.models import LoginThrottle, PasswordChangeRequired, PasswordResetIssue
from shinchoku.core.models import AuditEvent
from shinchoku.organizations.models import Membership, Municipality, Section

NEW_PASSWORD = "aki-no-sora-2026"


@pytest.fixture
def clerk(municipality: Municipality, section: Section) -> User:
    user = User.objects.create_user(
        "sato", password="forgotten-password-1", email="sato@city.midori.example", last_name="佐藤 花子"
    )
    Membership.objects.create(user=user, municipality=municipality, role="section_staff", section=section)
    PasswordChangeRequired.objects.create(user=user)  # she still had a temporary password
    return user


def users_url(slug: str = "midori") -> str:
    return f"/m/{slug}/users/"


def send_url(user: User, slug: str = "midori") -> str:
    return f"/m/{slug}/users/{user.pk}/password-reset/"


@override_settings(SITE_URL="https://shinchoku.city.midori.example")
def test_the_planning_section_e_mails_a_link_that_sets_a_new_password_once(
    client: Client, planner: User, clerk: User, municipality: Municipality
) -> None:
    client.force_login(planner)
    page = client.get(users_url(), HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "sato" in page.content.decode() and "Send a link to reset the password" in page.content.decode()

    response = client.post(send_url(clerk), follow=True)
    assert response.status_code == 200
    assert "sato@city.midori.example" in response.content.decode()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["sato@city.midori.example"]
    with translation.override(settings.LANGUAGE_CODE):  # in the site's language, whoever clicked
        assert message.subject == gettext("[Shinchoku] Set a new password")
    link = re.search(r"https://shinchoku\.city\.midori\.example(/account/reset/\S+/)", message.body)
    assert link is not None, message.body

    # Who issued a reset for whom, in the audit log of the municipality.
    issue = PasswordResetIssue.objects.get()
    assert (issue.user, issue.issued_by, issue.municipality) == (clerk, planner, municipality)
    assert AuditEvent.objects.filter(
        action="create", actor=planner, municipality=municipality, object_id=str(issue.pk), field="user"
    ).exists()

    # The clerk, logged out, opens the link and chooses a new password.
    client.logout()
    LoginThrottle.objects.create(username="sato", failures=9)  # she had tried her old one many times
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200 and form.context["validlink"]
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == "/login/"
    clerk.refresh_from_db()
    assert clerk.check_password(NEW_PASSWORD)
    # The temporary password no longer has to be changed, and her earlier failures stop delaying her.
    assert not PasswordChangeRequired.objects.filter(user=clerk).exists()
    assert LoginThrottle.objects.get(username="sato").failures == 0
    issue.refresh_from_db()
    assert issue.completed_at is not None
    assert client.post("/login/", {"username": "sato", "password": NEW_PASSWORD}).status_code == 302
    assert client.get("/").status_code == 200  # no detour to the password change

    # The link works once.
    client.logout()
    again = client.get(link.group(1), follow=True)
    assert not again.context["validlink"]


def test_a_user_without_an_e_mail_address_is_refused_with_a_clear_message(
    client: Client, planner: User, staff: User
) -> None:
    client.force_login(planner)
    response = client.post(send_url(staff), follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "has no e-mail address, so no link was sent" in response.content.decode()
    assert mail.outbox == [] and not PasswordResetIssue.objects.exists()


@pytest.mark.parametrize("persona", ["outsider", "staff", "section_head", "viewer"])
def test_only_the_planning_section_of_the_users_municipality_sends_links(
    client: Client, request: pytest.FixtureRequest, persona: str, clerk: User
) -> None:
    client.force_login(request.getfixturevalue(persona))
    assert client.get(users_url()).status_code == 403
    assert client.post(send_url(clerk)).status_code == 403
    assert mail.outbox == [] and not PasswordResetIssue.objects.exists()


def test_anonymous_is_sent_to_log_in(client: Client, clerk: User) -> None:
    response = client.post(send_url(clerk))
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    assert mail.outbox == []


def test_another_municipalitys_planner_cannot_reach_our_users_through_their_own_slug(
    client: Client, outsider: User, clerk: User, other_municipality: Municipality
) -> None:
    client.force_login(outsider)
    assert client.post(send_url(clerk, slug="sora")).status_code == 404
    assert "sato" not in client.get(users_url("sora")).content.decode()
    assert mail.outbox == []
