"""A static copy of a municipality's public portal, for the internet segment (issue 12).

Staff work on the LGWAN segment; citizens read the city's site on the internet segment, often in
its CMS. ``portal_export`` writes the whole portal as plain files that any web server (or a CMS's
file area) serves as they are, under any base path:

- every page in each language (Japanese at the top, English under ``en/``): the index, every
  revision of every report, the summary, and a search page that works without a server;
- the downloads as rendered at publishing (the same bytes as the portal's), and the summary's;
- ``search-index.json`` (what the portal's search reads) and ``static/js/portal-search.js``;
- ``catalog.json``, an open-data catalogue in DCAT terms, and ``sitemap.xml`` given a base URL;
- the static files the pages use (CSS, fonts, scripts).

Links are relative and name ``index.html`` explicitly, so the copy also works opened from disk.
A second run writes only the files whose bytes changed and removes the files it wrote before that
are no longer part of the portal (listed in ``.shinchoku-export.json``); it never touches others.
"""

from __future__ import annotations

import json
import os
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from shinchoku.core.templatetags.japanese import fiscal_year
from shinchoku.core.text import _preserved
from shinchoku.organizations.models import Municipality
from shinchoku.portal import pages
from shinchoku.portal.prerender import anonymous_request
from shinchoku.publishing import artefacts, selectors
from shinchoku.publishing.models import Artefact, Publication, SearchEntry
from shinchoku.reports import opendata

MANIFEST = ".shinchoku-export.json"
SEARCH_INDEX = "search-index.json"
# A link the rewriter turns into a path of the copy: /__export__/en/reports/3/index.html.
_EXPORT = "/__export__/"
_LINK = re.compile(r'(?P<attr>\b(?:href|src|action))="(?P<url>/[^"]*)"')
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_CSS_URL = re.compile(r"""url\(\s*["']?(?P<url>[^"')]+)["']?\s*\)""")


@dataclass
class ExportResult:
    files: int = 0
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def _language_prefix(language: str) -> str:
    return "" if language == settings.LANGUAGE_CODE else f"{language}/"


class _Paths:
    """From the portal's URLs to the paths of the copy (language-independent files at the top)."""

    def __init__(self, municipality: Municipality) -> None:
        self.portal = reverse("portal:index", kwargs={"slug": municipality.slug})
        self.municipality = reverse("municipality", kwargs={"slug": municipality.slug})
        self.static = "/" + settings.STATIC_URL.lstrip("/")
        self.static_files: set[str] = set()

    def target(self, url: str, language: str) -> str | None:
        """The copy's path for ``url`` (query and fragment kept), or None: not part of the copy."""
        path, _, rest = url.partition("#")
        path, _, query = path.partition("?")
        suffix = (f"?{query}" if query else "") + (f"#{rest}" if rest else "")
        prefix = _language_prefix(language)
        if path.startswith(_EXPORT):
            return path.removeprefix(_EXPORT) + suffix
        if path.startswith(self.static):
            name = path.removeprefix(self.static)
            self.static_files.add(name)
            return f"static/{name}{suffix}"
        if path in ("/", self.municipality):
            return f"{prefix}index.html"
        if not path.startswith(self.portal):
            return None
        inner = path.removeprefix(self.portal)
        if inner == "":
            return f"{prefix}index.html{suffix}"
        if inner in ("summary/", "search/"):
            return f"{prefix}{inner}index.html{suffix}"
        if re.fullmatch(r"reports/\d+/", inner):
            return f"{prefix}{inner}index.html{suffix}"
        if re.fullmatch(r"(reports/\d+|summary)/download[.-][\w.]+", inner):
            return inner + suffix  # the same file for every language
        return None


def _relative(target: str, page: str) -> str:
    """``target`` (a path of the copy, with its query or fragment) as seen from ``page``."""
    path, tail = re.match(r"([^?#]*)(.*)", target, re.S).groups()  # type: ignore[union-attr]
    return posixpath.relpath(path, posixpath.dirname(page) or ".") + tail


def _rewrite(html: str, page: str, paths: _Paths, language: str) -> str:
    def link(match: re.Match[str]) -> str:
        target = paths.target(match.group("url"), language)
        if target is None:
            # Not part of the copy (log-in, staff pages): the link is dropped, not left dead.
            return f'{match.group("attr")}="#"' if match.group("attr") == "href" else match.group(0)
        return f'{match.group("attr")}="{_relative(target, page)}"'

    return _LINK.sub(link, html)


