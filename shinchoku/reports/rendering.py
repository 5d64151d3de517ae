"""One entry point from (document, format) to a file: used by the portal downloads and render_report."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shinchoku.documents.policy_evaluation import ParsedPolicyEvaluation
from shinchoku.documents.schema import ParsedGoalDeclaration, PublishedDocument
from shinchoku.reports import opendata, pdf, policy_reports, xlsx
from shinchoku.reports.summary import SummaryRow

FORMATS = ("pdf", "xlsx", "csv", "json")
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "json": "application/json; charset=utf-8",
}


@dataclass(frozen=True)
class RenderedFile:
    content: bytes
    content_type: str
    extension: str


def render(
    document: PublishedDocument,
    fmt: str,
    *,
    publisher: opendata.Publisher,
    table: str | None = None,
    revision: int = 1,
    published_at: str = "",
    judgements: Mapping[int, list[str]] | None = None,
) -> RenderedFile:
    """Render ``document`` as ``fmt``; ``table`` picks the CSV table (its first by default).

    ``judgements`` (goal number → lines) adds the published achievement to a goal declaration's PDF.
    """
    if isinstance(document, ParsedPolicyEvaluation):
        return _render_policy_evaluation(document, fmt, publisher, table, revision, published_at)
    if fmt == "pdf":
        if isinstance(document, ParsedGoalDeclaration):
            content = pdf.goal_declaration_pdf(document, judgements)
        else:
            content = pdf.guideline_progress_pdf(document)
    elif fmt == "xlsx":
        if isinstance(document, ParsedGoalDeclaration):
            content = xlsx.goal_declaration_xlsx(document)
        else:
            content = xlsx.guideline_progress_xlsx(document)
    elif fmt == "csv":
        content = opendata.document_csv(document, table or opendata.CSV_TABLES[document.kind][0], publisher)
    elif fmt == "json":
        content = opendata.document_json(document, publisher, revision=revision, published_at=published_at)
    else:
        raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    return RenderedFile(content=content, content_type=CONTENT_TYPES[fmt], extension=fmt)


def _render_policy_evaluation(
    document: ParsedPolicyEvaluation,
    fmt: str,
    publisher: opendata.Publisher,
    table: str | None,
    revision: int,
    published_at: str,
) -> RenderedFile:
    if fmt == "pdf":
        content = policy_reports.policy_evaluation_pdf(document)
    elif fmt == "xlsx":
        content = policy_reports.policy_evaluation_xlsx(document)
    elif fmt == "csv":
        content = policy_reports.policy_evaluation_csv(
            document, table or policy_reports.POLICY_CSV_TABLES[0], publisher
        )
    elif fmt == "json":
        content = opendata.document_json(document, publisher, revision=revision, published_at=published_at)
    else:
        raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(FORMATS)}")
    return RenderedFile(content=content, content_type=CONTENT_TYPES[fmt], extension=fmt)


def render_publication(publication: Any, fmt: str, table: str | None = None) -> tuple[RenderedFile, str]:
    """A download of a publication (saved, or the unsaved one of a publish preview), and its file name.

    ``table`` must be one of the document's CSV tables (the caller checks: it is user input).
    """
    from shinchoku.documents.schema import document_from_json
    from shinchoku.reports.judgements import judgement_lines

    municipality = publication.municipality
    document = document_from_json(publication.document)
    rendered = render(
        document,
        fmt,
        publisher=opendata.Publisher(code=municipality.code, name=str(municipality)),
        table=table,
        revision=publication.revision,
        published_at=publication.published_at.isoformat(),
        judgements=judgement_lines(publication.evaluation),
    )
    name = f"{municipality.code}_{publication.kind}_{publication.fiscal_year}_r{publication.revision}"
    if table:
        name += f"_{table}"
    return rendered, f"{name}.{rendered.extension}"


SUMMARY_FORMATS = FORMATS


def render_summary(rows: list[SummaryRow], fmt: str, municipality: Any) -> tuple[bytes, str]:
    """The achievement summary in ``fmt``: (content, content type)."""
    publisher = opendata.Publisher(code=municipality.code, name=str(municipality))
    if fmt == "pdf":
        content = pdf.summary_pdf(rows, str(municipality))
    elif fmt == "xlsx":
        content = xlsx.summary_xlsx(rows, str(municipality))
    elif fmt == "csv":
        content = opendata.summary_csv(rows, publisher)
    elif fmt == "json":
        content = opendata.summary_json(rows, publisher)
    else:
        raise ValueError(f"unknown format {fmt!r}; formats: {', '.join(SUMMARY_FORMATS)}")
    return content, CONTENT_TYPES[fmt]
