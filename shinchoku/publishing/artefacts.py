"""Published files: rendered once when a revision is published, served as bytes after (issue 12).

A published revision never changes, so neither do its downloads (PDF, XLSX, each CSV table, JSON)
nor its page as a citizen sees it. Rendering them on every request cost ~45 ms of CPU per PDF;
now publishing renders them (``revision_render``) and the portal serves the stored bytes with an
ETag, ``Last-Modified`` and long-lived caching, or hands the path to nginx (X-Accel-Redirect).

What spans a municipality's current revisions (its portal index, the achievement summary page
and its downloads) is rendered again at every publishing (``municipality_render``).

The bytes are kept in the ``artefacts`` storage under their SHA-256: rendering the same bytes
again writes nothing, and files no row names any more are removed by ``render_artefacts --prune``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.core.files.storage import Storage, storages
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.module_loading import import_string

from shinchoku.organizations.models import Municipality
from shinchoku.publishing.models import Artefact, Publication
from shinchoku.publishing.renderers import PageRenderer, Rendered, page_renderers
from shinchoku.reports import moment, opendata
from shinchoku.reports.rendering import SUMMARY_FORMATS, render_publication, render_summary

HTML = "text/html; charset=utf-8"


def storage() -> Storage:
    return storages["artefacts"]


def download_keys(kind: str) -> list[tuple[str, str, str | None]]:
    """(key, format, CSV table) of every download of a report of ``kind``."""
    keys: list[tuple[str, str, str | None]] = [("pdf", "pdf", None), ("xlsx", "xlsx", None)]
    keys += [(f"csv:{table}", "csv", table) for table in opendata.CSV_TABLES[kind]]
    keys.append(("json", "json", None))
    return keys


def download_key(fmt: str, table: str | None) -> str:
    return f"csv:{table}" if fmt == "csv" and table else fmt


def _store(rendered: Rendered, *, municipality: Municipality, publication: Publication | None) -> Artefact:
    sha = hashlib.sha256(rendered.content).hexdigest()
    artefact = Artefact(
        municipality=municipality,
        publication=publication,
        key=rendered.key,
        sha256=sha,
        size=len(rendered.content),
        content_type=rendered.content_type,
        filename=rendered.filename or f"{rendered.key.replace(':', '_')}.html",
    )
    files = storage()
    if not files.exists(artefact.path):
        # A file is written before its row is committed: a rolled-back publishing leaves a file
        # no row names, which --prune removes; never a row without its file.
        files.save(artefact.path, ContentFile(rendered.content))
    return artefact


def _replace(
    rendered: Iterable[Rendered], *, municipality: Municipality, publication: Publication | None
) -> list[Artefact]:
    artefacts = [_store(r, municipality=municipality, publication=publication) for r in rendered]
    with transaction.atomic():
        rows = Artefact.objects.filter(municipality=municipality, publication=publication)
        rows.filter(key__in=[a.key for a in artefacts]).delete()
        Artefact.objects.bulk_create(artefacts)
    return artefacts


def revision_downloads(publication: Publication) -> list[Rendered]:
    rendered = []
    # Dated at publishing, so rendering again gives the same bytes (reports.moment).
    with moment.fixed(publication.published_at):
        for key, fmt, table in download_keys(publication.kind):
            file, filename = render_publication(publication, fmt, table)
            rendered.append(Rendered(key, file.content, file.content_type, filename))
    return rendered


def _render_pages(
    publication: Publication | None, municipality: Municipality, sizes: dict[str, int]
) -> list[Rendered]:
    renderers: list[PageRenderer] = [import_string(path) for path in page_renderers.values()]
    return [page for renderer in renderers for page in renderer(publication, municipality, sizes)]


def revision_render(publication: Publication) -> list[Artefact]:
    """Render a revision's downloads, then its pages (which show the downloads' sizes)."""
    downloads = _replace(
        revision_downloads(publication), municipality=publication.municipality, publication=publication
    )
    sizes = {a.key: a.size for a in downloads}
    pages = _render_pages(publication, publication.municipality, sizes)
    return downloads + _replace(pages, municipality=publication.municipality, publication=publication)


def municipality_render(municipality: Municipality) -> list[Artefact]:
    """The municipality's summary downloads, then its pages that list current revisions."""
    from shinchoku.publishing.selectors import published_summary

    rows, _years = published_summary(municipality)
    latest = Publication.objects.filter(municipality=municipality, is_current=True).aggregate(
        at=Max("published_at")
    )["at"]
    rendered = []
    # Dated at the latest publishing: the summary changes only when something is published.
    with moment.fixed(latest or timezone.now()):
        for fmt in SUMMARY_FORMATS:
            content, content_type = render_summary(rows, fmt, municipality)
            filename = f"{municipality.code}_summary.{fmt}"
            rendered.append(Rendered(f"summary:{fmt}", content, content_type, filename))
    downloads = _replace(rendered, municipality=municipality, publication=None)
    sizes = {a.key: a.size for a in downloads}
    pages = _render_pages(None, municipality, sizes)
    return downloads + _replace(pages, municipality=municipality, publication=None)


def series_render(publication: Publication) -> list[Artefact]:
    """After ``publication`` is published: its files, the pages of its older revisions (they now
    point to it), and the municipality's index and summary."""
    artefacts = revision_render(publication)
    older = Publication.objects.filter(
        municipality=publication.municipality,
        kind=publication.kind,
        fiscal_year=publication.fiscal_year,
        department=publication.department,
        plan=publication.plan,
        is_current=False,
    ).select_related("municipality", "department", "plan")
    for revision in older:
        pages = _render_pages(revision, revision.municipality, _sizes(revision))
        artefacts += _replace(pages, municipality=revision.municipality, publication=revision)
    return artefacts + municipality_render(publication.municipality)


def _sizes(publication: Publication) -> dict[str, int]:
    return dict(Artefact.objects.filter(publication=publication).values_list("key", "size"))


def download_artefact(publication: Publication, key: str) -> Artefact:
    """The stored download; one a revision published before files were stored is rendered now."""
    found = Artefact.objects.filter(publication=publication, key=key).first()
    if found is None:
        revision_render(publication)
        found = Artefact.objects.get(publication=publication, key=key)
    return found


def summary_artefact(municipality: Municipality, fmt: str) -> Artefact:
    key = f"summary:{fmt}"
    found = Artefact.objects.filter(municipality=municipality, publication=None, key=key).first()
    if found is None:
        municipality_render(municipality)
        found = Artefact.objects.get(municipality=municipality, publication=None, key=key)
    return found


def read(artefact: Artefact) -> bytes:
    with storage().open(artefact.path) as file:
        return file.read()


def prune() -> int:
    """Remove stored files no row names (a rolled-back publishing, a re-render's old bytes)."""
    files = storage()
    named = set(Artefact.objects.values_list("sha256", flat=True))
    removed = 0
    directories, _ = files.listdir("") if files.exists("") else ([], [])
    for directory in directories:
        for name in files.listdir(directory)[1]:
            if directory + name.split(".", 1)[0] not in named:
                files.delete(f"{directory}/{name}")
                removed += 1
    return removed
