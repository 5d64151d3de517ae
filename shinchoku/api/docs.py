"""The OpenAPI document and its browsable documentation, served from our own static files.

Swagger UI and Redoc come from drf-spectacular-sidecar (collected like any static file), never
from a CDN: city halls run on closed networks. Their pages are ours (templates/api/), without
the inline script and the web fonts of the packaged ones.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerSplitView
from rest_framework.request import Request
from rest_framework.response import Response

# Swagger UI sets element styles from its script (allowed) but Redoc writes <style> elements
# (styled-components): its page alone may use inline styles. Scripts stay 'self' only.
DOCS_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SchemaView(SpectacularAPIView):
    """The OpenAPI 3 document (JSON by default; ?format=yaml or Accept for YAML)."""


class SwaggerView(SpectacularSwaggerSplitView):
    template_name = "api/swagger_ui.html"
    url_name = "api_v1:schema"


class RedocView(SpectacularRedocView):
    template_name = "api/redoc.html"
    url_name = "api_v1:schema"

    @extend_schema(exclude=True)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response: Response = super().get(request, *args, **kwargs)
        header = (
            "Content-Security-Policy-Report-Only" if settings.CSP_REPORT_ONLY else "Content-Security-Policy"
        )
        response[header] = DOCS_POLICY  # the middleware keeps a policy the view set
        return response
