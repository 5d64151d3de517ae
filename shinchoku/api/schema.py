"""The OpenAPI document: drf-spectacular's, with the errors every operation may answer.

Each operation lists the error responses it can give, all in the one JSON shape of
``shinchoku.api.exceptions`` (a 409 adds the current record): 401 (a token that does not work,
or none where one is needed), 429 (rate limits), 404 wherever a path names something (or a
page), 403 where a token is needed, 400 where the client sends parameters or a body, and 409 and
415 for writes.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework.permissions import IsAuthenticated

from shinchoku.api.v1.serializers import ConflictSerializer, ErrorSerializer

_ERRORS = {
    "400": "パラメータか本文の誤り（field が項目名）/ a wrong parameter or body (field names it)",
    "401": "トークンがない、不明、失効済み、期限切れ / no token where one is needed, or one that does not work",
    "403": "このトークン・利用者には許されない / not allowed for this token or user",
    "404": "見つからない、または見えない / not found, or not visible to this user",
    "409": "他の人が先に保存した、または受付中でない / changed by someone else, or not open for changes",
    "415": "JSON で送ってください / send JSON (Content-Type: application/json)",
    "429": "回数制限（Retry-After 秒後に再試行）/ rate limited: retry after Retry-After seconds",
}


class AutoSchema(SpectacularAutoSchema):
    def _error_codes(self) -> list[str]:
        writes = self.method not in ("GET", "HEAD", "OPTIONS")
        needs_token = any(
            isinstance(p, type) and issubclass(p, IsAuthenticated)
            for p in getattr(self.view, "permission_classes", [])
        )
        codes = ["401", "429"]
        if writes or getattr(self.view, "filters", None) is not None or self.method == "DELETE":
            codes.append("400")
        if needs_token:
            codes.append("403")
        if "{" in self.path or self._is_list_view():
            codes.append("404")
        if writes:
            codes += ["409", "415"]
        return sorted(codes)

    def _get_response_bodies(self, direction: Any = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                serializer = ConflictSerializer if code == "409" else ErrorSerializer
                responses[code] = self._get_response_for_code(
                    OpenApiResponse(response=serializer, description=_ERRORS[code]), code, direction=direction
                )
        return responses
