"""The tenant (municipality), its fiscal years, and its organisation over time.

Departments (部) and sections (課) are valid for a range of fiscal years and are
linked to their predecessors and successors, so a series that starts under
広報広聴課 stays attached when the section becomes 広報戦略課.
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shinchoku.core.eras import format_fiscal_year
from shinchoku.core.models import TimestampedModel

FISCAL_YEAR_VALIDATORS = [MinValueValidator(1868), MaxValueValidator(2200)]


def fiscal_year_field(verbose_name: str | object, **kwargs: object) -> models.PositiveSmallIntegerField:
    """A fiscal year, stored as the Gregorian year in which it starts (April)."""
    return models.PositiveSmallIntegerField(verbose_name, validators=FISCAL_YEAR_VALIDATORS, **kwargs)  # type: ignore[arg-type]


def local_government_code_check_digit(first_five: str) -> int:
    """Check digit of a 全国地方公共団体コード (weights 6..2, modulus 11, last digit of 11 - r)."""
    remainder = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True)) % 11
    return (11 - remainder) % 10


def validate_local_government_code(value: str) -> None:
    if len(value) != 6 or not value.isdigit():
        raise ValidationError(_("A local government code has six digits."), code="format")
    if local_government_code_check_digit(value[:5]) != int(value[5]):
        raise ValidationError(
            _("The check digit of %(code)s is wrong."), code="check_digit", params={"code": value}
        )


class Municipality(TimestampedModel):
    """A city, town or village: the tenant. Every business record belongs to one."""

    code = models.CharField(
        _("local government code"),
        max_length=6,
        unique=True,
        validators=[validate_local_government_code],
        help_text=_("全国地方公共団体コード, six digits including the check digit."),
    )
    name = models.CharField(_("name"), max_length=100)
    prefecture = models.CharField(_("prefecture"), max_length=10)
    slug = models.SlugField(
        _("slug"),
        unique=True,
        validators=[RegexValidator(r"^[a-z0-9-]+$")],
        help_text=_("Used in public URLs."),
    )

    class Meta:
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.prefecture}{self.name}"


class FiscalYear(models.Model):
    """A fiscal year (April to March) that a municipality manages in Shinchoku."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="fiscal_years"
    )
    year = fiscal_year_field(_("fiscal year"))

    class Meta:
        verbose_name = _("fiscal year")
        verbose_name_plural = _("fiscal years")
        ordering = ["municipality", "-year"]
        constraints = [models.UniqueConstraint(fields=["municipality", "year"], name="uniq_fiscal_year")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return format_fiscal_year(self.year)

    @property
    def start_date(self) -> date:
        return date(self.year, 4, 1)

    @property
    def end_date(self) -> date:
        return date(self.year + 1, 3, 31)


class OrgUnitQuerySet(models.QuerySet):
    def valid_in(self, fiscal_year: int) -> OrgUnitQuerySet:
        """Units that exist in ``fiscal_year`` (open ranges at either end)."""
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=fiscal_year),
            Q(valid_to__isnull=True) | Q(valid_to__gte=fiscal_year),
        )


class OrgUnit(TimestampedModel):
    """What departments and sections share: a name valid for a range of fiscal years."""

    name = models.CharField(_("name"), max_length=100)
    kana = models.CharField(_("reading"), max_length=200, blank=True)
    valid_from = fiscal_year_field(_("valid from (fiscal year)"), null=True, blank=True)
    valid_to = fiscal_year_field(_("valid to (fiscal year)"), null=True, blank=True)
    position = models.PositiveIntegerField(_("display order"), default=0)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self) -> None:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end year is before the start year.")})

    def is_valid_in(self, fiscal_year: int) -> bool:
        return (self.valid_from is None or self.valid_from <= fiscal_year) and (
            self.valid_to is None or fiscal_year <= self.valid_to
        )


class Department(OrgUnit):
    """部: a department, headed by a 部長 who declares goals."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="departments"
    )

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["municipality", "position", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name", "valid_from"], name="uniq_department_name"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="department_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Section(OrgUnit):
    """課: a section of a department; sections write the results and plans."""

    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="sections"
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        related_name="sections",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["municipality", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name", "valid_from"], name="uniq_section_name"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="section_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class SuccessionKind(models.TextChoices):
    RENAMED = "renamed", _("renamed to")
    MERGED = "merged", _("merged into")
    SPLIT = "split", _("split into")
    TRANSFERRED = "transferred", _("duties moved to")


class Succession(models.Model):
    """What section and department successions share: the link's kind, year and note."""

    municipality = models.ForeignKey(Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE)
    kind = models.CharField(_("kind"), max_length=20, choices=SuccessionKind.choices)
    fiscal_year = fiscal_year_field(_("effective fiscal year"))
    note = models.CharField(_("note"), max_length=500, blank=True)

    predecessor: models.ForeignKey[models.Model, models.Model]
    successor: models.ForeignKey[models.Model, models.Model]

    class Meta:
        abstract = True
        ordering = ["municipality", "fiscal_year"]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor} ({self.get_kind_display()}, {self.fiscal_year})"


