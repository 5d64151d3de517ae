"""The number of requests waiting for the user, shown in the navigation of every staff page."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from shinchoku.workflow.tasks import my_work_count


def my_work(request: HttpRequest) -> dict[str, object]:
    # Lazy: pages that never show the navigation (downloads, htmx fragments) cost no query.
    return {"my_work_count": SimpleLazyObject(lambda: my_work_count(request.user, timezone.localdate()))}
