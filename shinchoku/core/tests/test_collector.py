"""The WSGI application sets the garbage collector for a long-running worker (core.collector)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_the_wsgi_module_sets_the_collector_for_a_worker() -> None:
    # A process of its own: the test process's collector is left as it is.
    code = "import gc, shinchoku.wsgi; print(gc.get_threshold()[0], gc.get_freeze_count() > 1000)"
    env = {**os.environ, "SHINCHOKU_ENV": "development", "DJANGO_SETTINGS_MODULE": "shinchoku.settings"}
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["50000", "True"]
