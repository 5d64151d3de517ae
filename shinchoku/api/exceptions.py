"""Every error of the API is JSON of one shape, whatever raised it (docs/api.md):

    {"status": 400, "code": "invalid", "message": "text: この項目は必須です。", "field": "text",
     "errors": [{"field": "text", "code": "required", "message": "この項目は必須です。"}]}

``field`` names the first field at fault (``actuals.0.text`` inside lists), null when the error
is not about a field; ``errors`` lists every problem. A conflict (409) adds ``current``: the
record as the other person left it. Messages follow Accept-Language (Japanese by default).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.exceptions import APIException, ErrorDetail, Throttled
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

# Keys DRF uses for an error that is about no field.
_NO_FIELD = {"detail", "non_field_errors"}


class Conflict(APIException):
    """The record changed since the client read it, or is not open for changes now."""

    status_code = status.HTTP_409_CONFLICT
    default_detail = _("Not saved: someone else changed this after you opened it.")
    default_code = "conflict"

    def __init__(self, detail: str | None = None, *, code: str | None = None, current: Any = None) -> None:
        super().__init__(detail, code)
        self.current = current


def _flatten(data: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _flatten(value, (*path, str(key)))
    elif isinstance(data, list):
        for index, item in enumerate(data):
            if isinstance(item, (dict, list)):
                yield from _flatten(item, (*path, str(index)))
            else:
                yield path, item
    else:
        yield path, data


def _field(path: tuple[str, ...]) -> str | None:
    kept = [part for part in path if part not in _NO_FIELD]
    return ".".join(kept) or None


def error_body(exc: Exception, status_code: int, data: Any) -> dict[str, Any]:
    default_code = exc.default_code if isinstance(exc, APIException) else "error"
    errors = [
        {
            "field": _field(path),
            "code": str(getattr(detail, "code", None) or default_code),
            "message": str(detail),
        }
        for path, detail in _flatten(data)
    ]
    first = errors[0] if errors else {"field": None, "code": default_code, "message": str(exc)}
    body: dict[str, Any] = {
        "status": status_code,
        "code": "invalid" if status_code == 400 and first["field"] else first["code"],
        "message": f"{first['field']}: {first['message']}" if first["field"] else first["message"],
        "field": first["field"],
        "errors": errors or [first],
    }
    if isinstance(exc, Throttled) and exc.wait is not None:
        body["retry_after"] = int(exc.wait + 0.999)
    if isinstance(exc, Conflict) and exc.current is not None:
        body["current"] = exc.current
    return body


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """DRF's handler (APIException, Http404, PermissionDenied), then the body in our shape.

    Anything else is a bug: it propagates to Django (500, logged), never a JSON with a trace.
    """
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    data = response.data
    if not isinstance(data, (dict, list)):
        data = {"detail": ErrorDetail(str(data))}
    response.data = error_body(exc, response.status_code, data)
    return response
