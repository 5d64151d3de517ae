"""Collection rounds (照会): the planning section asks sections for a document by a deadline.

A round asks each section once (``RoundRequest``); the request then climbs the
approval ladder staff → section head → department head → planning section.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shinchoku.core.eras import format_fiscal_year
from shinchoku.core.models import TimestampedModel
from shinchoku.goals.models import GoalDeclaration
from shinchoku.organizations.models import Municipality, Section, fiscal_year_field
from shinchoku.plans.models import Plan
from shinchoku.progress.models import ProgressEntry


class DocumentKind(models.TextChoices):
    # 目標宣言: department heads declare their goals (April–June).
    GOAL_DECLARATION = "goal_declaration", _("goal declaration")
    # 達成状況: what the goals achieved, written at the end of the year.
    YEAR_END_RESULTS = "year_end_results", _("year-end results")
    # 指針の進捗: results and plans of a guideline's initiatives (seed 004).
    GUIDELINE_PROGRESS = "guideline_progress", _("guideline progress")
    # 指標の実績値: actual figures of indicators, after the accounts close.
    INDICATOR_ACTUALS = "indicator_actuals", _("indicator actuals")
    # 施策評価: each 施策 of the 総合計画 evaluated by its department (施策評価シート).
    POLICY_EVALUATION = "policy_evaluation", _("policy evaluation")
    # 中間ヒアリング: where the goals stand half-way through the year (status, 見込, issues).
    MID_YEAR = "mid_year", _("mid-year hearing")


# The plans a policy evaluation round evaluates the 施策 of.
EVALUATED_PLAN_KINDS = (Plan.Kind.COMPREHENSIVE, Plan.Kind.BASIC)
# Rounds about a plan (not about goal declarations).
PLAN_KINDS = (DocumentKind.GUIDELINE_PROGRESS, DocumentKind.POLICY_EVALUATION)
# Rounds about the goal declarations of some departments.
GOAL_ROUND_KINDS = (DocumentKind.GOAL_DECLARATION, DocumentKind.MID_YEAR, DocumentKind.YEAR_END_RESULTS)


class CollectionRound(TimestampedModel):
    """照会: one request of the planning section to many sections, for one fiscal year and document."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")  # sections are asked; reminders go out
        CLOSED = "closed", _("closed")  # no more reminders; the board stays readable

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="rounds"
    )
    fiscal_year = fiscal_year_field(_("fiscal year"))
    kind = models.CharField(_("document"), max_length=30, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=200)
    deadline = models.DateField(_("deadline"), help_text=_("The last day on which a section may submit."))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.OPEN)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("opened by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The latest publication made from this round (publishing again makes a new revision).
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("published by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    publication = models.ForeignKey(
        "publishing.Publication",
        verbose_name=_("publication"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The document the round asks for: the goal declarations of some departments (目標宣言,
    # 達成状況) or one guideline (指針の進捗). Requests show the sections' part of it.
    declarations = models.ManyToManyField(
        GoalDeclaration, verbose_name=_("goal declarations"), blank=True, related_name="rounds"
    )
    # Every revision published from this round, newest last (``publication`` is the latest).
    publications = models.ManyToManyField(
        "publishing.Publication", verbose_name=_("publications"), blank=True, related_name="rounds"
    )
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("guideline plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rounds",
    )

    class Meta:
        verbose_name = _("collection round")
        verbose_name_plural = _("collection rounds")
        ordering = ["municipality", "-fiscal_year", "-deadline", "-id"]

    def __str__(self) -> str:
        year = format_fiscal_year(self.fiscal_year)
        # Titles usually start with their year already (「令和7年度 …の照会」): not twice.
        return self.title if self.title.startswith(year) else f"{year} {self.title}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("not submitted")  # asked; the section has not submitted yet
    # 差戻し: an approver returned it with a comment; the section edits and submits again.
    SENT_BACK = "sent_back", _("sent back")
    SUBMITTED = "submitted", _("submitted")  # staff submitted; waits for the section head
    APPROVED_BY_SECTION_HEAD = "approved_by_section_head", _("approved by the section head")
    APPROVED_BY_DEPARTMENT_HEAD = "approved_by_department_head", _("approved by the department head")
    ACCEPTED = "accepted", _("accepted by the planning section")  # the end of the ladder
    # The planning section took the section out of the round (no answer is expected any more).
    WITHDRAWN = "withdrawn", _("withdrawn from the round")


class RoundRequest(TimestampedModel):
    """One section asked by one round, and where its answer stands."""

    # Denormalised from the round so that access checks and the audit log filter on it directly.
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="+"
    )
    round = models.ForeignKey(
        CollectionRound, verbose_name=_("round"), on_delete=models.CASCADE, related_name="requests"
    )
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.PROTECT, related_name="round_requests"
    )
    status = models.CharField(
        _("status"), max_length=30, choices=RequestStatus.choices, default=RequestStatus.PENDING
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    section_approved_at = models.DateTimeField(_("approved by the section head at"), null=True, blank=True)
    section_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("section head"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    department_approved_at = models.DateTimeField(
        _("approved by the department head at"), null=True, blank=True
    )
    department_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("department head"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("accepted by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("round request")
        verbose_name_plural = _("round requests")
        ordering = ["round", "section__department__position", "section__position", "section__name"]
        constraints = [
            models.UniqueConstraint(fields=["round", "section"], name="uniq_round_request_section")
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.section}"

    @property
    def is_submitted(self) -> bool:
        return self.status not in EDITABLE_STATUSES

    @property
    def is_editable(self) -> bool:
        """The section may change its entries: not submitted yet, or sent back."""
        return self.status in EDITABLE_STATUSES


# The statuses in which the ball is with the section: its entries can be edited and submitted.
EDITABLE_STATUSES = (RequestStatus.PENDING, RequestStatus.SENT_BACK)


class WorkflowStep(models.Model):
    """One step of a request's ladder (submit, approve, send back, accept), with its comment.

    Append-only, like the audit log: the history shown on the request is what happened.
    """

    request = models.ForeignKey(
        RoundRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="steps"
    )
    from_status = models.CharField(_("from"), max_length=30, choices=RequestStatus.choices)
    to_status = models.CharField(_("to"), max_length=30, choices=RequestStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    actor_label = models.CharField(_("actor label"), max_length=200, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    # The planning section took this step for the section or its approver (代理), e.g. a
    # section with nobody in it; the history says so.
    on_behalf = models.BooleanField(_("taken on behalf"), default=False)
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("workflow step")
        verbose_name_plural = _("workflow steps")
        ordering = ["request", "at", "id"]

    def __str__(self) -> str:
        return f"{self.request} · {self.get_from_status_display()} → {self.get_to_status_display()}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise PermissionError("Workflow steps cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise PermissionError("Workflow steps cannot be deleted.")

    @property
    def municipality_id(self) -> int:
        return self.request.municipality_id

    @property
    def is_send_back(self) -> bool:
        return self.to_status == RequestStatus.SENT_BACK


class CarriedEntry(models.Model):
    """Last year's plan entry that a section's result entry of this year was prefilled from.

    Makes the roll-forward idempotent: a plan is carried once, and a result the
    section deleted stays deleted (``result`` becomes null).
    """

    plan_entry = models.OneToOneField(
        ProgressEntry, verbose_name=_("plan entry"), on_delete=models.CASCADE, related_name="carried_to"
    )
    result_entry = models.ForeignKey(
        ProgressEntry,
        verbose_name=_("result entry"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_from",
    )
    carried_at = models.DateTimeField(_("carried at"), auto_now_add=True)

    class Meta:
        verbose_name = _("carried entry")
        verbose_name_plural = _("carried entries")

    def __str__(self) -> str:
        return f"{self.plan_entry_id} → {self.result_entry_id}"


class Reminder(models.Model):
    """An e-mail reminding a section of a request: at most one of each kind per request per day."""

    class Kind(models.TextChoices):
        BEFORE_DEADLINE = "before_deadline", _("before the deadline")
        LATE = "late", _("late")

    request = models.ForeignKey(
        RoundRequest, verbose_name=_("request"), on_delete=models.CASCADE, related_name="reminders"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    sent_on = models.DateField(_("sent on"))
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    recipients = models.TextField(_("recipients"), help_text=_("E-mail addresses, one per line."))

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-sent_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "kind", "sent_on"], name="uniq_reminder_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.request} · {self.get_kind_display()} · {self.sent_on}"

    @property
    def municipality_id(self) -> int:
        # The audit log files each row under its municipality (core.audit reads this attribute).
        return self.request.municipality_id


class EntryDraft(models.Model):
    """A person's unsaved text of an entry, kept while they type (autosave, issue 10).

    Server-side rather than in the browser: city halls share PCs, so a draft kept in the
    browser's storage would show one person's words to the next person at that desk and
    would be lost when the person moves to another PC. Here a draft belongs to its author
    only (every query filters on ``user``), follows them to any PC, is removed when they
    save the entry or discard it, and goes away with the entry.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    entry = models.ForeignKey(
        ProgressEntry, verbose_name=_("entry"), on_delete=models.CASCADE, related_name="drafts"
    )
    text = models.TextField(_("text"))
    base_version = models.PositiveIntegerField(
        _("version it was typed on"),
        help_text=_("The entry's version when the person started typing: saving the draft checks it."),
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("entry draft")
        verbose_name_plural = _("entry drafts")
        constraints = [models.UniqueConstraint(fields=["user", "entry"], name="uniq_entry_draft")]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.entry_id}"