def _page(
    template: str,
    context: dict[str, Any],
    *,
    url: str,
    page: str,
    language: str,
    paths: _Paths,
    alternates: dict[str, str],
) -> bytes:
    with translation.override(language):
        languages = [
            # Each language by its own name (日本語, English), as language switchers do.
            (code, translation.get_language_info(code)["name_local"], _relative(alternates[code], page))
            for code, _name in settings.LANGUAGES
        ]
        html = render_to_string(
            template,
            {**context, "export": {"languages": languages, "search_index": _relative(SEARCH_INDEX, page)}},
            request=anonymous_request(url, language),
        )
    return _rewrite(html, page, paths, language).encode()


def _pages(municipality: Municipality, paths: _Paths) -> Iterator[tuple[str, bytes]]:
    revisions = list(
        Publication.objects.filter(municipality=municipality).select_related(
            "municipality", "department", "plan"
        )
    )
    summary_sizes = selectors.artefact_sizes(None, municipality)
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            yield from _language_pages(municipality, paths, language, revisions, summary_sizes)


def _language_pages(
    municipality: Municipality,
    paths: _Paths,
    language: str,
    revisions: list[Publication],
    summary_sizes: dict[str, int],
) -> Iterator[tuple[str, bytes]]:
    slug = municipality.slug
    prefix = _language_prefix(language)

    def render(template: str, context: dict[str, Any], url: str, path: str) -> tuple[str, bytes]:
        page = f"{prefix}{path}"
        alternates = {code: f"{_language_prefix(code)}{path}" for code, _name in settings.LANGUAGES}
        return page, _page(
            template, context, url=url, page=page, language=language, paths=paths, alternates=alternates
        )

    index = pages.index_context(municipality)
    yield render("portal/index.html", index, reverse("portal:index", args=[slug]), "index.html")
    summary = pages.summary_context(municipality, summary_sizes)
    yield render("portal/summary.html", summary, reverse("portal:summary", args=[slug]), "summary/index.html")
    search = {
        "municipality": municipality,
        "query": "",
        "hits": [],
        "choices": selectors.filter_choices(municipality),
        "filters": selectors.SearchFilters(),
    }
    yield render("portal/search.html", search, reverse("portal:search", args=[slug]), "search/index.html")
    for publication in revisions:
        sizes = selectors.artefact_sizes(publication, municipality)
        context = pages.report_context(municipality, publication, sizes)
        url = reverse("portal:report", args=[slug, publication.pk])
        yield render(pages.report_template(publication), context, url, f"reports/{publication.pk}/index.html")


def _downloads(municipality: Municipality) -> Iterator[tuple[str, bytes]]:
    """The files as rendered at publishing (rendered now for a revision published before)."""
    for publication in Publication.objects.filter(municipality=municipality):
        for key, fmt, table in artefacts.download_keys(publication.kind):
            artefact = artefacts.download_artefact(publication, key)
            name = f"download-{table}.csv" if table else f"download.{fmt}"
            yield f"reports/{publication.pk}/{name}", artefacts.read(artefact)
    for fmt in ("pdf", "xlsx", "csv", "json"):
        yield f"summary/download.{fmt}", artefacts.read(artefacts.summary_artefact(municipality, fmt))


@cache
def preserved_characters() -> str:
    """Every character the server's search leaves as typed where NFKC would change it (core.text)."""
    return "".join(chr(c) for c in range(0x20, 0x10000) if not 0xD800 <= c < 0xE000 and _preserved(chr(c)))


