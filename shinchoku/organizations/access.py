"""Access helpers: every object reached from a URL by a logged-in user is fetched through here.

A helper checks the user's active memberships (role, municipality, department or
section) and raises ``PermissionDenied`` otherwise; views never fetch business
objects by raw id themselves. Another municipality's objects are refused the same
way as objects that do not exist, so ids reveal nothing.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.utils import timezone

from shinchoku.organizations.models import Membership, Municipality, OrganizationUpload, Role

PLANNING_ROLES = (Role.SYSTEM_ADMIN, Role.PLANNING_ADMIN)


_KEPT = "_shinchoku_memberships"


def current_memberships(user: User | AnonymousUser) -> list[Membership]:
    """The user's memberships valid today, in every municipality, read once per request.

    Kept on the user object, which lives as long as the request: the page's access check and
    the navigation's count of waiting work (workflow.tasks) read the same rows.
    """
    if not user.is_authenticated:
        return []
    today = timezone.localdate()
    kept = getattr(user, _KEPT, None)
    if kept is not None and kept[0] == today:
        return list(kept[1])
    found = list(
        Membership.objects.filter(user=user)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=today))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("department", "section__department")
    )
    setattr(user, _KEPT, (today, found))
    return list(found)


def active_memberships(user: User | AnonymousUser, municipality: Municipality) -> list[Membership]:
    return [m for m in current_memberships(user) if m.municipality_id == municipality.pk]


def has_role(user: User | AnonymousUser, municipality: Municipality, roles: Iterable[str]) -> bool:
    wanted = set(roles)
    return any(m.role in wanted for m in active_memberships(user, municipality))


def municipality_for_roles(user: User | AnonymousUser, slug: str, roles: Iterable[str]) -> Municipality:
    """The municipality of ``slug`` if ``user`` holds one of ``roles`` there; else refused."""
    municipality = Municipality.objects.filter(slug=slug).first()
    if municipality is None:
        raise Http404("No such municipality.")
    if not has_role(user, municipality, roles):
        raise PermissionDenied("You have no role here that allows this.")
    return municipality


def municipality_for_master(user: User | AnonymousUser, slug: str) -> Municipality:
    """The organisation master is the planning section's (and system administrators')."""
    return municipality_for_roles(user, slug, PLANNING_ROLES)


def organization_upload_for_user(user: User | AnonymousUser, slug: str, pk: int) -> OrganizationUpload:
    municipality = municipality_for_master(user, slug)
    upload = (
        OrganizationUpload.objects.filter(municipality=municipality, pk=pk)
        .select_related("uploaded_by")
        .first()
    )
    if upload is None:
        raise Http404("No such upload.")
    return upload
