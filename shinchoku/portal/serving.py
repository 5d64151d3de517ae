"""Serving published files: stored bytes with validators and caching, never a render per request.

Files of a revision never change (their URL names the revision), so they are sent with
``Cache-Control: public, max-age=31536000, immutable``; pages that may change when something new
is published (a revision's page gets a 「新しい版」 notice; the index and the summary list the
current revisions) are cached for ``PAGE_MAX_AGE``. Every response carries the file's SHA-256 as
its ETag and answers a conditional request with 304.

With ``SHINCHOKU_ARTEFACT_ACCEL_PREFIX`` set (deploy/nginx), a download's bytes are not read
here at all: nginx sends the file named by ``X-Accel-Redirect``. A page is sent with its bytes
and ``X-Accel-Expires``: nginx keeps it that long in its cache (an answer naming a file by
X-Accel-Redirect is never cached by nginx) and sends it again without asking the app; pages are
small, downloads may be large and are better sent from their file.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import get_conditional_response
from django.utils.http import http_date

from shinchoku.publishing.artefacts import read
from shinchoku.publishing.models import Artefact
from shinchoku.reports import opendata

IMMUTABLE = "public, max-age=31536000, immutable"
PAGE_MAX_AGE = 300


def is_citizen(request: HttpRequest) -> bool:
    """Nobody is logged in and no message waits: a page for citizens is the same bytes for all.

    Decided from the cookies alone, so that a citizen's request reads no session from the database.
    """
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and "messages" not in request.COOKIES


class _Bytes:
    """The most recently served files, by SHA-256 (immutable), up to ``limit`` bytes per process."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.items: OrderedDict[str, bytes] = OrderedDict()
        self.lock = Lock()

    def get(self, artefact: Artefact) -> bytes:
        with self.lock:
            content = self.items.get(artefact.sha256)
            if content is not None:
                self.items.move_to_end(artefact.sha256)
                return content
        content = read(artefact)
        if len(content) <= self.limit // 8:
            with self.lock:
                if artefact.sha256 not in self.items:
                    self.items[artefact.sha256] = content
                    self.size += len(content)
                while self.size > self.limit:
                    _sha, dropped = self.items.popitem(last=False)
                    self.size -= len(dropped)
        return content


_cache = _Bytes(limit=32 * 1024 * 1024)


def artefact_response(
    request: HttpRequest, artefact: Artefact, *, immutable: bool, attachment: bool
) -> HttpResponseBase:
    etag = f'"{artefact.sha256}"'
    last_modified = artefact.rendered_at.timestamp()
    response: HttpResponseBase | None = get_conditional_response(
        request, etag=etag, last_modified=int(last_modified)
    )
    if response is None:
        accel = settings.SHINCHOKU_ARTEFACT_ACCEL_PREFIX
        if accel and attachment:
            response = HttpResponse(content_type=artefact.content_type)
            response["X-Accel-Redirect"] = f"{accel.rstrip('/')}/{artefact.path}"
        else:
            content = b"" if request.method == "HEAD" else _cache.get(artefact)
            response = HttpResponse(content, content_type=artefact.content_type)
            response["Content-Length"] = str(artefact.size)
            if accel and settings.SHINCHOKU_SHARED_CACHE_SECONDS:
                # A page behind nginx: its bytes, which nginx keeps (proxy_cache) this long.
                response["X-Accel-Expires"] = str(settings.SHINCHOKU_SHARED_CACHE_SECONDS)
    response["ETag"] = etag
    response["Last-Modified"] = http_date(last_modified)
    response["Cache-Control"] = IMMUTABLE if immutable else f"public, max-age={PAGE_MAX_AGE}"
    if attachment:
        response["Content-Disposition"] = f'attachment; filename="{artefact.filename}"'
        if artefact.filename.endswith((".csv", ".json")):
            response["Link"] = f'<{opendata.LICENSE_URL}>; rel="license"'
    else:
        response["Vary"] = "Accept-Language, Cookie"
    return response
