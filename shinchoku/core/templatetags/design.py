"""Template helpers of the design system (docs/design.md): the emblem slot and the site contact."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.templatetags.static import static

register = template.Library()

EMBLEM_EXTENSIONS = ("svg", "png", "webp")


@lru_cache(maxsize=256)
def _emblem_path(slug: str) -> str | None:
    """The city's emblem among the static files (``img/emblem/<slug>.svg``, .png or .webp)."""
    for extension in EMBLEM_EXTENSIONS:
        path = f"img/emblem/{slug}.{extension}"
        if finders.find(path):
            return path
        try:
            if settings.STATIC_ROOT and staticfiles_storage.exists(path):
                return path
        except OSError:  # an unreadable static root: no emblem
            continue
    return None


@register.simple_tag
def emblem_url(slug: str | None) -> str:
    """The URL of a municipality's emblem, or "" when it has none (the slot shows a plain mark)."""
    if not slug:
        return ""
    path = _emblem_path(str(slug))
    return static(path) if path else ""


@register.simple_tag
def site_contact() -> str:
    """``SHINCHOKU_CONTACT``: who answers questions about the site (empty: the template's default)."""
    return str(getattr(settings, "SHINCHOKU_CONTACT", "") or "")
