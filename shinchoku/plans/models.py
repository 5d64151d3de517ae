"""Plans as trees of any depth, their classification tables, indicators, targets and actuals."""

from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from shinchoku.core.models import TimestampedModel
from shinchoku.organizations.models import Municipality, Section, fiscal_year_field

# What ``decimal_field`` holds: a figure must be below it (forms and the API refuse larger ones).
LARGEST_FIGURE = Decimal(10) ** 23


def decimal_field(verbose_name: str | object, **kwargs: object) -> models.DecimalField:
    """An exact decimal: amounts up to 10^23 円 with six fractional digits for rates."""
    return models.DecimalField(verbose_name, max_digits=30, decimal_places=6, **kwargs)  # type: ignore[arg-type]


class Plan(TimestampedModel):
    """総合計画, 基本計画, 実施計画, 指針 …: the root of a tree of nodes."""

    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("comprehensive plan (総合計画)")
        BASIC = "basic", _("basic plan (基本計画)")
        IMPLEMENTATION = "implementation", _("implementation plan (実施計画)")
        GUIDELINE = "guideline", _("guideline (指針)")
        SECTORAL = "sectoral", _("sectoral plan (個別計画)")
        OTHER = "other", _("other")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="plans"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=300)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent plan"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    start_year = fiscal_year_field(_("first fiscal year"), null=True, blank=True)
    end_year = fiscal_year_field(_("last fiscal year"), null=True, blank=True)

    class Meta:
        verbose_name = _("plan")
        verbose_name_plural = _("plans")
        ordering = ["municipality", "kind", "name"]
        constraints = [models.UniqueConstraint(fields=["municipality", "name"], name="uniq_plan_name")]

    def __str__(self) -> str:
        return self.name


class PlanNode(TimestampedModel):
    """A node of a plan's tree: chapter, section, group, policy measure, project, initiative …

    ``path`` is the materialised position from the root (``0001.0003.0002``), so a
    whole tree reads in document order with one ``ORDER BY``.
    """

    class Kind(models.TextChoices):
        CHAPTER = "chapter", _("chapter")
        SECTION = "section", pgettext_lazy("plan tree", "section")
        GROUP = "group", _("group")
        POLICY = "policy", _("policy measure")
        PROJECT = "project", _("project")
        INITIATIVE = "initiative", _("initiative")
        OTHER = "other", _("other")

    plan = models.ForeignKey(Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="nodes")
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("display label"), max_length=20, blank=True, help_text=_("①, ◎, ○, 1 …"))
    title = models.CharField(_("title"), max_length=500)
    body = models.TextField(_("text"), blank=True, help_text=_("What the plan says about this node."))
    position = models.PositiveIntegerField(_("position among siblings"))
    path = models.CharField(_("ordering key"), max_length=255, db_index=True)

    class Meta:
        verbose_name = _("plan node")
        verbose_name_plural = _("plan nodes")
        ordering = ["plan", "path"]

    def __str__(self) -> str:
        return f"{self.label}{self.title}"

    @property
    def depth(self) -> int:
        return self.path.count(".")


class Classification(models.Model):
    """One code of a plan's own classification table (区分 I–V with their labels)."""

    plan = models.ForeignKey(
        Plan, verbose_name=_("plan"), on_delete=models.CASCADE, related_name="classifications"
    )
    code = models.CharField(_("code"), max_length=20)
    label = models.CharField(_("label"), max_length=300)
    position = models.PositiveIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("classification")
        verbose_name_plural = _("classifications")
        ordering = ["plan", "position", "code"]
        constraints = [models.UniqueConstraint(fields=["plan", "code"], name="uniq_classification_code")]

    def __str__(self) -> str:
        return f"{self.code}: {self.label}"


