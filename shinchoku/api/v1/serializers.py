"""What the API's JSON looks like (v1): DRF serializers over what the selectors return.

Published data is read from the published revisions only (``Publication.document`` and
``Publication.evaluation``, as the portal reads them) and shaped by ``published.py``; the
serializers here only name and type the fields. Amounts are exact decimals written as strings
("1277000000", "81.2"), never floats; dates and times are ISO 8601.
"""

from __future__ import annotations

import html
import re
from decimal import Decimal
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shinchoku.api.models import AccessToken
from shinchoku.core.audit_display import process_label
from shinchoku.organizations.models import Membership, Municipality
from shinchoku.policies.models import DIRECTION_WORDS, Direction
from shinchoku.progress.models import ProgressEntry
from shinchoku.publishing.models import Publication
from shinchoku.workflow.models import RequestStatus

_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")
_MARK = re.compile(r"</?mark>")


@extend_schema_field({"type": "string", "pattern": r"^-?[0-9]+(\.[0-9]+)?$", "example": "1277000000"})
class DecimalText(serializers.Field):
    """An exact decimal as a string, without exponent or the column's trailing zeros.

    Published texts are kept as published ("100.0" is a rate rounded to one place); a decimal
    read from the database drops its padding (1000000000.000000 → "1000000000").
    """

    def to_representation(self, value: Decimal | str) -> str:
        if isinstance(value, str) and _PLAIN_DECIMAL.fullmatch(value):
            return value
        return format(Decimal(value).normalize(), "f")

    def to_internal_value(self, data: Any) -> Decimal:  # pragma: no cover - read only
        raise NotImplementedError


def decimal_text(**kwargs: Any) -> DecimalText:
    return DecimalText(read_only=True, **kwargs)


# --- errors (shinchoku.api.exceptions) ----------------------------------------------------------


class ErrorItemSerializer(serializers.Serializer):
    field = serializers.CharField(allow_null=True, help_text="項目名（なければ null）/ the field, or null")
    code = serializers.CharField(help_text="required, invalid, not_found, permission_denied …")
    message = serializers.CharField()


class ErrorSerializer(serializers.Serializer):
    status = serializers.IntegerField(help_text="HTTP status")
    code = serializers.CharField()
    message = serializers.CharField(help_text="説明 / what went wrong (Accept-Language)")
    field = serializers.CharField(allow_null=True, help_text="最初の誤りの項目 / the first field at fault")
    errors = ErrorItemSerializer(many=True)
    retry_after = serializers.IntegerField(
        required=False, help_text="429: 待つ秒数 / seconds to wait (also in Retry-After)"
    )


class CurrentValuesSerializer(serializers.Serializer):
    version = serializers.IntegerField()
    values = serializers.DictField(child=serializers.CharField(allow_null=True))
    by = serializers.CharField(help_text="最後に変更した人 / who changed it last")
    at = serializers.DateTimeField(allow_null=True)


class ConflictSerializer(ErrorSerializer):
    current = CurrentValuesSerializer(
        required=False, help_text="他の人が保存した内容 / the record as the other person left it"
    )


# --- public: municipalities and the catalogue of published reports ------------------------------


def _absolute(serializer: serializers.Field, path: str) -> str:
    request = serializer.context.get("request")
    return request.build_absolute_uri(path) if request is not None else path


class MunicipalitySerializer(serializers.ModelSerializer):
    portal_url = serializers.SerializerMethodField(help_text="公開サイトのページ / the portal page")
    url = serializers.SerializerMethodField(help_text="API")

    def get_portal_url(self, municipality: Municipality) -> str:
        return _absolute(self, reverse("portal:index", kwargs={"slug": municipality.slug}))

    def get_url(self, municipality: Municipality) -> str:
        return _absolute(self, reverse("api_v1:municipality", kwargs={"municipality": municipality.slug}))

    class Meta:
        model = Municipality
        fields = ["code", "name", "prefecture", "slug", "url", "portal_url"]


class YearTotalSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    graded = serializers.IntegerField(help_text="評価済みの指標 / indicators graded")
    at_or_above = serializers.IntegerField(help_text="基準以上 / at or above the threshold")
    share = decimal_text(allow_null=True, help_text="基準以上の割合（%）/ share in %")


class MunicipalityDetailSerializer(MunicipalitySerializer):
    published_years = serializers.ListField(
        child=serializers.IntegerField(), read_only=True, help_text="公表のある年度 / years with reports"
    )
    achievement_by_year = YearTotalSerializer(many=True, read_only=True)

    class Meta(MunicipalitySerializer.Meta):
        fields = [*MunicipalitySerializer.Meta.fields, "published_years", "achievement_by_year"]


