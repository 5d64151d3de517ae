"""The moment a file is dated, so that rendering the same revision twice gives the same bytes.

A PDF carries its creation date and an ID derived from it, an XLSX its creation date and a date
on every part of its zip. Rendered for a published revision, all of these are the revision's
publishing time (``fixed``), and the file is the same bytes however often it is rendered again
(publishing.artefacts stores files by their SHA-256; portal_export writes only what changed).
Outside ``fixed`` (render_report, a publish preview), files are dated now, as before.

A context variable rather than a parameter: the moment concerns only the writers at the bottom,
not the dozen functions between them and the caller.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime

_moment: ContextVar[datetime | None] = ContextVar("shinchoku_report_moment", default=None)


@contextmanager
def fixed(moment: datetime) -> Iterator[None]:
    token = _moment.set(moment)
    try:
        yield
    finally:
        _moment.reset(token)


def current() -> datetime | None:
    return _moment.get()


def restamp_zip(
    content: bytes, moment: datetime, rewrite: Callable[[str, bytes], bytes] | None = None
) -> bytes:
    """The same zip with every member dated ``moment`` (in its own time zone, as zip has none);
    ``rewrite(name, data)`` may change a member's content on the way."""
    stamp = moment.timetuple()[:6]
    source = zipfile.ZipFile(io.BytesIO(content))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=stamp)
            member.compress_type = info.compress_type
            member.external_attr = info.external_attr
            data = source.read(info)
            target.writestr(member, rewrite(info.filename, data) if rewrite else data)
    return buffer.getvalue()
