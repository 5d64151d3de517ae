"""What management commands of every app share about municipalities."""

from __future__ import annotations

from django.core.management.base import CommandError

from shinchoku.organizations.models import Municipality


def municipality_from_option(value: str | None) -> Municipality:
    """The municipality named by code or slug (``--municipality``); the only one when there is just one."""
    if value:
        found = (
            Municipality.objects.filter(code=value).first() or Municipality.objects.filter(slug=value).first()
        )
        if found is None:
            raise CommandError(f"No municipality with code or slug {value!r}.")
        return found
    municipalities = list(Municipality.objects.all()[:2])
    if len(municipalities) != 1:
        raise CommandError("Name the municipality with --municipality CODE_OR_SLUG.")
    return municipalities[0]