class PublicationSerializer(serializers.ModelSerializer):
    fiscal_year_label = serializers.CharField(source="era_label", read_only=True, help_text="令和6年度")
    department = serializers.CharField(source="department.name", allow_null=True, read_only=True)
    plan = serializers.CharField(source="plan.name", allow_null=True, read_only=True)
    url = serializers.SerializerMethodField(help_text="この版の API / this revision in the API")
    portal_url = serializers.SerializerMethodField(help_text="公開サイトの報告書 / the report on the portal")

    def _slug(self) -> str:
        municipality: Municipality = self.context["municipality"]
        return municipality.slug

    def get_url(self, publication: Publication) -> str:
        kwargs = {"municipality": self._slug(), "publication_id": publication.pk}
        return _absolute(self, reverse("api_v1:publication", kwargs=kwargs))

    def get_portal_url(self, publication: Publication) -> str:
        return _absolute(self, reverse("portal:report", kwargs={"slug": self._slug(), "pk": publication.pk}))

    class Meta:
        model = Publication
        fields = [
            "id",
            "kind",
            "fiscal_year",
            "fiscal_year_label",
            "title",
            "revision",
            "is_current",
            "published_at",
            "department",
            "plan",
            "url",
            "portal_url",
        ]


class DeclarerSerializer(serializers.Serializer):
    position = serializers.CharField()
    name = serializers.CharField()


class ClassificationSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="区分 (II)")
    label = serializers.CharField()


class GuidelineSerializer(serializers.Serializer):
    name = serializers.CharField(source="guideline")
    result_year = serializers.IntegerField(help_text="取り組み実績の年度 / year of the results")
    plan_year = serializers.IntegerField(help_text="取り組み予定の年度 / year of the plans")
    classifications = ClassificationSerializer(many=True)


class DownloadSerializer(serializers.Serializer):
    format = serializers.CharField(help_text="pdf, xlsx, csv, json")
    table = serializers.CharField(allow_null=True, help_text="CSV の表 / the CSV table")
    url = serializers.CharField()


class LicenseSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.CharField()


class RollupSerializer(serializers.Serializer):
    """The achievement roll-up as published (what the portal shows under the report)."""

    label = serializers.CharField(allow_null=True, default=None)
    threshold = serializers.CharField(help_text="基準となる評価 / grade counted as at or above")
    indicators = serializers.IntegerField()
    graded = serializers.IntegerField()
    at_or_above = serializers.IntegerField()
    share = decimal_text(allow_null=True, default=None)
    weighted_share = decimal_text(allow_null=True, default=None)
    not_evaluable = serializers.IntegerField(default=0)
    awaiting_person = serializers.IntegerField(default=0)


class ScaleSerializer(serializers.Serializer):
    name = serializers.CharField()
    grades = serializers.ListField(child=serializers.CharField())


class AchievementSerializer(serializers.Serializer):
    scale = ScaleSerializer(allow_null=True)
    rollup = RollupSerializer(allow_null=True)
    grades = serializers.DictField(
        child=serializers.IntegerField(), help_text="評価ごとの指標数 / indicators per grade"
    )


class PublicationDetailSerializer(PublicationSerializer):
    newer_revision = serializers.IntegerField(
        allow_null=True, read_only=True, help_text="新しい版の id / id of the newer revision"
    )
    declarer = DeclarerSerializer(allow_null=True, read_only=True)
    guideline = GuidelineSerializer(allow_null=True, read_only=True)
    goal_count = serializers.IntegerField(read_only=True)
    initiative_count = serializers.IntegerField(read_only=True)
    policy_count = serializers.IntegerField(
        read_only=True, help_text="施策の数（施策評価報告書）/ policy measures of a policy evaluation report"
    )
    achievement = AchievementSerializer(allow_null=True, read_only=True)
    downloads = DownloadSerializer(many=True, read_only=True)
    license = LicenseSerializer(read_only=True)

    class Meta(PublicationSerializer.Meta):
        fields = [
            *PublicationSerializer.Meta.fields,
            "newer_revision",
            "declarer",
            "guideline",
            "goal_count",
            "initiative_count",
            "policy_count",
            "achievement",
            "downloads",
            "license",
        ]


# --- public: the content of a revision ----------------------------------------------------------


class FigureSerializer(serializers.Serializer):
    label = serializers.CharField(allow_null=True, help_text="何の数値か / what it counts")
    value = decimal_text(help_text="基本単位の正確な値 / exact value in the base unit")
    unit = serializers.CharField(allow_blank=True)
    approximate = serializers.BooleanField(help_text="約 / 概ね")
    provisional = serializers.BooleanField(help_text="見込 / projected")


class ProrationSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    of = serializers.IntegerField()


class ManualGradeSerializer(serializers.Serializer):
    grade = serializers.CharField(allow_null=True, default=None)
    progress = serializers.CharField(allow_null=True, default=None)
    reason = serializers.CharField(allow_blank=True, default="")


