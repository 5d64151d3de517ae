"""What the public and the staff views share: query parameters read through a serializer, path ids."""

from __future__ import annotations

from typing import Any

from rest_framework.request import Request
from rest_framework.serializers import Serializer

# A path's id, as the URL's converter reads it (the OpenAPI document says so to clients).
ID: dict[str, Any] = {"type": "integer", "minimum": 0}


class FilteredMixin:
    # Query parameters read through a serializer: a wrong value is a 400 naming the parameter.
    # (No docstring here or in the views' bases: drf-spectacular would show it as every
    # operation's description.)

    filters: type[Serializer] | None = None
    request: Request

    def filter_values(self) -> dict[str, Any]:
        if self.filters is None:
            return {}
        found = self.filters(data=self.request.query_params)
        found.is_valid(raise_exception=True)
        return dict(found.validated_data)
