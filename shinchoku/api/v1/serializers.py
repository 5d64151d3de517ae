"""What the API's JSON looks like (v1): DRF serializers over what the selectors return.

Published data is read from the published revisions only (``Publication.document`` and
``Publication.evaluation``, as the portal reads them) and shaped by ``published.py``; the
serializers here only name and type the fields. Amounts are exact decimals written as strings
("1277000000", "81.2"), never floats; dates and times are ISO 8601.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shinchoku.api.models import AccessToken
from shinchoku.organizations.models import Membership, Municipality
from shinchoku.progress.models import ProgressEntry
from shinchoku.publishing.models import Publication

_PLAIN_DECIMAL = re.compile(r"-?[0-9]+(\.[0-9]+)?")


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
    kind = serializers.CharField(help_text="goal_declaration, year_end_results, guideline_progress")
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


class RequestSerializer(serializers.Serializer):
    round = RoundSummarySerializer(source="request.round")
    section_id = serializers.IntegerField(source="request.section.pk")
    section = serializers.CharField(source="request.section.name")
    status = serializers.CharField(source="request.status")
    can_edit = serializers.BooleanField(help_text="この利用者が今書けるか / whether the user may write now")
    rows = WorkRowSerializer(many=True)
    goals = WorkGoalSerializer(many=True)


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