class JudgementSerializer(serializers.Serializer):
    """An indicator as judged when the revision was published (rates and grades never change after)."""

    goal_number = serializers.IntegerField(allow_null=True, default=None)
    goal_title = serializers.CharField(allow_null=True, default=None)
    department = serializers.CharField(allow_null=True, default=None)
    label = serializers.CharField(help_text="指標 / the indicator")
    unit = serializers.CharField(allow_blank=True, default="")
    target = decimal_text(allow_null=True, default=None)
    actual = decimal_text(allow_null=True, default=None)
    target_text = serializers.CharField(
        allow_blank=True, default="", help_text="報告書の表記 / as the report prints it (10億円)"
    )
    actual_text = serializers.CharField(allow_blank=True, default="")
    formula = serializers.CharField(allow_blank=True, default="", help_text="ratio, baseline_relative, …")
    rate = decimal_text(allow_null=True, default=None, help_text="達成率（%）/ achievement rate in %")
    grade = serializers.CharField(allow_null=True, default=None, help_text="達成, 概ね達成, …")
    stated_grade = serializers.CharField(allow_null=True, default=None)
    state = serializers.CharField(
        default="", help_text="final, provisional, not_evaluable, awaiting_person, graded_by_person"
    )
    provisional = serializers.BooleanField(default=False)
    reason = serializers.CharField(allow_null=True, default=None, help_text="評価不能の理由 / why not graded")
    grade_source = serializers.CharField(allow_null=True, default=None, help_text="computed, person")
    weight = decimal_text(allow_null=True, default=None)
    scale = serializers.CharField(allow_null=True, default=None)
    change = decimal_text(allow_null=True, default=None)
    reference = decimal_text(allow_null=True, default=None)
    level = decimal_text(allow_null=True, default=None)
    proration = ProrationSerializer(allow_null=True, default=None)
    manual = ManualGradeSerializer(allow_null=True, default=None)


class GoalSerializer(serializers.Serializer):
    number = serializers.IntegerField(source="goal.number")
    title = serializers.CharField(source="goal.title")
    sections = serializers.ListField(source="goal.sections", child=serializers.CharField())
    content = serializers.CharField(source="goal.content", allow_blank=True, help_text="取組内容")
    target_text = serializers.CharField(source="goal.target_text", allow_blank=True, help_text="達成目標")
    result_text = serializers.CharField(source="goal.result_text", allow_blank=True, help_text="取組結果")
    direction_text = serializers.CharField(
        source="goal.direction_text", allow_blank=True, help_text="今後の取組の方向性"
    )
    status_text = serializers.CharField(source="goal.status_text", allow_blank=True, help_text="目標達成状況")
    targets = FigureSerializer(source="goal.targets", many=True, help_text="目標値 / target figures")
    actuals = FigureSerializer(source="goal.actuals", many=True, help_text="実績値 / actual figures")
    indicators = JudgementSerializer(
        source="judgements", many=True, help_text="指標と評価 / judged indicators"
    )
    portal_url = serializers.CharField()


class PublishedEntrySerializer(serializers.Serializer):
    text = serializers.CharField()
    sections = serializers.ListField(child=serializers.CharField(), help_text="担当課など / responsible")


class PublishedRowSerializer(serializers.Serializer):
    classification = serializers.CharField(help_text="区分")
    policy = serializers.CharField(allow_blank=True, help_text="対応方針")
    results = PublishedEntrySerializer(many=True, help_text="取り組み実績")
    plans = PublishedEntrySerializer(many=True, help_text="取り組み予定")


class InitiativeSerializer(serializers.Serializer):
    number = serializers.IntegerField(help_text="報告書での順番 / position in the report")
    chapter = serializers.CharField(source="initiative.chapter")
    subsection = serializers.CharField(source="initiative.subsection", allow_null=True)
    group = serializers.CharField(source="initiative.group", allow_null=True)
    title = serializers.CharField(source="initiative.title")
    guideline_text = serializers.CharField(source="initiative.guideline_text", allow_blank=True)
    rows = PublishedRowSerializer(source="initiative.rows", many=True)
    portal_url = serializers.CharField()


class FlatEntrySerializer(serializers.Serializer):
    initiative_number = serializers.IntegerField()
    initiative_title = serializers.CharField()
    chapter = serializers.CharField()
    row_number = serializers.IntegerField()
    classification = serializers.CharField()
    kind = serializers.ChoiceField(choices=ProgressEntry.Kind.choices, help_text="実績 result / 予定 plan")
    fiscal_year = serializers.IntegerField()
    position = serializers.IntegerField()
    text = serializers.CharField()
    sections = serializers.ListField(child=serializers.CharField())


class SummaryRowSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    department = serializers.CharField(allow_blank=True)
    publication_id = serializers.IntegerField()
    threshold = serializers.CharField()
    indicators = serializers.IntegerField()
    graded = serializers.IntegerField()
    at_or_above = serializers.IntegerField()
    awaiting_person = serializers.IntegerField()
    not_evaluable = serializers.IntegerField()
    share = decimal_text(allow_null=True)
    grades = serializers.DictField(child=serializers.IntegerField())


class PolicyIndicatorSerializer(serializers.Serializer):
    """An indicator of a 施策 as judged when the revision was published."""

    name = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    baseline = decimal_text(allow_null=True, help_text="基準値 / baseline")
    baseline_year = serializers.IntegerField(allow_null=True)
    target = decimal_text(allow_null=True, help_text="その年度の目標 / the year's target")
    actual = decimal_text(allow_null=True, help_text="実績 / the actual figure")
    actual_provisional = serializers.BooleanField(help_text="見込 / projected")
    rate = decimal_text(allow_null=True, help_text="達成率（%）/ achievement rate in %")
    grade = serializers.CharField(allow_blank=True, help_text="評価（達成, 概ね達成, …）/ the grade")


class PolicyProjectSerializer(serializers.Serializer):
    title = serializers.CharField(help_text="主な事業 / a main project")
    budget = decimal_text(allow_null=True, help_text="予算額（円）/ budget in yen")
    settlement = decimal_text(allow_null=True, help_text="決算額（円）/ settled amount in yen")
    result = serializers.CharField(allow_blank=True, help_text="実績 / what was done")


class PolicySerializer(serializers.Serializer):
    """A 施策 of a published 施策評価報告書, as the report prints it."""

    number = serializers.IntegerField(help_text="報告書での順番 / position in the report")
    label = serializers.CharField(source="sheet.label", help_text="施策番号 (1-2)")
    title = serializers.CharField(source="sheet.title")
    purpose = serializers.CharField(source="sheet.purpose", allow_blank=True, help_text="施策の目的")
    area_label = serializers.CharField(source="sheet.area_label", allow_blank=True, help_text="政策番号")
    area_title = serializers.CharField(source="sheet.area_title", allow_blank=True, help_text="政策")
    department = serializers.CharField(source="sheet.department", allow_blank=True, help_text="担当部")
    sections = serializers.ListField(
        source="sheet.sections", child=serializers.CharField(), help_text="担当課"
    )
    indicators = PolicyIndicatorSerializer(source="sheet.indicators", many=True, help_text="指標と評価")
    projects = PolicyProjectSerializer(source="sheet.projects", many=True, help_text="主な事業")
    internal_grade = serializers.CharField(
        source="sheet.internal_grade", allow_blank=True, help_text="内部評価"
    )
    reasons = serializers.CharField(source="sheet.reasons", allow_blank=True, help_text="評価の理由")
    issues = serializers.CharField(source="sheet.issues", allow_blank=True, help_text="課題")
    direction = serializers.CharField(
        source="sheet.direction", allow_blank=True, help_text="今後の方向性（拡充, 継続, 改善, 縮小, 廃止）"
    )
    committee_grade = serializers.CharField(
        source="sheet.committee_grade", allow_blank=True, help_text="外部評価 / the committee's grade"
    )
    committee_opinion = serializers.CharField(
        source="sheet.committee_opinion", allow_blank=True, help_text="外部評価委員会の意見"
    )
    response = serializers.CharField(
        source="sheet.response", allow_blank=True, help_text="意見への対応 / the department's response"
    )
    portal_url = serializers.CharField()


class SearchHitSerializer(serializers.Serializer):
    """A passage of a current published revision that holds every term of the query."""

    publication_id = serializers.IntegerField(source="entry.publication_id")
    kind = serializers.ChoiceField(source="entry.publication.kind", choices=Publication.Kind.choices)
    publication_title = serializers.CharField(source="entry.publication.title")
    fiscal_year = serializers.IntegerField(source="entry.fiscal_year")
    heading = serializers.CharField(source="entry.heading", help_text="目標・取り組み・施策 / what matched")
    department = serializers.CharField(source="entry.department_name", allow_blank=True)
    sections = serializers.SerializerMethodField(help_text="担当課など / responsible")
    grades = serializers.SerializerMethodField(help_text="評価 / grades (goals, policy measures)")
    snippet = serializers.SerializerMethodField(help_text="一致した箇所の前後 / the text around the match")
    snippet_html = serializers.CharField(
        source="snippet", help_text="同じ抜粋（HTML、一致語を <mark>）/ the same, escaped HTML with <mark>"
    )
    url = serializers.SerializerMethodField(help_text="この版の API / the revision in the API")
    portal_url = serializers.SerializerMethodField(
        help_text="公開サイトの該当箇所 / the passage on the portal"
    )

    def get_sections(self, hit: Any) -> list[str]:
        names = hit.entry.section_names
        return [name for name in names.split("、") if name] if names else []

    def get_grades(self, hit: Any) -> list[str]:
        return [grade for grade in hit.entry.grade.split("|") if grade]

    def get_snippet(self, hit: Any) -> str:
        # The selector escapes the text and marks the terms: the plain text is that, unmarked.
        return html.unescape(_MARK.sub("", str(hit.snippet)))

    def get_url(self, hit: Any) -> str:
        kwargs = {
            "municipality": self.context["municipality"].slug,
            "publication_id": hit.entry.publication_id,
        }
        return _absolute(self, reverse("api_v1:publication", kwargs=kwargs))

    def get_portal_url(self, hit: Any) -> str:
        kwargs = {"slug": self.context["municipality"].slug, "pk": hit.entry.publication_id}
        return _absolute(self, f"{reverse('portal:report', kwargs=kwargs)}#{hit.entry.anchor}")


