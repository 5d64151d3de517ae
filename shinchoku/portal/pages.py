"""What each portal page shows: one context builder per page, for the views and for pre-rendering.

The same builder serves a request and the rendering at publishing (portal.prerender), so a page
served from its stored bytes is the page the view would have rendered.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from shinchoku.core.eras import format_fiscal_year
from shinchoku.documents.policy_evaluation import ParsedPolicyEvaluation
from shinchoku.documents.schema import ParsedGoalDeclaration, document_from_json
from shinchoku.organizations.models import Municipality
from shinchoku.portal.presenters import (
    DownloadLink,
    download_links,
    goal_rows,
    guideline_blocks,
    policy_evaluation_context,
)
from shinchoku.publishing import selectors
from shinchoku.publishing.models import Publication
from shinchoku.reports import charts, opendata
from shinchoku.reports.rendering import SUMMARY_FORMATS


def download_url(slug: str, pk: int, fmt: str, table: str | None = None) -> str:
    """A download's own path (``download-goals.csv`` for a CSV table): a static copy of the
    portal serves each as a file, where a query string would not tell them apart."""
    if table:
        return reverse("portal:download_table", kwargs={"slug": slug, "pk": pk, "table": table})
    return reverse("portal:download", kwargs={"slug": slug, "pk": pk, "fmt": fmt})


def report_template(publication: Publication) -> str:
    if publication.kind == Publication.Kind.GOAL_DECLARATION:
        return "portal/goal_declaration.html"
    if publication.kind == Publication.Kind.POLICY_EVALUATION:
        return "portal/policy_evaluation.html"
    return "portal/guideline_progress.html"


def report_context(
    municipality: Municipality, publication: Publication, sizes: Mapping[str, int] | None = None
) -> dict[str, Any]:
    document = document_from_json(publication.document)
    slug = municipality.slug
    context: dict[str, Any] = {
        "municipality": municipality,
        "publication": publication,
        "document": document,
        "newer": selectors.newer_revision(publication),
        "downloads": download_links(
            document.kind, lambda fmt, table: download_url(slug, publication.pk, fmt, table), sizes
        ),
        "license": opendata.LICENSE,
    }
    if isinstance(document, ParsedGoalDeclaration):
        context["rows"] = goal_rows(document, publication.evaluation)
        context["rollup"] = publication.evaluation.get("rollup")
    elif isinstance(document, ParsedPolicyEvaluation):
        context.update(policy_evaluation_context(document, selectors.policy_trend(publication)))
    else:
        context["blocks"] = guideline_blocks(document)
    return context


def index_context(municipality: Municipality) -> dict[str, Any]:
    years: dict[int, list[Publication]] = {}
    for publication in selectors.current_publications(municipality):
        years.setdefault(publication.fiscal_year, []).append(publication)
    return {"municipality": municipality, "years": years}


def _chart_point(name: str, at_or_above: int, graded: int) -> str:
    """One point of a chart's text description: 「企画部：9件中9件」, "企画部: 9 of 9"."""
    return _("%(name)s: %(at)s of %(graded)s") % {"name": name, "at": at_or_above, "graded": graded}


def summary_downloads(
    municipality: Municipality, sizes: Mapping[str, int] | None = None
) -> list[DownloadLink]:
    sizes = sizes or {}
    labels = {"pdf": "PDF", "xlsx": "Excel（XLSX）", "csv": "CSV", "json": "JSON"}
    return [
        DownloadLink(
            labels[fmt],
            reverse("portal:summary_download", kwargs={"slug": municipality.slug, "fmt": fmt}),
            sizes.get(f"summary:{fmt}"),
        )
        for fmt in SUMMARY_FORMATS
    ]


def summary_context(municipality: Municipality, sizes: Mapping[str, int] | None = None) -> dict[str, Any]:
    """Achievement per department and year, from published goal declarations, with SVG charts."""
    rows, years = selectors.published_summary(municipality)
    latest = years[-1].fiscal_year if years else None
    latest_rows = [r for r in rows if r.fiscal_year == latest]
    return {
        "municipality": municipality,
        "rows": rows,
        "years": years,
        "latest": latest,
        "downloads": summary_downloads(municipality, sizes),
        "license": opendata.LICENSE,
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
