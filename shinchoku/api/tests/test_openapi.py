"""The OpenAPI document is valid, and its browsable documentation is served from our own files."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from shinchoku.testing import only_in_the_sqlite_pass


@only_in_the_sqlite_pass()
def test_the_document_validates_against_the_openapi_3_schema() -> None:
    schema = SchemaGenerator().get_schema(request=None, public=True)
    validate_schema(schema)  # raises on anything the OpenAPI 3.0 JSON schema refuses
    assert schema["openapi"].startswith("3.0")
    assert schema["components"]["securitySchemes"]["accessToken"]["scheme"] == "bearer"
    for path, item in schema["paths"].items():
        assert path.startswith("/api/v1/")
        for method, operation in item.items():
            assert operation.get("summary"), f"{method} {path} has no summary"
            for status in ("401", "429"):
                assert status in operation["responses"], f"{method} {path} lacks {status}"


def test_the_document_is_served_by_the_app(client: Client) -> None:
    response = client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    assert response.json()["info"]["version"] == "1.1.0"
    assert client.get("/api/v1/schema/").content.startswith(b"openapi: 3.0")


def test_swagger_ui_and_redoc_use_only_our_static_files(client: Client) -> None:
    for url in ("/api/v1/docs/", "/api/v1/redoc/"):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.content.decode()
        # Nothing from outside: no absolute URL in a src or href, no inline script.
        assert not re.search(r'(src|href)="(https?:)?//', html), html
        assert not re.search(r"<script>", html), html
        for src in re.findall(r'(?:src|href)="/static/([^"?]+)', html):
            assert finders.find(src), src
    assert "swagger-ui-bundle.js" in client.get("/api/v1/docs/").content.decode()
    script = client.get("/api/v1/docs/?script=")
    assert script["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in script.content.decode()
    # Redoc writes <style> elements: its page alone allows inline styles, never inline scripts.
    policy = client.get("/api/v1/redoc/")["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self' 'unsafe-inline'" in policy
    assert "unsafe-inline" not in client.get("/api/v1/docs/")["Content-Security-Policy"]


def test_an_unknown_api_address_is_a_json_404(client: Client) -> None:
    for method in ("get", "post", "delete", "options"):
        response = getattr(client, method)("/api/v1/no-such-thing/")
        assert response.status_code == 404
        assert response.json()["code"] == "not_found"
    assert client.get("/api/v2/municipalities/").status_code == 404
