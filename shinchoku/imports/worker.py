"""Parse an upload once, in a child process that cannot take the server down.

The readers stop at the upload bounds (``shinchoku.core.upload_limits``), but a
parser library can still meet a file that costs more than any bound foresaw (a
compressed stream inside a PDF, a pathological layout). The web upload therefore
parses in a child process whose CPU time and address space are limited by the
kernel (``setrlimit``, set by the child itself before it reads anything): a file
that needs more is refused with a message, and the web worker that waited keeps
serving with its memory unchanged. The parse result is stored with the upload,
so the preview and the commit never parse again.

Protocol: the parent writes one JSON line (source, format, language, bounds)
then the file's bytes to the child's stdin; the child writes one JSON object to
stdout: ``{"document": …}`` (the interchange JSON, ``schema.to_json``) or
``{"error": {reason, message, params, line, cell}}`` (``ImportFormatError.to_json``: the
reason in English and as a message to translate where it is shown, which may be in
another language than the uploader's; with ``"table"`` when the file is a table in a
city's own columns) or ``{"limit": "memory"}``.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from shinchoku.core.messages import Message

MB = 1024 * 1024
# Settings the child must see as the parent does (tests override them; a city may too).
_FORWARDED_SETTINGS = (
    "SHINCHOKU_UPLOAD_MAX_MB",
    "SHINCHOKU_IMPORT_MAX_TEXT_MB",
    "SHINCHOKU_IMPORT_MAX_LINES",
    "SHINCHOKU_IMPORT_MAX_PAGES",
    "SHINCHOKU_IMPORT_MAX_PAGE_CHARS",
    "SHINCHOKU_IMPORT_MAX_ROWS",
    "SHINCHOKU_IMPORT_MAX_COLUMNS",
    "SHINCHOKU_IMPORT_MAX_CELLS",
    "SHINCHOKU_IMPORT_MAX_SHEETS",
    "SHINCHOKU_IMPORT_MAX_ZIP_ENTRIES",
    "SHINCHOKU_IMPORT_MAX_UNPACKED_MB",
)

logger = logging.getLogger(__name__)


@dataclass
class WorkerResult:
    """What the child read: the document's interchange JSON, or why it could not."""

    document: dict[str, Any] | None
    error: dict[str, Any] | None
    seconds: float
    # A table in no report's layout (mapped_tables.RawTable JSON): its columns are to be mapped.
    table: dict[str, Any] | None = None


def parse_in_worker(
    data: bytes, *, source: str, format: str | None = None, known_sections: Collection[str] = ()
) -> WorkerResult:
    """Parse ``data`` in a limited child process; never raises for a bad file, only reports it."""
    from django.conf import settings
    from django.utils.translation import get_language

    from shinchoku.core.messages import message as _

    cpu = settings.SHINCHOKU_IMPORT_CPU_SECONDS
    memory = settings.SHINCHOKU_IMPORT_MEMORY_MB
    header = {
        "source": source,
        "format": format,
        "language": get_language() or settings.LANGUAGE_CODE,
        "cpu_seconds": cpu,
        "memory_mb": memory,
        "settings": {name: getattr(settings, name) for name in _FORWARDED_SETTINGS},
        "known_sections": list(known_sections),
    }
    payload = json.dumps(header).encode() + b"\n" + data
    started = time.monotonic()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "shinchoku.settings"),
    }
    try:
        completed = subprocess.run(
            [sys.executable, "-m", "shinchoku.imports.worker"],
            input=payload,
            capture_output=True,
            # CPU time is limited by the kernel; the wall clock covers a child that sleeps or waits.
            timeout=cpu * 2 + 15,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return _refused(_too_slow(cpu), started)
    seconds = time.monotonic() - started
    try:
        answer = json.loads(completed.stdout.decode() or "null")
    except (UnicodeDecodeError, json.JSONDecodeError):
        answer = None
    if isinstance(answer, dict) and "document" in answer:
        return WorkerResult(document=answer["document"], error=None, seconds=seconds)
    if isinstance(answer, dict) and "error" in answer:
        return WorkerResult(document=None, error=answer["error"], seconds=seconds, table=answer.get("table"))
    stderr = completed.stderr.decode(errors="replace")
    if (
        (isinstance(answer, dict) and answer.get("limit") == "memory")
        or completed.returncode in (-signal.SIGKILL, -signal.SIGSEGV)
        # Out of address space while Python itself runs (an import, its error handling): it
        # ends with a MemoryError, a SystemError that no exception was set, or an ImportError
        # of a shared library that could not be mapped.
        or (
            completed.returncode != 0
            and any(
                sign in stderr
                for sign in ("MemoryError", "error return without exception", "failed to map segment")
            )
        )
    ):
        message = _(
            "Reading the file needed more than %(limit)s MB of memory, more than any report: "
            "check that it is the right file, or split it.",
            limit=f"{memory:,}",
        )
        return _refused(message, started)
    if completed.returncode == -signal.SIGXCPU:
        return _refused(_too_slow(cpu), started)
    # Not the file's fault as far as we can tell: keep the detail for the operator.
    logger.error(
        "import worker failed for %s (exit %s): %s",
        source,
        completed.returncode,
        stderr[-4000:],
    )
    return _refused(
        _("The file could not be read because of an error in the reader; it has been logged."), started
    )


def _too_slow(cpu: int) -> Message:
    from shinchoku.core.messages import message as _

    return _(
        "Reading the file took more than %(seconds)s seconds of computing time, more than any report: "
        "check that it is the right file, or split it.",
        seconds=cpu,
    )


def _refused(reason: Message, started: float) -> WorkerResult:
    error = {"reason": reason.english, **reason.to_json()}
    return WorkerResult(document=None, error=error, seconds=time.monotonic() - started)


# --- the child ----------------------------------------------------------------------------


def _limit_self(cpu_seconds: int, memory_mb: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * MB, memory_mb * MB))
    # A core dump of a killed parse is of no use and could hold the document.
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _child() -> int:
    stdin = sys.stdin.buffer
    header = json.loads(stdin.readline())
    _limit_self(int(header["cpu_seconds"]), int(header["memory_mb"]))
    data = stdin.read()
    out = sys.stdout
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.utils import translation

        for name, value in header["settings"].items():
            setattr(settings, name, value)
        translation.activate(header["language"])

        from shinchoku.documents.schema import ImportFormatError
        from shinchoku.imports.mapped_tables import raw_table
        from shinchoku.imports.reading import is_own_table, parse_bytes

        try:
            document = parse_bytes(
                data,
                source=header["source"],
                format=header["format"],
                known_sections=header.get("known_sections", ()),
            )
        except ImportFormatError as error:
            answer: dict[str, Any] = {"error": error.to_json()}
            if header["format"] is None and is_own_table(data, source=header["source"]):
                # Not a report's layout: a table of the city's own columns, to map (mapped_tables).
                with contextlib.suppress(ImportFormatError):
                    answer["table"] = raw_table(data, source=header["source"]).to_json()
            json.dump(answer, out, ensure_ascii=False)
            return 0
        json.dump({"document": document.to_json(positions=True)}, out, ensure_ascii=False)
        return 0
    except MemoryError:
        out.write('{"limit": "memory"}')
        return 0


if __name__ == "__main__":
    sys.exit(_child())
