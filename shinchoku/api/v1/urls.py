"""/api/v1/: the version 1 of the REST API (docs/api.md says what a version promises)."""

from __future__ import annotations

from typing import Any

from django.urls import path, re_path
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.views import APIView

from shinchoku.api.docs import RedocView, SchemaView, SwaggerView
from shinchoku.api.v1 import public, work


@extend_schema(exclude=True)
class NoSuchEndpoint(APIView):
    """Any other address under /api/v1/: a JSON 404, not the HTML page of the site."""

    permission_classes = [AllowAny]

    def http_method_not_allowed(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        raise NotFound()

    def options(self, request: Request, *args: Any, **kwargs: Any) -> Any:
        raise NotFound()


app_name = "api_v1"
municipality = "municipalities/<slug:municipality>/"
revision = f"{municipality}publications/<int:publication_id>/"
request = f"{municipality}rounds/<int:round_id>/sections/<int:section_id>/"
urlpatterns = [
    path("schema/", SchemaView.as_view(), name="schema"),
    path("docs/", SwaggerView.as_view(), name="docs"),
    path("redoc/", RedocView.as_view(), name="redoc"),
    # Public: published data (no token).
    path("municipalities/", public.MunicipalityList.as_view(), name="municipalities"),
    path(municipality, public.MunicipalityDetail.as_view(), name="municipality"),
    path(f"{municipality}achievement/", public.SummaryList.as_view(), name="achievement"),
    path(f"{municipality}publications/", public.PublicationList.as_view(), name="publications"),
    path(revision, public.PublicationDetail.as_view(), name="publication"),
    path(f"{revision}goals/", public.GoalList.as_view(), name="goals"),
    path(f"{revision}indicators/", public.IndicatorList.as_view(), name="indicators"),
    path(f"{revision}achievement/", public.AchievementDetail.as_view(), name="publication_achievement"),
    path(f"{revision}initiatives/", public.InitiativeList.as_view(), name="initiatives"),
    path(f"{revision}entries/", public.EntryList.as_view(), name="entries"),
    path(f"{revision}policies/", public.PolicyList.as_view(), name="policies"),
    path(f"{municipality}search/", public.SearchList.as_view(), name="search"),
    # Staff: a personal access token (drafts, rounds, entries and figures).
    path("me/", work.Me.as_view(), name="me"),
    path(f"{municipality}declarations/", work.DeclarationList.as_view(), name="declarations"),
    path(
        f"{municipality}declarations/<int:declaration_id>/",
        work.DeclarationDetail.as_view(),
        name="declaration",
    ),
    path(f"{municipality}rounds/", work.RoundList.as_view(), name="rounds"),
    path(f"{municipality}rounds/<int:round_id>/", work.RoundDetail.as_view(), name="round"),
    path(request, work.RequestDetail.as_view(), name="request"),
    path(f"{request}rows/<int:row_id>/entries/", work.EntryCreate.as_view(), name="entry_create"),
    path(f"{request}entries/<int:entry_id>/", work.EntryDetail.as_view(), name="entry"),
    path(f"{request}goals/<int:goal_id>/", work.GoalResults.as_view(), name="goal_results"),
    path(f"{request}steps/", work.RequestStep.as_view(), name="request_step"),
    path(f"{request}sheets/<int:sheet_id>/", work.SheetDetail.as_view(), name="sheet"),
    # [\s\S]: a path with a newline in it is not found either (in JSON).
    re_path(r"^[\s\S]*$", NoSuchEndpoint.as_view()),
]
