"""Portal pages rendered at publishing, once per language, as an anonymous citizen sees them.

Registered with publishing.artefacts (portal.apps): a revision's report page, and the
municipality's index and summary pages, become stored files that the views serve to anyone not
logged in (portal.serving). A page for a citizen holds nothing of the request (no CSRF token,
no user name: base.html leaves them out for anonymous visitors), so the bytes are the same for all.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from shinchoku.organizations.models import Municipality
from shinchoku.portal import pages
from shinchoku.publishing.artefacts import HTML
from shinchoku.publishing.models import Publication
from shinchoku.publishing.renderers import Rendered


def anonymous_request(path: str, language: str) -> HttpRequest:
    """A GET of ``path`` by a citizen without a session: what the templates may read of a request."""
    request = HttpRequest()
    request.method = "GET"
    request.path = request.path_info = path
    request.META = {"SERVER_NAME": "localhost", "SERVER_PORT": "80", "QUERY_STRING": ""}
    request.user = AnonymousUser()
    request.LANGUAGE_CODE = language
    return request


def _page(key: str, template: str, context: dict[str, object], path: str, language: str) -> Rendered:
    with translation.override(language):
        html = render_to_string(template, context, request=anonymous_request(path, language))
    return Rendered(f"{key}:{language}", html.encode(), HTML)


def languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def render_pages(
    publication: Publication | None, municipality: Municipality, sizes: Mapping[str, int]
) -> list[Rendered]:
    """A revision's report page, or (``publication`` None) the municipality's index and summary."""
    slug = municipality.slug
    rendered = []
    for language in languages():
        with translation.override(language):
            if publication is not None:
                path = reverse("portal:report", kwargs={"slug": slug, "pk": publication.pk})
                context = pages.report_context(municipality, publication, sizes)
                rendered.append(_page("page", pages.report_template(publication), context, path, language))
                continue
            path = reverse("portal:index", kwargs={"slug": slug})
            rendered.append(
                _page("index", "portal/index.html", pages.index_context(municipality), path, language)
            )
            path = reverse("portal:summary", kwargs={"slug": slug})
            context = pages.summary_context(municipality, sizes)
            rendered.append(_page("summary", "portal/summary.html", context, path, language))
    return rendered
