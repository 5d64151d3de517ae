"""Response headers that keep the browser to our own files: the Content-Security-Policy.

Every page is server-rendered from our own static files (no CDN, no inline script or style:
htmx is a file, its indicator styles are off), so the policy allows 'self' only. A script or
style injected into a page (a stored XSS that escaping missed) is refused by the browser.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",  # data: for the empty favicon and SVG charts' data URIs
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.header = (
            "Content-Security-Policy-Report-Only" if settings.CSP_REPORT_ONLY else "Content-Security-Policy"
        )

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault(self.header, POLICY)
        return response


# What a form adds to an upload (other fields, multipart boundaries), generously.
FORM_OVERHEAD_BYTES = 1024 * 1024


class RequestSizeLimitMiddleware:
    """Refuse a request whose declared body is larger than an upload could be, before reading it.

    Django reads a multipart body in full (to memory or a temporary file) before a
    form can look at the file's size; here the ``Content-Length`` is checked first,
    so a client cannot make a worker read gigabytes to be told no. A body without a
    length (chunked) is not read by Django at all. nginx does the same in front
    (``client_max_body_size`` in deploy/).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.SHINCHOKU_UPLOAD_MAX_MB * 1024 * 1024 + FORM_OVERHEAD_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return _too_large(settings.SHINCHOKU_UPLOAD_MAX_MB)
        return self.get_response(request)


def _too_large(megabytes: int) -> HttpResponse:
    from django.utils.html import escape
    from django.utils.translation import get_language
    from django.utils.translation import gettext as _

    title = _("The file is too large")
    message = _("Files up to %(limit)s MB are accepted. Go back and choose a smaller file.") % {
        "limit": megabytes
    }
    body = (
        f'<!doctype html><html lang="{escape(get_language() or "ja")}"><meta charset="utf-8"><title>{escape(title)}</title>'
        f"<h1>{escape(title)}</h1><p>{escape(message)}</p></html>"
    )
    # The body was not read; the server closes the connection (WSGI forbids setting it here).
    return HttpResponse(body, status=413)
