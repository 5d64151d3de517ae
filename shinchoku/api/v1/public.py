"""Public endpoints: what the portal publishes, as data. No token needed; thin views.

Municipalities are public (``organizations.selectors.municipality_public``); everything else
comes from published revisions through ``published.py``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView, ListAPIView, RetrieveAPIView
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from shinchoku.api.pagination import SearchPagination
from shinchoku.api.v1 import published
from shinchoku.api.v1 import serializers as s
from shinchoku.api.v1.common import ID, FilteredMixin
from shinchoku.organizations.models import Municipality
from shinchoku.organizations.selectors import municipality_list, municipality_public
from shinchoku.publishing import selectors
from shinchoku.publishing.models import Publication

PUBLIC = ["公開データ / public data"]
REVISION = OpenApiParameter(
    "publication_id", ID, OpenApiParameter.PATH, description="公表された版の id / id of a published revision"
)


class PublicView(FilteredMixin, GenericAPIView):
    permission_classes = [AllowAny]
    kwargs: dict[str, Any]

    def municipality(self) -> Municipality:
        cached: Municipality | None = getattr(self, "_municipality", None)
        if cached is None:
            cached = municipality_public(self.kwargs["municipality"])
            self._municipality = cached
        return cached

    def report(self) -> published.Report:
        return published.report(self.municipality(), self.kwargs["publication_id"])

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)


@extend_schema(tags=PUBLIC, summary="自治体の一覧 / municipalities", parameters=[s.MunicipalityFilters])
class MunicipalityList(PublicView, ListAPIView):
    serializer_class = s.MunicipalitySerializer
    filters = s.MunicipalityFilters

    def get_queryset(self) -> QuerySet[Municipality]:
        values = self.filter_values()
        found = municipality_list()
        if values.get("prefecture"):
            found = found.filter(prefecture=values["prefecture"])
        return found


@extend_schema(
    tags=PUBLIC,
    summary="自治体と年度ごとの達成状況 / a municipality, its years and achievement per year",
)
class MunicipalityDetail(PublicView, RetrieveAPIView):
    serializer_class = s.MunicipalityDetailSerializer

    def get_object(self) -> Municipality:
        municipality = self.municipality()
        years = selectors.current_publications(municipality).order_by().values_list("fiscal_year", flat=True)
        _rows, totals = selectors.published_summary(municipality)
        setattr(municipality, "published_years", sorted(set(years), reverse=True))  # noqa: B010
        setattr(municipality, "achievement_by_year", totals)  # noqa: B010
        return municipality


@extend_schema(
    tags=PUBLIC,
    summary="公表された報告書の一覧 / the catalogue of published reports",
    description=(
        "現在の版（ポータルの一覧と同じ）。all_revisions=true で過去の版も。"
        " The current revisions, as the portal lists them; all_revisions=true adds superseded ones."
    ),
    parameters=[s.PublicationFilters],
)
class PublicationList(PublicView, ListAPIView):
    serializer_class = s.PublicationSerializer
    filters = s.PublicationFilters

    def get_queryset(self) -> QuerySet[Publication]:
        values = self.filter_values()
        found = published.revisions(self.municipality(), all_revisions=values.get("all_revisions", False))
        if values.get("fiscal_year"):
            found = found.filter(fiscal_year=values["fiscal_year"])
        if values.get("kind"):
            found = found.filter(kind=values["kind"])
        if values.get("department"):
            found = found.filter(department__name=values["department"])
        return found

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "municipality": self.municipality()}


@extend_schema(tags=PUBLIC, summary="公表された版 / a published revision", parameters=[REVISION])
class PublicationDetail(PublicView, RetrieveAPIView):
    serializer_class = s.PublicationDetailSerializer

    def get_object(self) -> Publication:
        found = self.report()
        for name, value in published.report_detail(found, self.absolute).items():
            setattr(found.publication, name, value)
        return found.publication

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "municipality": self.municipality()}


@extend_schema(
    tags=PUBLIC,
    summary="目標と指標（目標宣言の版）/ goals with their indicators (goal declaration reports)",
    parameters=[REVISION, s.GoalFilters],
)
class GoalList(PublicView, ListAPIView):
    serializer_class = s.GoalSerializer
    filters = s.GoalFilters

    def get_queryset(self) -> list[published.Goal]:
        values = self.filter_values()
        return published.goals(self.report(), self.absolute, **values)


@extend_schema(
    tags=PUBLIC,
    summary="指標の実績・目標と評価 / indicators with figures, rates and grades",
    parameters=[REVISION, s.IndicatorFilters],
)
class IndicatorList(PublicView, ListAPIView):
    serializer_class = s.JudgementSerializer
    filters = s.IndicatorFilters

    def get_queryset(self) -> list[dict[str, Any]]:
        return published.judgements(self.report(), **self.filter_values())


@extend_schema(
    tags=PUBLIC,
    summary="達成状況の集計（目標宣言の版）/ the achievement roll-up of a revision",
    parameters=[REVISION],
    responses=s.AchievementSerializer,
)
class AchievementDetail(PublicView):
    serializer_class = s.AchievementSerializer

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        found = self.report()
        data = published.achievement(found.publication)
        if data is None:
            found.goal_declaration()  # 404: only goal declarations are judged
        return Response(self.get_serializer(data).data)


@extend_schema(
    tags=PUBLIC,
    summary="取り組みと実績・予定（指針の版）/ initiatives with results and plans (guideline reports)",
    parameters=[REVISION, s.InitiativeFilters],
)
class InitiativeList(PublicView, ListAPIView):
    serializer_class = s.InitiativeSerializer
    filters = s.InitiativeFilters

    def get_queryset(self) -> list[published.Initiative]:
        return published.initiatives(self.report(), self.absolute, **self.filter_values())


@extend_schema(
    tags=PUBLIC,
    summary="実績・予定の一覧（指針の版）/ every result and plan entry, one row each",
    parameters=[REVISION, s.EntryFilters],
)
class EntryList(PublicView, ListAPIView):
    serializer_class = s.FlatEntrySerializer
    filters = s.EntryFilters

    def get_queryset(self) -> list[dict[str, Any]]:
        return published.entries(self.report(), **self.filter_values())


@extend_schema(
    tags=PUBLIC,
    summary="施策と評価（施策評価報告書の版）/ policy measures with their evaluation (policy evaluation reports)",
    description=(
        "各施策の指標（達成率・評価）、主な事業、内部評価、今後の方向性、外部評価委員会の意見と対応。"
        " Each 施策 as the report publishes it: indicators with rate and grade, main projects, the"
        " internal evaluation and direction, the committee's grade and opinion, the response."
    ),
    parameters=[REVISION, s.PolicyFilters],
)
class PolicyList(PublicView, ListAPIView):
    serializer_class = s.PolicySerializer
    filters = s.PolicyFilters

    def get_queryset(self) -> list[published.Policy]:
        return published.policies(self.report(), self.absolute, **self.filter_values())


@extend_schema(
    tags=PUBLIC,
    summary="公表された報告書を検索 / search the published reports",
    description=(
        "ポータルの検索と同じ：現在の版の目標・取り組み・施策から、すべての語を含むものを新しい年度順に"
        "（1ページ20件、最初の100件まで）。"
        " The portal's search: passages of the current revisions holding every word, newest year"
        " first (20 a page, the first 100 matches at most)."
    ),
    parameters=[s.SearchFilters],
)
class SearchList(PublicView, ListAPIView):
    serializer_class = s.SearchHitSerializer
    filters = s.SearchFilters
    pagination_class = SearchPagination

    def get_queryset(self) -> list[Any]:
        values = self.filter_values()
        filters = selectors.SearchFilters(
            year=values.get("fiscal_year"),
            department=values.get("department", ""),
            section=values.get("section", ""),
            grade=values.get("grade", ""),
        )
        return published.search(self.municipality(), values["q"], filters)

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "municipality": self.municipality()}


@extend_schema(
    tags=PUBLIC,
    summary="部・年度ごとの達成状況 / published achievement per department and year",
    parameters=[s.SummaryFilters],
)
class SummaryList(PublicView, ListAPIView):
    serializer_class = s.SummaryRowSerializer
    filters = s.SummaryFilters

    def get_queryset(self) -> list[Any]:
        values = self.filter_values()
        rows, _totals = selectors.published_summary(self.municipality())
        return [
            row
            for row in rows
            if (not values.get("fiscal_year") or row.fiscal_year == values["fiscal_year"])
            and (not values.get("department") or row.department == values["department"])
        ]