class Indicator(TimestampedModel):
    """A measurable indicator (指標) with its direction, baseline and formula."""

    class Direction(models.TextChoices):
        INCREASE = "increase", _("increase is better")
        DECREASE = "decrease", _("decrease is better")
        MAINTAIN = "maintain", _("maintain")

    class Formula(models.TextChoices):
        RATIO = "ratio", _("actual ÷ target")
        BASELINE_RELATIVE = "baseline_relative", _("(actual − baseline) ÷ (target − baseline)")
        DECREASE = "decrease", _("decrease is better (against the baseline)")
        MAINTAIN_AT_LEAST = "maintain_at_least", _("at or above a level")
        MAINTAIN_AT_MOST = "maintain_at_most", _("at or below a level")
        PREVIOUS_YEAR_INCREASE = "previous_year_increase", _("increase against the previous year")
        PREVIOUS_YEAR_DECREASE = "previous_year_decrease", _("reduce against the previous year")
        MILESTONE = "milestone", _("milestone / qualitative (graded by a person)")

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="indicators"
    )
    plan_node = models.ForeignKey(
        PlanNode,
        verbose_name=_("plan node"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
    )
    name = models.CharField(_("name"), max_length=300)
    proposed_name = models.CharField(
        _("name proposed from the document"),
        max_length=300,
        blank=True,
        help_text=_(
            "The name the importer read from the target text. A re-import renames the indicator "
            "only while its name is still this proposal, so a name a person chose is kept."
        ),
    )
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    formula = models.CharField(_("formula"), max_length=30, choices=Formula.choices, default=Formula.RATIO)
    baseline_value = decimal_field(_("baseline"), null=True, blank=True)
    baseline_year = fiscal_year_field(_("baseline fiscal year"), null=True, blank=True)
    cumulative = models.BooleanField(
        _("cumulative (累計)"),
        default=False,
        help_text=_("Yearly actuals add up from the first year of the period; the target is their total."),
    )
    reported_as_change = models.BooleanField(
        _("actual reported as the change"),
        default=False,
        help_text=_(
            "For the previous-year formulas: the reported actual is the change itself "
            "(縮減額, 増加額), in the desired direction, not the level."
        ),
    )
    period_start_year = fiscal_year_field(_("first fiscal year of the period"), null=True, blank=True)
    period_end_year = fiscal_year_field(_("last fiscal year of the period"), null=True, blank=True)
    prorate_target = models.BooleanField(
        _("prorate the period target"),
        default=False,
        help_text=_(
            "Year k of an n-year period is judged against k/n of the way from the baseline "
            "to the target of the period's last year, when that year states no target of its own."
        ),
    )
    weight = models.DecimalField(
        _("weight in roll-ups"),
        max_digits=9,
        decimal_places=3,
        default=1,
        validators=[MinValueValidator(0)],
    )
    definition = models.TextField(_("definition"), blank=True)
    data_source = models.CharField(_("data source"), max_length=300, blank=True)
    sections = models.ManyToManyField(Section, verbose_name=_("responsible sections"), blank=True)
    position = models.PositiveIntegerField(_("display order"), default=0)

    class Meta:
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        ordering = ["municipality", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start_year__isnull=True)
                | Q(period_end_year__isnull=True)
                | Q(period_end_year__gte=models.F("period_start_year")),
                name="indicator_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})" if self.unit else self.name


class FigureFields(models.Model):
    """A value as the document states it: exact decimal, 約 and 見込 flags, and the original text."""

    value = decimal_field(_("value"))
    approximate = models.BooleanField(_("approximate (約)"), default=False)
    provisional = models.BooleanField(_("provisional (見込)"), default=False)
    text = models.CharField(_("as written"), max_length=300, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        abstract = True


class Target(TimestampedModel, FigureFields):
    """目標値 for one fiscal year; interim targets sit beside the final one."""

    class Kind(models.TextChoices):
        FINAL = "final", _("target")
        INTERIM = "interim", _("interim target")

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="targets"
    )
    fiscal_year = fiscal_year_field(_("fiscal year"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.FINAL)

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["indicator", "fiscal_year", "kind"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "fiscal_year", "kind"], name="uniq_target_per_year"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.fiscal_year}: {self.value}"


class Measurement(TimestampedModel, FigureFields):
    """実績値: the actual figure of one fiscal year."""

    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="measurements"
    )
    fiscal_year = fiscal_year_field(_("fiscal year"))

    class Meta:
        verbose_name = _("measurement")
        verbose_name_plural = _("measurements")
        ordering = ["indicator", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "fiscal_year"], name="uniq_measurement_per_year"),
            models.CheckConstraint(condition=Q(fiscal_year__gte=1868), name="measurement_year_sane"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.fiscal_year}: {self.value}"
