"""What evaluation stores: grade scales (data, not code), and what people decide.

Computed rates and grades are *not* stored: they are a pure function of an
indicator, its figures and a scale (``formulas``, ``scales``), derived on demand
by the selectors, so they can never disagree with the figures. Stored here is
only what a person decides: the scales and their bands, the grades of
qualitative and milestone targets (with a reason), and the dismissal of a
quality finding (with a reason). Every write goes through ``services`` and the
audit log.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shinchoku.core.models import TimestampedModel
from shinchoku.evaluation.scales import NOT_EVALUABLE_LABEL, Band, Scale
from shinchoku.goals.models import Goal
from shinchoku.organizations.models import Municipality, fiscal_year_field
from shinchoku.plans.models import Indicator, Plan


class GradeScale(TimestampedModel):
    """An ordered list of grade bands, for a municipality, optionally one plan and one fiscal year.

    The most specific scale applies: plan and year, then plan, then year, then the
    municipality's default; with none stored, the built-in 達成/概ね達成/未達成.
    """

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="grade_scales"
    )
    name = models.CharField(_("name"), max_length=100)
    plan = models.ForeignKey(
        Plan,
        verbose_name=_("plan"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="grade_scales",
        help_text=_("Leave empty for every plan and goal declaration."),
    )
    fiscal_year = fiscal_year_field(
        _("fiscal year"), null=True, blank=True, help_text=_("Leave empty for every year.")
    )
    is_default = models.BooleanField(
        _("default scale"), default=False, help_text=_("Applies where no plan- or year-specific scale does.")
    )
    not_evaluable_label = models.CharField(
        _("label when not evaluable"), max_length=50, default=NOT_EVALUABLE_LABEL
    )
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("grade scale")
        verbose_name_plural = _("grade scales")
        ordering = ["municipality", "-is_default", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="uniq_grade_scale_name"),
            models.UniqueConstraint(
                fields=["municipality"], condition=Q(is_default=True), name="uniq_default_grade_scale"
            ),
            models.CheckConstraint(
                condition=Q(is_default=False) | (Q(plan__isnull=True) & Q(fiscal_year__isnull=True)),
                name="default_grade_scale_unscoped",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if (
            self.plan_id is not None
            and self.plan is not None
            and self.plan.municipality_id != self.municipality_id
        ):
            raise ValidationError({"plan": _("The plan belongs to another municipality.")})
        if self.is_default and (self.plan_id is not None or self.fiscal_year is not None):
            raise ValidationError(
                {
                    "is_default": _(
                        "The default scale applies to every plan and year: leave plan and year empty."
                    )
                }
            )
        if self.is_default and self.municipality_id is not None:
            others = GradeScale.objects.filter(municipality_id=self.municipality_id, is_default=True)
            if others.exclude(pk=self.pk).exists():
                raise ValidationError({"is_default": _("The municipality has a default scale already.")})

    def to_scale(self) -> Scale:
        """The pure scale; reads ``bands`` (prefetch them)."""
        return Scale(
            name=self.name,
            bands=tuple(band.to_band() for band in self.bands.all()),
            not_evaluable_label=self.not_evaluable_label,
        )


class GradeBand(models.Model):
    """One band of a scale. Bands are read from the best (position 0) down."""

    scale = models.ForeignKey(
        GradeScale, verbose_name=_("grade scale"), on_delete=models.CASCADE, related_name="bands"
    )
    position = models.PositiveSmallIntegerField(_("position (0 is the best)"))
    label = models.CharField(_("label"), max_length=50)
    lower_bound = models.DecimalField(
        _("lower bound (%)"),
        max_digits=12,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Empty for the last band, which takes every rate below."),
    )
    lower_inclusive = models.BooleanField(
        _("lower bound included (≥)"), default=True, help_text=_("Unticked: strictly above (>).")
    )
    description = models.CharField(_("description"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("grade band")
        verbose_name_plural = _("grade bands")
        ordering = ["scale", "position"]
        constraints = [
            models.UniqueConstraint(fields=["scale", "position"], name="uniq_grade_band_position"),
            models.UniqueConstraint(fields=["scale", "label"], name="uniq_grade_band_label"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def municipality_id(self) -> int:
        # The audit log files a band's changes under its scale's municipality.
        return self.scale.municipality_id

    def to_band(self) -> Band:
        return Band(
            label=self.label,
            lower=self.lower_bound,
            lower_inclusive=self.lower_inclusive,
            description=self.description,
        )


class MilestoneStatus(models.TextChoices):
    AHEAD = "ahead", _("ahead of schedule")
    ON_SCHEDULE = "on_schedule", _("on schedule")
    BEHIND = "behind", _("behind schedule")
    NOT_STARTED = "not_started", _("not started")


class ManualGrade(TimestampedModel):
    """A person's grade of a qualitative or milestone target for one fiscal year, with the reason.

    It grades an indicator whose formula is ``milestone``, or a goal that states no
    figure at all (seed 000 goal 1).
    """

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="+"
    )
    fiscal_year = fiscal_year_field(_("fiscal year"))
    indicator = models.ForeignKey(
        Indicator,
        verbose_name=_("indicator"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="manual_grades",
    )
    goal = models.ForeignKey(
        Goal,
        verbose_name=_("goal"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="manual_grades",
    )
    grade = models.CharField(_("grade"), max_length=50)
    milestone_status = models.CharField(
        _("progress"), max_length=20, choices=MilestoneStatus.choices, blank=True
    )
    reason = models.TextField(_("reason"))
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("graded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    graded_by_label = models.CharField(_("graded by (process)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("grade given by a person")
        verbose_name_plural = _("grades given by a person")
        ordering = ["municipality", "-fiscal_year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(indicator__isnull=False) & Q(goal__isnull=True))
                | (Q(indicator__isnull=True) & Q(goal__isnull=False)),
                name="manual_grade_of_indicator_or_goal",
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="manual_grade_has_reason"),
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year"],
                condition=Q(indicator__isnull=False),
                name="uniq_manual_grade_indicator_year",
            ),
            models.UniqueConstraint(
                fields=["goal", "fiscal_year"],
                condition=Q(goal__isnull=False),
                name="uniq_manual_grade_goal_year",
            ),
        ]

    def __str__(self) -> str:
        subject = self.indicator if self.indicator_id else self.goal
        return f"{subject} {self.fiscal_year}: {self.grade}"


class FindingKind(models.TextChoices):
    DUPLICATE_ENTRY = "duplicate_entry", _("duplicate entry")
    UNKNOWN_SECTION = "unknown_section", _("section unknown to the organisation master")
    CARRY_OVER_GAP = "carry_over_gap", _("plan without a result the following year")
    TARGET_WITHOUT_ACTUAL = "target_without_actual", _("target without an actual")
    UNIT_MISMATCH = "unit_mismatch", _("target and actual in different units")
    NON_JIS_CHARACTERS = "non_jis_characters", _("characters outside JIS X 0208")


class FindingDismissal(TimestampedModel):
    """A quality finding a person has looked at and decided to publish anyway, with the reason.

    Findings are computed on demand; a dismissal is keyed by the finding's
    fingerprint (kind, record and detail), so it stays attached across re-imports
    that keep the record, and a changed record raises a new finding.
    """

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="+"
    )
    fingerprint = models.CharField(_("finding"), max_length=255)
    kind = models.CharField(_("kind"), max_length=30, choices=FindingKind.choices)
    object_repr = models.CharField(_("record"), max_length=500)
    reason = models.TextField(_("reason"))
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dismissed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    dismissed_by_label = models.CharField(_("dismissed by (process)"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("dismissed quality finding")
        verbose_name_plural = _("dismissed quality findings")
        ordering = ["municipality", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "fingerprint"], name="uniq_finding_dismissal"),
            models.CheckConstraint(condition=~Q(reason=""), name="finding_dismissal_has_reason"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.object_repr}"
