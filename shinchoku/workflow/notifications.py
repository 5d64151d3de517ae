"""E-mail to the people a workflow step concerns: one message per step, in Japanese, with the link.

- submitted → the section head is asked to approve;
- approved by the section head → the department head (the planning section for a
  section outside any department);
- approved by the department head → the planning section;
- sent back → the section's staff and head, with the comment;
- accepted → the section's staff and head.
Reminders before and after the deadline are sent by ``send_round_reminders``.

Called after the step is committed; a failed mail is logged and never undoes the step.
"""

from __future__ import annotations

import logging
import smtplib
from datetime import date

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shinchoku.core.audit_display import process_label
from shinchoku.core.eras import format_date, format_fiscal_year
from shinchoku.organizations.access import PLANNING_ROLES
from shinchoku.organizations.models import Membership, Role
from shinchoku.workflow.models import RequestStatus, RoundRequest, WorkflowStep

logger = logging.getLogger(__name__)


def _addresses(request: RoundRequest, to_status: str, today: date) -> list[str]:
    """Who is concerned by a request arriving in ``to_status`` (active members with an e-mail)."""
    section = request.section
    if to_status in (RequestStatus.SENT_BACK, RequestStatus.ACCEPTED):
        scope = Q(section=section, role__in=[Role.SECTION_STAFF, Role.SECTION_HEAD])
    elif to_status == RequestStatus.SUBMITTED:
        scope = Q(section=section, role=Role.SECTION_HEAD)
    elif to_status == RequestStatus.APPROVED_BY_SECTION_HEAD and section.department_id is not None:
        scope = Q(department_id=section.department_id, role=Role.DEPARTMENT_HEAD)
    elif to_status in (RequestStatus.APPROVED_BY_SECTION_HEAD, RequestStatus.APPROVED_BY_DEPARTMENT_HEAD):
        scope = Q(role__in=PLANNING_ROLES)
    else:
        return []
    emails = (
        Membership.objects.filter(scope, municipality_id=request.municipality_id, user__is_active=True)
        .exclude(user__email="")
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .order_by("user__username")
        .values_list("user__email", flat=True)
    )
    return list(dict.fromkeys(emails))


def request_url(request: RoundRequest) -> str:
    path = reverse(
        "workflow:request",
        kwargs={"slug": request.municipality.slug, "pk": request.round_id, "section_pk": request.section_id},
    )
    return f"{settings.SITE_URL}{path}"


def _message(step: WorkflowStep, recipients: list[str]) -> EmailMessage:
    request = step.request
    collection_round = request.round
    with translation.override(settings.LANGUAGE_CODE):
        values = {
            "title": collection_round.title,
            "fiscal_year": format_fiscal_year(collection_round.fiscal_year),
            "section": request.section.name,
            "deadline": format_date(collection_round.deadline),
            "who": (
                (step.actor.get_full_name() or step.actor.username)
                if step.actor
                else process_label(step.actor_label)
            ),
            "url": request_url(request),
            "comment": step.comment or _("(no comment)"),
        }
        subjects = {
            RequestStatus.SUBMITTED: _("[Shinchoku] Waiting for your approval: %(section)s, %(title)s"),
            RequestStatus.APPROVED_BY_SECTION_HEAD: _(
                "[Shinchoku] Waiting for your approval: %(section)s, %(title)s"
            ),
            RequestStatus.APPROVED_BY_DEPARTMENT_HEAD: _(
                "[Shinchoku] Waiting for acceptance: %(section)s, %(title)s"
            ),
            RequestStatus.SENT_BACK: _("[Shinchoku] Sent back: %(section)s, %(title)s"),
            RequestStatus.ACCEPTED: _("[Shinchoku] Accepted: %(section)s, %(title)s"),
        }
        openings = {
            RequestStatus.SUBMITTED: _("%(section)s submitted its answer; it waits for your approval."),
            RequestStatus.APPROVED_BY_SECTION_HEAD: _(
                "The section head approved the answer of %(section)s; it waits for your approval."
            ),
            RequestStatus.APPROVED_BY_DEPARTMENT_HEAD: _(
                "The department head approved the answer of %(section)s; it waits for the planning section."
            ),
            RequestStatus.SENT_BACK: _(
                "The answer of %(section)s was sent back by %(who)s. Please correct it and submit it again."
            ),
            RequestStatus.ACCEPTED: _("The planning section accepted the answer of %(section)s."),
        }
        status = RequestStatus(step.to_status)
        body = (
            openings[status] % values
            + "\n\n"
            + _(
                "Round: %(title)s (%(fiscal_year)s)\n"
                "Section: %(section)s\n"
                "Deadline: %(deadline)s\n"
                "Comment: %(comment)s\n\n"
                "Open it in Shinchoku: %(url)s\n"
            )
            % values
        )
        return EmailMessage(subject=subjects[status] % values, body=body, to=recipients)


def step_taken(step_pk: int) -> None:
    """Send the mail of one committed step (if anybody is concerned)."""
    step = (
        WorkflowStep.objects.select_related(
            "request__round", "request__section", "request__municipality", "actor"
        )
        .filter(pk=step_pk)
        .first()
    )
    if step is None:
        return
    recipients = _addresses(step.request, step.to_status, timezone.localdate())
    if not recipients:
        return
    try:
        _message(step, recipients).send()
    except (smtplib.SMTPException, OSError):
        logger.exception("Mail for workflow step %s not sent", step_pk)
