"""Python's garbage collector, set for a long-running web process.

A worker holds a large, long-lived heap (Django, the fonts reportlab reads, the judged years
``evaluation.summaries`` keeps), and by default CPython runs a full collection whenever enough
young objects have survived two younger ones: each one walks the whole heap. In the large city's
benchmark (bench/national.py on SQLite) they came 33 times in a run, 100–160 ms each, and made
the p95 of the achievement pages 150 ms against a p50 of 35. Collecting the youngest generation
after 50,000 allocations rather than 700 makes full collections rare (none in that run) while
reference counting still frees almost everything at once: what waits for the collector is only
cyclic garbage, at most what 50,000 allocations made (rendering a PDF makes such cycles; the
worker's resident memory after bench/portal_load.py is the figure to watch). ``gc.freeze()`` then leaves what the process has built
at start-up (Django's modules, URL patterns, templates) out of every later collection.
"""

from __future__ import annotations

import gc

YOUNGEST = 50_000  # CPython's default is 700


def tune() -> None:
    """Called once a process has loaded the application, before it serves."""
    gc.set_threshold(YOUNGEST, 20, 20)
    gc.freeze()