# --- filters (query parameters) -----------------------------------------------------------------


class MunicipalityFilters(serializers.Serializer):
    prefecture = serializers.CharField(required=False, max_length=10, help_text="都道府県 / prefecture")


class PublicationFilters(serializers.Serializer):
    fiscal_year = serializers.IntegerField(required=False, min_value=1868, max_value=2200)
    kind = serializers.ChoiceField(required=False, choices=Publication.Kind.choices)
    department = serializers.CharField(required=False, max_length=100, help_text="部の名称 / department")
    all_revisions = serializers.BooleanField(
        required=False, default=False, help_text="古い版も含める / include superseded revisions"
    )


class GoalFilters(serializers.Serializer):
    section = serializers.CharField(
        required=False, max_length=100, help_text="担当課 / a responsible section"
    )
    grade = serializers.CharField(
        required=False, max_length=50, help_text="指標の評価 / an indicator's grade"
    )


class IndicatorFilters(GoalFilters):
    goal_number = serializers.IntegerField(required=False, min_value=0, max_value=32767)
    state = serializers.CharField(required=False, max_length=30)


class InitiativeFilters(serializers.Serializer):
    section = serializers.CharField(required=False, max_length=200, help_text="担当課など / responsible")
    classification = serializers.CharField(required=False, max_length=20, help_text="区分 (II)")


class EntryFilters(InitiativeFilters):
    kind = serializers.ChoiceField(required=False, choices=ProgressEntry.Kind.choices)


class SummaryFilters(serializers.Serializer):
    fiscal_year = serializers.IntegerField(required=False, min_value=1868, max_value=2200)
    department = serializers.CharField(required=False, max_length=100)


class PolicyFilters(serializers.Serializer):
    area = serializers.CharField(required=False, max_length=50, help_text="政策番号 / the area's label")
    department = serializers.CharField(required=False, max_length=100, help_text="担当部 / department")
    grade = serializers.CharField(required=False, max_length=50, help_text="内部評価 / the internal grade")


# Control characters and lone surrogates are in no published text: the portal reads them as spaces.
_UNSEARCHABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class SearchText(serializers.CharField):
    """A text to search for: control characters are made spaces (as the portal does), not refused
    (made before the validators run, which would refuse NUL and surrogates)."""

    def to_internal_value(self, data: Any) -> str:
        text = super().to_internal_value(data)
        return _UNSEARCHABLE.sub(" ", text).strip()


class SearchFilters(serializers.Serializer):
    q = SearchText(
        max_length=200,
        allow_blank=True,
        trim_whitespace=False,
        help_text="語（空白で区切るとすべてを含むもの）/ words, all of which must appear",
    )
    fiscal_year = serializers.IntegerField(required=False, min_value=1868, max_value=2200)
    department = SearchText(required=False, max_length=100, help_text="部の名称 / department")
    section = SearchText(required=False, max_length=200, help_text="担当課など / responsible")
    grade = SearchText(required=False, max_length=50, help_text="評価 / a grade")


# --- the token's user ---------------------------------------------------------------------------


class MembershipSerializer(serializers.ModelSerializer):
    municipality = serializers.CharField(source="municipality.slug", help_text="slug")
    department = serializers.CharField(source="department.name", allow_null=True)
    section = serializers.CharField(source="section.name", allow_null=True)

    class Meta:
        model = Membership
        fields = ["municipality", "role", "department", "section", "valid_from", "valid_to"]


class TokenSerializer(serializers.ModelSerializer):
    class Meta:
        model = AccessToken
        fields = ["name", "scope", "prefix", "created_at", "expires_at"]


class MeSerializer(serializers.Serializer):
    username = serializers.CharField()
    full_name = serializers.CharField(allow_blank=True)
    token = TokenSerializer()
    memberships = MembershipSerializer(many=True)


