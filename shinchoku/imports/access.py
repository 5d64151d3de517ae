"""Only the planning section (and system administrators) import documents."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.http import Http404

from shinchoku.imports.models import PendingImport
from shinchoku.organizations.access import PLANNING_ROLES, municipality_for_roles
from shinchoku.organizations.models import Municipality


def municipality_for_import(user: User | AnonymousUser, slug: str) -> Municipality:
    return municipality_for_roles(user, slug, PLANNING_ROLES)


def unconfirmed_imports_for_user(user: User | AnonymousUser, slug: str) -> list[PendingImport]:
    """Uploads of the municipality not imported yet, for who may preview them (the same rule).

    Newest first, at most 20; the file's bytes are not loaded.
    """
    municipality = municipality_for_import(user, slug)
    return list(
        PendingImport.objects.filter(municipality=municipality, record__isnull=True)
        .select_related("uploaded_by")
        .defer("data", "document", "table", "corrections")
        .order_by("-uploaded_at")[:20]
    )


def pending_import_for_user(user: User | AnonymousUser, slug: str, pk: int) -> PendingImport:
    municipality = municipality_for_import(user, slug)
    pending = PendingImport.objects.filter(municipality=municipality, pk=pk).select_related("record").first()
    if pending is None:
        raise Http404("No such upload.")
    return pending