class SectionSuccession(Succession):
    """A section's duties continue in another from ``fiscal_year`` on."""

    predecessor = models.ForeignKey(
        Section, verbose_name=_("predecessor"), on_delete=models.CASCADE, related_name="successions_out"
    )
    successor = models.ForeignKey(
        Section, verbose_name=_("successor"), on_delete=models.CASCADE, related_name="successions_in"
    )

    class Meta(Succession.Meta):
        verbose_name = _("section succession")
        verbose_name_plural = _("section successions")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor", "kind"], name="uniq_section_succession"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="section_succession_not_self"
            ),
        ]


class DepartmentSuccession(Succession):
    predecessor = models.ForeignKey(
        Department, verbose_name=_("predecessor"), on_delete=models.CASCADE, related_name="successions_out"
    )
    successor = models.ForeignKey(
        Department, verbose_name=_("successor"), on_delete=models.CASCADE, related_name="successions_in"
    )

    class Meta(Succession.Meta):
        verbose_name = _("department succession")
        verbose_name_plural = _("department successions")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor", "kind"], name="uniq_department_succession"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="department_succession_not_self"
            ),
        ]


class SectionAlias(models.Model):
    """Another name a section is written as: an old name, an abbreviation, a typo seen in documents."""

    municipality = models.ForeignKey(Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE)
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField(_("alias"), max_length=100)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("section alias")
        verbose_name_plural = _("section aliases")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name", "section"], name="uniq_section_alias")
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.section}"


class DepartmentAlias(models.Model):
    municipality = models.ForeignKey(Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, related_name="aliases"
    )
    name = models.CharField(_("alias"), max_length=100)
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("department alias")
        verbose_name_plural = _("department aliases")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["municipality", "name", "department"], name="uniq_department_alias"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} → {self.department}"


class Role(models.TextChoices):
    SYSTEM_ADMIN = "system_admin", _("system administrator")
    PLANNING_ADMIN = "planning_admin", _("planning section administrator")
    DEPARTMENT_HEAD = "department_head", _("department head")
    SECTION_HEAD = "section_head", _("section head")
    SECTION_STAFF = "section_staff", _("section staff")
    EVALUATOR = "evaluator", _("external evaluator")
    VIEWER = "viewer", _("read-only viewer")


class Membership(models.Model):
    """A user's role in a municipality, scoped to a department or section, for a period."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="memberships"
    )
    municipality = models.ForeignKey(
        Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    department = models.ForeignKey(
        Department, verbose_name=_("department"), on_delete=models.CASCADE, null=True, blank=True
    )
    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.CASCADE, null=True, blank=True
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["municipality", "user"]

    def __str__(self) -> str:
        scope = self.section or self.department or self.municipality
        return f"{self.user} · {self.get_role_display()} · {scope}"

    def clean(self) -> None:
        if self.role == Role.DEPARTMENT_HEAD and self.department_id is None:
            raise ValidationError({"department": _("A department head belongs to a department.")})
        if self.role in (Role.SECTION_HEAD, Role.SECTION_STAFF) and self.section_id is None:
            raise ValidationError({"section": _("Section heads and staff belong to a section.")})

    def is_active_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )


class OrganizationUpload(models.Model):
    """An organisation master file waiting for the planning section to confirm its preview.

    The bytes, the fiscal year it applies from and a fingerprint of the master as it
    was when the preview was computed are kept, so that the confirmation applies
    exactly what was previewed, or nothing if the master has changed meanwhile.
    """

    municipality = models.ForeignKey(Municipality, verbose_name=_("municipality"), on_delete=models.CASCADE)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    source_name = models.CharField(_("file"), max_length=300)
    data = models.BinaryField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    fiscal_year = fiscal_year_field(_("applies from (fiscal year)"))
    master_fingerprint = models.CharField(_("master fingerprint"), max_length=64)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)

    class Meta:
        verbose_name = _("organisation master upload")
        verbose_name_plural = _("organisation master uploads")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.source_name

    @property
    def applied(self) -> bool:
        return self.applied_at is not None