# --- staff: drafts, rounds and their entries (token) --------------------------------------------


class TargetSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    kind = serializers.CharField(help_text="final, interim")
    value = decimal_text()
    approximate = serializers.BooleanField()
    provisional = serializers.BooleanField()
    text = serializers.CharField(allow_blank=True, help_text="入力された表記 / as written")


class MeasurementSerializer(serializers.Serializer):
    fiscal_year = serializers.IntegerField()
    value = decimal_text()
    approximate = serializers.BooleanField()
    provisional = serializers.BooleanField()
    text = serializers.CharField(allow_blank=True, help_text="入力された表記 / as written")


class DraftIndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    direction = serializers.CharField()
    formula = serializers.CharField()
    baseline_value = decimal_text(allow_null=True)
    baseline_year = serializers.IntegerField(allow_null=True)
    cumulative = serializers.BooleanField()
    targets = TargetSerializer(many=True, source="targets.all")
    measurements = MeasurementSerializer(many=True, source="measurements.all")


class DraftGoalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    sections = serializers.SerializerMethodField()
    content = serializers.CharField(allow_blank=True)
    target_text = serializers.CharField(allow_blank=True)
    result_text = serializers.CharField(allow_blank=True)
    direction_text = serializers.CharField(allow_blank=True)
    status_text = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField()
    indicators = DraftIndicatorSerializer(many=True, source="indicators.all")

    def get_sections(self, goal: Any) -> list[str]:
        return [link.section.name for link in goal.goalsection_set.all()]


class DeclarationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    fiscal_year = serializers.IntegerField()
    department = serializers.CharField(source="department.name")
    title = serializers.CharField(allow_blank=True)
    declarer_position = serializers.CharField()
    declarer_name = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField()
    updated_at = serializers.DateTimeField()
    goal_count = serializers.IntegerField()


class EditStateSerializer(serializers.Serializer):
    editable = serializers.BooleanField()
    reason = serializers.CharField()


class DeclarationDetailSerializer(DeclarationSerializer):
    writable = serializers.BooleanField(help_text="この利用者が書けるか / whether the user may write it")
    edit_state = EditStateSerializer()
    goals = DraftGoalSerializer(many=True, source="goals.all")


class DeclarationFilters(serializers.Serializer):
    fiscal_year = serializers.IntegerField(required=False, min_value=1868, max_value=2200)


class RoundSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    fiscal_year = serializers.IntegerField()
    kind = serializers.CharField(
        help_text="goal_declaration, year_end_results, guideline_progress, policy_evaluation, mid_year, …"
    )
    title = serializers.CharField()
    deadline = serializers.DateField()
    status = serializers.CharField(help_text="open, closed")


class RoundSerializer(RoundSummarySerializer):
    asked = serializers.IntegerField(help_text="見える依頼の数 / requests the user sees")
    not_submitted = serializers.IntegerField()
    accepted = serializers.IntegerField()
    late = serializers.IntegerField()


class RoundFilters(serializers.Serializer):
    fiscal_year = serializers.IntegerField(required=False, min_value=1868, max_value=2200)
    status = serializers.ChoiceField(required=False, choices=["open", "closed"])


class BoardRowSerializer(serializers.Serializer):
    section_id = serializers.IntegerField(source="section.pk")
    section = serializers.CharField(source="section.name")
    department = serializers.CharField(source="department.name", allow_null=True, default=None)
    status = serializers.CharField(source="request.status")
    late = serializers.BooleanField()


class RoundDetailSerializer(RoundSummarySerializer):
    requests = BoardRowSerializer(many=True, help_text="見える課への依頼 / requests the user sees")


class WorkEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="result, plan")
    fiscal_year = serializers.IntegerField()
    position = serializers.IntegerField()
    text = serializers.CharField()
    version = serializers.IntegerField(help_text="変更・削除のときに送る / send it back to change or delete")
    sections = serializers.SerializerMethodField()

    def get_sections(self, entry: Any) -> list[str]:
        return [str(party) for party in entry.responsibles.all()]


class WorkRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="row.pk")
    initiative = serializers.CharField(source="row.initiative.title")
    classification = serializers.CharField(source="row.classification.code")
    policy = serializers.CharField(source="row.policy", allow_blank=True)
    results = WorkEntrySerializer(many=True)
    plans = WorkEntrySerializer(many=True)


class ActualSerializer(serializers.Serializer):
    value = decimal_text()
    approximate = serializers.BooleanField()
    provisional = serializers.BooleanField()
    text = serializers.CharField(allow_blank=True)


class GoalIndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    unit = serializers.CharField(allow_blank=True)
    formula = serializers.CharField()
    actual = serializers.SerializerMethodField(help_text="この年度の実績 / the actual of the round's year")
    targets = TargetSerializer(many=True, source="all_targets")

    @extend_schema_field(ActualSerializer(allow_null=True))
    def get_actual(self, indicator: Any) -> dict[str, Any] | None:
        actuals = indicator.actuals
        return ActualSerializer(actuals[0]).data if actuals else None


class WorkGoalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    title = serializers.CharField()
    department = serializers.CharField(source="declaration.department.name")
    result_text = serializers.CharField(allow_blank=True, help_text="取組結果")
    direction_text = serializers.CharField(allow_blank=True, help_text="今後の取組の方向性")
    status_text = serializers.CharField(allow_blank=True, help_text="目標達成状況")
    version = serializers.IntegerField(help_text="変更のときに送る / send it back to change")
    indicators = GoalIndicatorSerializer(many=True, source="indicators.all")


# The steps of the approval ladder the API takes (the others stay on the site).
STEP_ACTIONS = ("submit", "approve", "accept", "send_back")
_STATUSES = ", ".join(RequestStatus.values)


class StepSerializer(serializers.Serializer):
    at = serializers.DateTimeField()
    from_status = serializers.CharField(help_text=_STATUSES)
    to_status = serializers.CharField(help_text=_STATUSES)
    by = serializers.SerializerMethodField(help_text="段階をとった人 / who took the step")
    on_behalf = serializers.BooleanField(help_text="代理 / taken on the section's behalf")
    comment = serializers.CharField(allow_blank=True)

    def get_by(self, step: Any) -> str:
        if step.actor is None:
            return process_label(step.actor_label)
        return str(step.actor.get_full_name() or step.actor.username)


class RequestStateSerializer(serializers.Serializer):
    round = RoundSummarySerializer(source="request.round")
    section_id = serializers.IntegerField(source="request.section.pk")
    section = serializers.CharField(source="request.section.name")
    status = serializers.CharField(source="request.status", help_text=_STATUSES)
    actions = serializers.ListField(
        child=serializers.CharField(help_text=", ".join(STEP_ACTIONS)),
        help_text="この利用者が今とれる段階（steps/ に送る）/ the steps the user may take now (POST steps/)",
    )
    steps = StepSerializer(many=True, help_text="承認の履歴 / the ladder's history, oldest first")


class SheetSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    label = serializers.CharField(source="policy.label", help_text="施策番号")
    title = serializers.CharField(source="policy.title")
    internal_grade = serializers.CharField(allow_blank=True)
    direction = serializers.CharField(allow_blank=True)
    version = serializers.IntegerField()


class RequestSerializer(RequestStateSerializer):
    can_edit = serializers.BooleanField(help_text="この利用者が今書けるか / whether the user may write now")
    rows = WorkRowSerializer(many=True)
    goals = WorkGoalSerializer(many=True)
    sheets = SheetSummarySerializer(
        many=True, help_text="施策評価シート（施策評価の照会）/ policy evaluation sheets"
    )


# Writes: validated here for their shape, then by the web form itself (the same rules).


class EntryCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ProgressEntry.Kind.choices, help_text="実績 result / 予定 plan")
    text = serializers.CharField(max_length=4000, trim_whitespace=False)


class EntryUpdateSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=4000, trim_whitespace=False)
    version = serializers.IntegerField(min_value=1, help_text="読んだときの version / as read")


class EntryDeleteParameters(serializers.Serializer):
    version = serializers.IntegerField(min_value=1, help_text="読んだときの version / as read")


class ActualWriteSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(help_text="指標の id / the indicator's id")
    text = serializers.CharField(
        max_length=300,
        allow_blank=True,
        trim_whitespace=False,
        help_text="画面と同じ書き方 / as typed on the form: 約１２億７，７００万円（見込）; empty removes it",
    )


class GoalResultsWriteSerializer(serializers.Serializer):
    result_text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    direction_text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    status_text = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    actuals = ActualWriteSerializer(many=True, required=False, max_length=100)
    version = serializers.IntegerField(min_value=1, help_text="読んだときの version / as read")


class StepWriteSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=STEP_ACTIONS,
        help_text="提出 submit・承認 approve・受理 accept・差戻し send_back",
    )
    comment = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        trim_whitespace=False,
        help_text="コメント（差戻しには必須）/ a comment (sending back needs one)",
    )
    confirmed = serializers.BooleanField(
        required=False,
        default=False,
        help_text=(
            "空のまま・前年のままの回答も提出する（画面の確認と同じ）"
            " / submit even an answer that looks empty or untouched (the page's confirmation)"
        ),
    )


# --- staff: a 施策評価シート ---------------------------------------------------------------------


class SheetIndicatorSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="indicator.pk", help_text="指標の id（actuals に使う）/ for actuals")
    name = serializers.CharField(source="indicator.name")
    unit = serializers.CharField(source="indicator.unit", allow_blank=True)
    baseline = decimal_text(source="indicator.baseline_value", allow_null=True, help_text="基準値")
    baseline_year = serializers.IntegerField(source="indicator.baseline_year", allow_null=True)
    actual = ActualSerializer(
        source="measurement",
        allow_null=True,
        help_text="この年度の実績（入力どおり）/ the year's actual as typed",
    )
    judgement = serializers.SerializerMethodField(
        help_text="その年度の達成率と評価 / the year's rate and grade"
    )

    @extend_schema_field(JudgementSerializer)
    def get_judgement(self, view: Any) -> dict[str, Any]:
        return dict(JudgementSerializer(view.result.to_json()).data)


class SheetProjectSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        help_text="事業実績の id（projects に使う）/ the project result's id, for projects"
    )
    title = serializers.CharField(source="project.title", help_text="主な事業")
    budget = decimal_text(allow_null=True, help_text="予算額（円）/ budget in yen")
    settlement = decimal_text(allow_null=True, help_text="決算額（円）/ settled amount in yen")
    result = serializers.CharField(allow_blank=True, help_text="実績 / what was done")


class SheetSerializer(serializers.Serializer):
    """A 施策評価シート as the section fills it in (``policies.selectors.sheet_view``)."""

    id = serializers.IntegerField(source="view.sheet.pk")
    fiscal_year = serializers.IntegerField(source="view.sheet.fiscal_year")
    label = serializers.CharField(source="view.sheet.policy.label", help_text="施策番号")
    title = serializers.CharField(source="view.sheet.policy.title", help_text="施策")
    purpose = serializers.CharField(source="view.sheet.policy.body", allow_blank=True, help_text="施策の目的")
    area_label = serializers.CharField(
        source="area.label", allow_blank=True, default="", help_text="政策番号"
    )
    area_title = serializers.CharField(source="area.title", allow_blank=True, default="", help_text="政策")
    department = serializers.CharField(source="view.sheet.department.name")
    section = serializers.CharField(source="view.sheet.section.name")
    grades = serializers.ListField(
        source="view.grades",
        child=serializers.CharField(),
        help_text="選べる評価（良い順）/ the grades, best first",
    )
    indicators = SheetIndicatorSerializer(source="view.indicators", many=True)
    projects = SheetProjectSerializer(source="view.projects", many=True)
    internal_grade = serializers.CharField(
        source="view.sheet.internal_grade", allow_blank=True, help_text="内部評価"
    )
    reasons = serializers.CharField(source="view.sheet.reasons", allow_blank=True, help_text="評価の理由")
    issues = serializers.CharField(source="view.sheet.issues", allow_blank=True, help_text="課題")
    direction = serializers.CharField(
        source="view.sheet.direction",
        allow_blank=True,
        help_text="今後の方向性 / direction: expand, continue, improve, reduce, abolish (or empty)",
    )
    direction_text = serializers.SerializerMethodField(help_text="拡充, 継続, 改善, 縮小, 廃止")
    committee_grade = serializers.CharField(
        source="view.sheet.committee_grade", allow_blank=True, help_text="外部評価 / the committee's grade"
    )
    committee_opinion = serializers.CharField(
        source="view.sheet.committee_opinion", allow_blank=True, help_text="外部評価委員会の意見"
    )
    response = serializers.CharField(
        source="view.sheet.response", allow_blank=True, help_text="意見への対応 / the department's response"
    )
    version = serializers.IntegerField(
        source="view.sheet.version", help_text="変更のときに送る / send it back to change"
    )
    can_edit = serializers.BooleanField(help_text="この利用者が今書けるか / whether the user may write now")

    def get_direction_text(self, page: Any) -> str:
        return str(DIRECTION_WORDS.get(page.view.sheet.direction, ""))


class ProjectWriteSerializer(serializers.Serializer):
    id = serializers.IntegerField(help_text="事業実績の id / the project result's id")
    budget = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        trim_whitespace=False,
        help_text="予算額、画面と同じ書き方（12,345,000 / 1,234万円）; empty removes it",
    )
    settlement = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=40,
        trim_whitespace=False,
        help_text="決算額 / settled amount",
    )
    result = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False, help_text="実績")


class SheetWriteSerializer(serializers.Serializer):
    internal_grade = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=50,
        help_text="内部評価（grades のどれか）/ one of grades",
    )
    reasons = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    issues = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    direction = serializers.ChoiceField(
        required=False, allow_blank=True, choices=Direction.choices, help_text="今後の方向性 / direction"
    )
    projects = ProjectWriteSerializer(many=True, required=False, max_length=100)
    actuals = ActualWriteSerializer(many=True, required=False, max_length=100)
    version = serializers.IntegerField(min_value=1, help_text="読んだときの version / as read")
