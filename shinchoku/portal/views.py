"""The public portal: published snapshots only, no login. Thin views over publishing.selectors."""

from __future__ import annotations

import re

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext
from django.views.decorators.http import require_GET

from shinchoku.organizations.selectors import municipality_public
from shinchoku.portal import pages
from shinchoku.portal.serving import PAGE_MAX_AGE, artefact_response, is_citizen
from shinchoku.publishing import selectors
from shinchoku.publishing.artefacts import download_artefact, download_key, summary_artefact
from shinchoku.reports import opendata
from shinchoku.reports.rendering import FORMATS, SUMMARY_FORMATS


@require_GET
def index(request: HttpRequest, slug: str) -> HttpResponseBase:
    if is_citizen(request) and (page := selectors.published_artefact(slug, None, _key("index", request))):
        return artefact_response(request, page, immutable=False, attachment=False)
    municipality = municipality_public(slug)
    return render(request, "portal/index.html", pages.index_context(municipality))


def _key(name: str, request: HttpRequest) -> str:
    """The stored page for the request's language: ``page:ja``."""
    return f"{name}:{getattr(request, 'LANGUAGE_CODE', 'ja')}"


@require_GET
def report(request: HttpRequest, slug: str, pk: int) -> HttpResponseBase:
    # A citizen gets the page rendered at publishing; staff get it rendered now (their header).
    if is_citizen(request) and (page := selectors.published_artefact(slug, pk, _key("page", request))):
        return artefact_response(request, page, immutable=False, attachment=False)
    municipality = municipality_public(slug)
    publication = selectors.publication_public(municipality, pk)
    sizes = selectors.artefact_sizes(publication, municipality)
    context = pages.report_context(municipality, publication, sizes)
    return render(request, pages.report_template(publication), context)


@require_GET
def download(
    request: HttpRequest, slug: str, pk: int, fmt: str, table: str | None = None
) -> HttpResponseBase:
    """A revision's file as rendered at publishing (``download.csv?table=`` is the older address
    of ``download-<table>.csv``, kept for links already given out)."""
    if fmt not in FORMATS:
        raise Http404("Unknown format.")
    if fmt == "csv" and table is None:
        table = request.GET.get("table")
    key = download_key(fmt, table)
    found = selectors.published_artefact(slug, pk, key)
    if found is None:
        municipality = municipality_public(slug)
        publication = selectors.publication_public(municipality, pk)
        if table is not None and table not in opendata.CSV_TABLES[publication.kind]:
            raise Http404("Unknown table.")
        if fmt == "csv" and table is None:
            key = download_key(fmt, opendata.CSV_TABLES[publication.kind][0])
        # A revision published before its files were stored: rendered and stored now, once.
        found = download_artefact(publication, key)
    return artefact_response(request, found, immutable=True, attachment=True)


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
    page = int(request.GET["page"]) if re.fullmatch(r"[1-9]", request.GET.get("page", "")) else 1
    page = min(page, SEARCH_PAGES)
    # One more than a page: whether there is a next page, without counting every match.
    found = (
        selectors.search(municipality, query, filters, limit=SEARCH_PAGE + 1, offset=(page - 1) * SEARCH_PAGE)
        if query
        else []
    )
    hits = found[:SEARCH_PAGE]
    more = len(found) > SEARCH_PAGE and page < SEARCH_PAGES
    first = (page - 1) * SEARCH_PAGE + 1
    return render(
        request,
        "portal/search.html",
        {
            "municipality": municipality,
            "query": query,
            "filters": filters,
            "hits": hits,
            # Counted only when all of them are on the first page; else "results 21–40" (a page
            # past the last result says there is none).
            "paged": bool(hits) and (page > 1 or more),
            "first": first,
            "last": first + len(hits) - 1,
            "previous_page": _page_query(request, page - 1) if page > 1 and hits else "",
            "next_page": _page_query(request, page + 1) if more else "",
            "choices": selectors.filter_choices(municipality),
        },
    )


# A page of search results: the top 20, highlighted, as many pages as make the first hundred.
SEARCH_PAGE = 20
SEARCH_PAGES = 5


def _page_query(request: HttpRequest, page: int) -> str:
    query = request.GET.copy()
    query["page"] = str(page)
    return query.urlencode()


@require_GET
def summary(request: HttpRequest, slug: str) -> HttpResponseBase:
    """Achievement per department and year, from published goal declarations, with SVG charts."""
    fmt = request.GET.get("format")
    if fmt is not None:  # the older address of summary/download.<fmt>
        return summary_download(request, slug, fmt)
    if is_citizen(request) and (page := selectors.published_artefact(slug, None, _key("summary", request))):
        return artefact_response(request, page, immutable=False, attachment=False)
    municipality = municipality_public(slug)
    sizes = selectors.artefact_sizes(None, municipality)
    return render(request, "portal/summary.html", pages.summary_context(municipality, sizes))


@require_GET
def summary_download(request: HttpRequest, slug: str, fmt: str) -> HttpResponseBase:
    if fmt not in SUMMARY_FORMATS:
        raise Http404("Unknown format.")
    found = selectors.published_artefact(slug, None, f"summary:{fmt}")
    if found is None:
        found = summary_artefact(municipality_public(slug), fmt)
    # The summary changes with every publishing: not immutable, but validated by its ETag.
    return artefact_response(request, found, immutable=False, attachment=True)


@require_GET
def compare(request: HttpRequest) -> HttpResponse:
    """Municipalities side by side: each prefecture's published achievement, or a prefecture's
    municipalities, for a fiscal year on one grade scale (issue 13)."""
    year = request.GET.get("year", "")
    found = selectors.comparison(
        fiscal_year=int(year) if re.fullmatch(r"[0-9]{4}", year) else None,
        scale=_search_text(request.GET.get("scale", ""), 100),
        prefecture=_search_text(request.GET.get("prefecture", ""), 10),
    )
    crumbs: list[tuple[str, str | None]] = [(gettext("Comparison of municipalities"), None)]
    if found.prefecture:
        crumbs = [(gettext("Comparison of municipalities"), reverse("compare")), (found.prefecture, None)]
    context = {"comparison": found, "breadcrumbs": crumbs, "license": opendata.LICENSE}
    response = render(request, "portal/compare.html", context)
    if is_citizen(request):
        # The same for every citizen until something is published: any cache may keep it.
        patch_cache_control(response, public=True, max_age=PAGE_MAX_AGE)
    return response


@require_GET
def compare_download(request: HttpRequest, fmt: str) -> HttpResponse:
    """Every municipality's published achievement for the year, as open data (CSV or JSON)."""
    if fmt not in ("csv", "json"):
        raise Http404("Unknown format.")
    year = request.GET.get("year", "")
    found = selectors.comparison(
        fiscal_year=int(year) if re.fullmatch(r"[0-9]{4}", year) else None,
        scale=_search_text(request.GET.get("scale", ""), 100),
    )
    if found.fiscal_year is None:
        raise Http404("Nothing is published yet.")
    rows = selectors.comparison_rows(found.fiscal_year, found.scale)
    if fmt == "csv":
        body, content_type = (
            opendata.comparison_csv(rows, found.fiscal_year, found.scale),
            "text/csv; charset=utf-8",
        )
    else:
        body, content_type = (
            opendata.comparison_json(rows, found.fiscal_year, found.scale),
            "application/json",
        )
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="comparison-{found.fiscal_year}.{fmt}"'
    response["Link"] = f'<{opendata.LICENSE_URL}>; rel="license"'
    patch_cache_control(response, public=True, max_age=PAGE_MAX_AGE)
    return response