def search_index(municipality: Municipality) -> bytes:
    """What portal-search.js reads: the current revisions' search entries, as the server has them."""
    entries = (
        SearchEntry.objects.filter(municipality=municipality, publication__is_current=True)
        .select_related("publication")
        .defer("publication__document")
        .order_by("-fiscal_year", "id")
    )
    data = {
        "schema": "shinchoku/search-index/1",
        "preserved": preserved_characters(),
        "entries": [
            {
                "publication": e.publication_id,
                "title": e.publication.title,
                "fiscal_year": e.fiscal_year,
                "year_label": fiscal_year(e.fiscal_year),
                "department": e.department_name,
                "sections": e.section_names,
                "grades": [g for g in e.grade.split("|") if g],
                "heading": e.heading,
                "body": e.body,
                "anchor": e.anchor,
            }
            for e in entries
        ],
    }
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def catalog(municipality: Municipality, base_url: str) -> bytes:
    """An open-data catalogue in DCAT terms (JSON-LD): a dataset per current revision."""
    media = {"pdf": "application/pdf", "xlsx": XLSX, "csv": "text/csv", "json": "application/json"}
    sizes: dict[tuple[int | None, str], int] = {
        (a.publication_id, a.key): a.size
        for a in Artefact.objects.filter(municipality=municipality, publication__is_current=True)
    }
    datasets = []
    for publication in selectors.current_publications(municipality):
        distributions = []
        for key, fmt, table in artefacts.download_keys(publication.kind):
            name = f"download-{table}.csv" if table else f"download.{fmt}"
            distributions.append(
                {
                    "@type": "dcat:Distribution",
                    "dct:title": f"{publication.title}（{key}）",
                    "dcat:downloadURL": f"{base_url}reports/{publication.pk}/{name}",
                    "dcat:mediaType": media[fmt],
                    "dcat:byteSize": sizes.get((publication.pk, key)),
                    "dct:license": opendata.LICENSE_URL,
                }
            )
        datasets.append(
            {
                "@type": "dcat:Dataset",
                "dct:identifier": f"{municipality.code}-{publication.kind}-{publication.fiscal_year}-{publication.pk}",
                "dct:title": publication.title,
                "dct:publisher": str(municipality),
                "dct:issued": publication.published_at.date().isoformat(),
                "dcat:landingPage": f"{base_url}reports/{publication.pk}/index.html",
                "dct:temporal": f"{publication.fiscal_year}-04-01/{publication.fiscal_year + 1}-03-31",
                "dcat:distribution": distributions,
            }
        )
    data = {
        "@context": {"dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/"},
        "@type": "dcat:Catalog",
        "dct:title": f"{municipality} 目標・進捗の公表資料",
        "dct:publisher": str(municipality),
        "dct:license": opendata.LICENSE_URL,
        "dcat:dataset": datasets,
    }
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


def sitemap(paths: list[str], base_url: str) -> bytes:
    urls = "".join(
        f"<url><loc>{escape(base_url + p)}</loc></url>" for p in sorted(paths) if p.endswith(".html")
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>\n'
    ).encode()


def _static_file(name: str) -> Path | None:
    """A static file by its URL name: the collected copy (hashed names in production) or the app's."""
    if settings.STATIC_ROOT and (Path(settings.STATIC_ROOT) / name).is_file():
        return Path(settings.STATIC_ROOT) / name
    found = finders.find(name)
    return Path(found) if isinstance(found, str) else None


def _static(names: set[str]) -> Iterator[tuple[str, bytes]]:
    """The static files the pages name, and those their CSS names in turn (fonts)."""
    pending, done = sorted(names), set()
    while pending:
        name = pending.pop()
        if name in done:
            continue
        done.add(name)
        path = _static_file(name)
        if path is None:
            continue
        content = path.read_bytes()
        yield f"static/{name}", content
        if name.endswith(".css"):
            for match in _CSS_URL.finditer(content.decode("utf-8", "replace")):
                url = match.group("url")
                if not url.startswith(("data:", "http:", "https:", "/", "#")):
                    pending.append(
                        posixpath.normpath(posixpath.join(posixpath.dirname(name), url.split("?")[0]))
                    )


def portal_files(municipality: Municipality, *, base_url: str | None = None) -> dict[str, bytes]:
    """Every file of the copy, by its path."""
    paths = _Paths(municipality)
    files = dict(_pages(municipality, paths))
    files.update(_downloads(municipality))
    files[SEARCH_INDEX] = search_index(municipality)
    paths.static_files.add("js/portal-search.js")
    files.update(_static(paths.static_files))
    files["catalog.json"] = catalog(municipality, base_url or "")
    if base_url:
        files["sitemap.xml"] = sitemap(list(files), base_url)
    return files


def _normalise_base(base_url: str | None) -> str | None:
    if not base_url:
        return None
    return base_url if base_url.endswith("/") else base_url + "/"


def portal_export(municipality: Municipality, target: Path, *, base_url: str | None = None) -> ExportResult:
    """Write the copy into ``target``: only changed files, and remove what an earlier run wrote
    that is no longer part of it."""
    files = portal_files(municipality, base_url=_normalise_base(base_url))
    result = ExportResult(files=len(files))
    target.mkdir(parents=True, exist_ok=True)
    manifest = target / MANIFEST
    before = set(json.loads(manifest.read_text())["files"]) if manifest.exists() else set()
    for name, content in sorted(files.items()):
        path = target / name
        if path.is_file() and path.stat().st_size == len(content) and path.read_bytes() == content:
            result.unchanged += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.tmp")
        temporary.write_bytes(content)
        os.chmod(temporary, 0o644)  # public files, for whichever web server serves them
        temporary.replace(path)
        result.written.append(name)
    for name in sorted(before - set(files)):
        stale = target / name
        if stale.is_file():
            stale.unlink()
            result.removed.append(name)
    manifest.write_text(json.dumps({"files": sorted(files)}, ensure_ascii=False, indent=0))
    return result
