"""The reset-link e-mail, in the site's language (Japanese), with a link built on SHINCHOKU_SITE_URL."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from shinchoku.core.audit import Actor
from shinchoku.organizations.models import Municipality


def password_reset_url(user: User) -> str:
    """Django's one-time link: the token stops working once the password (or the last log-in) changes."""
    path = reverse(
        "password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
            "token": default_token_generator.make_token(user),
        },
    )
    return f"{settings.SITE_URL}{path}"


def password_reset_message(*, user: User, municipality: Municipality, issued_by: Actor) -> EmailMessage:
    expires = timezone.localtime() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT)
    with translation.override(settings.LANGUAGE_CODE):
        who = (
            (issued_by.user.get_full_name() or issued_by.user.username) if issued_by.user else issued_by.label
        )
        values = {
            "municipality": municipality.name,
            "who": who,
            "username": user.username,
            "url": password_reset_url(user),
            "expires": formats.date_format(expires, "DATETIME_FORMAT"),
        }
        subject = _("[Shinchoku] Set a new password")
        body = (
            _(
                "%(who)s (%(municipality)s) sent you a link to set a new password for Shinchoku.\n\n"
                "Username: %(username)s\n"
                "Open this link to choose your new password. It works once, until %(expires)s:\n"
                "%(url)s\n\n"
                "If you did not expect this message, ignore it: your password stays as it is."
            )
            % values
        )
    return EmailMessage(subject=subject, body=body, to=[user.email])
