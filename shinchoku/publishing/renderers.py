"""Who renders the pages published with a revision: the portal names its renderer here.

Publishing sits below the portal and does not import it; the portal registers the dotted path of
its renderer at start-up (portal.apps), imported when first used. This module imports nothing
heavy, so that a process that never publishes (the upload worker, under its memory limit) does
not load the PDF and spreadsheet writers by starting Django.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from shinchoku.organizations.models import Municipality
    from shinchoku.publishing.models import Publication


@dataclass(frozen=True)
class Rendered:
    """A file to store: its key (``pdf``, ``csv:goals``, ``page:ja``), bytes and type."""

    key: str
    content: bytes
    content_type: str
    filename: str = ""


PageRenderer = Callable[["Publication | None", "Municipality", dict[str, int]], list[Rendered]]
page_renderers: dict[str, str] = {}


def register_pages(name: str, renderer: str) -> None:
    """``renderer``: the dotted path of a PageRenderer."""
    page_renderers[name] = renderer
