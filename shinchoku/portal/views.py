"""The public portal: published snapshots only, no login. Thin views over publishing.selectors."""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from shinchoku.core.eras import format_fiscal_year
from shinchoku.documents.schema import ParsedGoalDeclaration, document_from_json
from shinchoku.organizations.selectors import municipality_public
from shinchoku.portal.presenters import goal_rows, guideline_blocks
from shinchoku.publishing import selectors
from shinchoku.publishing.models import Publication
from shinchoku.reports import charts, opendata
from shinchoku.reports.rendering import FORMATS, SUMMARY_FORMATS, render_publication, render_summary


@require_GET
def index(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = municipality_public(slug)
    years: dict[int, list[Publication]] = {}
    for publication in selectors.current_publications(municipality):
        years.setdefault(publication.fiscal_year, []).append(publication)
    return render(request, "portal/index.html", {"municipality": municipality, "years": years})


def download_base(slug: str, pk: int) -> str:
    """The download URLs of a report without the format: ``…/download.`` + pdf, xlsx, csv, json."""
    return reverse("portal:download", kwargs={"slug": slug, "pk": pk, "fmt": "pdf"}).removesuffix("pdf")


@require_GET
def report(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    municipality = municipality_public(slug)
    publication = selectors.publication_public(municipality, pk)
    document = document_from_json(publication.document)
    context: dict[str, object] = {
        "municipality": municipality,
        "publication": publication,
        "document": document,
        "newer": selectors.newer_revision(publication),
        "csv_tables": opendata.csv_links(document.kind),
        "license": opendata.LICENSE,
        "download_base": download_base(municipality.slug, publication.pk),
    }
    if isinstance(document, ParsedGoalDeclaration):
        context["rows"] = goal_rows(document, publication.evaluation)
        context["rollup"] = publication.evaluation.get("rollup")
        return render(request, "portal/goal_declaration.html", context)
    context["blocks"] = guideline_blocks(document)
    return render(request, "portal/guideline_progress.html", context)


@require_GET
def download(request: HttpRequest, slug: str, pk: int, fmt: str) -> HttpResponse:
    if fmt not in FORMATS:
        raise Http404("Unknown format.")
    municipality = municipality_public(slug)
    publication = selectors.publication_public(municipality, pk)
    document = document_from_json(publication.document)
    table = request.GET.get("table") if fmt == "csv" else None
    if table is not None and table not in opendata.CSV_TABLES[document.kind]:
        raise Http404("Unknown table.")
    rendered, filename = render_publication(publication, fmt, table)
    response = HttpResponse(rendered.content, content_type=rendered.content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    if fmt in ("csv", "json"):
        response["Link"] = f'<{opendata.LICENSE_URL}>; rel="license"'
    return response


# Control characters (NUL among them: PostgreSQL refuses it, FTS5 reads it as the end of the
# string) and lone surrogates cannot be in any published text: a query never needs them.
_UNSEARCHABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def _search_text(value: str, limit: int = 200) -> str:
    return _UNSEARCHABLE.sub(" ", value).strip()[:limit]


@require_GET
def search(request: HttpRequest, slug: str) -> HttpResponse:
    municipality = municipality_public(slug)
    query = _search_text(request.GET.get("q", ""))
    year = request.GET.get("year", "")
    filters = selectors.SearchFilters(
        # ASCII digits only: "²" and "١٢" are digits to str.isdigit but not a year.
        year=int(year) if re.fullmatch(r"[0-9]{4}", year) else None,
        department=_search_text(request.GET.get("department", "")),
        section=_search_text(request.GET.get("section", "")),
        grade=_search_text(request.GET.get("grade", "")),
    )
    hits = selectors.search(municipality, query, filters) if query else []
    return render(
        request,
        "portal/search.html",
        {
            "municipality": municipality,
            "query": query,
            "filters": filters,
            "hits": hits,
            "choices": selectors.filter_choices(municipality),
        },
    )


def _chart_point(name: str, at_or_above: int, graded: int) -> str:
    """One point of a chart's text description: 「企画部：9件中9件」, "企画部: 9 of 9"."""
    return _("%(name)s: %(at)s of %(graded)s") % {"name": name, "at": at_or_above, "graded": graded}


@require_GET
def summary(request: HttpRequest, slug: str) -> HttpResponse:
    """Achievement per department and year, from published goal declarations, with SVG charts."""
    municipality = municipality_public(slug)
    rows, years = selectors.published_summary(municipality)
    fmt = request.GET.get("format")
    if fmt is not None:
        if fmt not in SUMMARY_FORMATS:
            raise Http404("Unknown format.")
        content, content_type = render_summary(rows, fmt, municipality)
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{municipality.code}_summary.{fmt}"'
        if fmt in ("csv", "json"):
            response["Link"] = f'<{opendata.LICENSE_URL}>; rel="license"'
        return response
    latest = years[-1].fiscal_year if years else None
    latest_rows = [r for r in rows if r.fiscal_year == latest]
    context = {
        "municipality": municipality,
        "rows": rows,
        "years": years,
        "latest": latest,
        "department_chart": charts.bar_chart(
            [charts.Bar(r.department, r.share) for r in latest_rows],
            title=_("Share of indicators at or above the threshold, by department"),
            description=_("; ").join(
                _chart_point(r.department, r.at_or_above, r.graded) for r in latest_rows
            ),
            chart_id="chart-departments",
        )
        if latest_rows
        else "",
        "trend_chart": charts.line_chart(
            [charts.Bar(format_fiscal_year(y.fiscal_year), y.share) for y in years],
            title=_("Share of indicators at or above the threshold, by year"),
            description=_("; ").join(
                _chart_point(format_fiscal_year(y.fiscal_year), y.at_or_above, y.graded) for y in years
            ),
            chart_id="chart-trend",
        )
        if years
        else "",
    }
    return render(request, "portal/summary.html", context)
