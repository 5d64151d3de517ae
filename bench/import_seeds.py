"""Time parsing and importing each seed document (and re-importing it), on the configured database.

    SHINCHOKU_ENV=development .venv/bin/python bench/import_seeds.py [--repeat N]

Runs in a throw-away test database (Django's test runner machinery), so it never
touches var/db.sqlite3. Prints one line per measurement: median of N runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings_test")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from shinchoku.core.audit import Actor  # noqa: E402
from shinchoku.imports.reading import parse_bytes  # noqa: E402
from shinchoku.imports.services import report_import  # noqa: E402
from shinchoku.organizations.services import municipality_create  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
ACTOR = Actor(label="bench")


def median_ms(runs: list[float]) -> str:
    return f"{statistics.median(runs) * 1000:8.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        print(f"database: {connection.vendor}; repeat: {args.repeat}")
        for path in sorted(SEEDS.glob("*.txt")):
            data = path.read_bytes()
            parse_runs, first_runs, again_runs = [], [], []
            for _ in range(args.repeat):
                start = time.perf_counter()
                document = parse_bytes(data, source=path.name)
                parse_runs.append(time.perf_counter() - start)
                with transaction.atomic():
                    municipality = municipality_create(
                        code="992011", name="みどり市", prefecture="架空県", slug="midori", actor=ACTOR
                    )
                    start = time.perf_counter()
                    report_import(
                        municipality=municipality,
                        data=data,
                        source=path.name,
                        actor=ACTOR,
                        create_missing=True,
                    )
                    first_runs.append(time.perf_counter() - start)
                    start = time.perf_counter()
                    report_import(municipality=municipality, data=data, source=path.name, actor=ACTOR)
                    again_runs.append(time.perf_counter() - start)
                    transaction.set_rollback(True)
            print(
                f"{path.name} ({document.kind}, {len(data)} bytes, {len(document.unplaced)} lines not placed)"
            )
            print(f"  parse            {median_ms(parse_runs)}")
            print(f"  first import     {median_ms(first_runs)}")
            print(f"  re-import (no-op){median_ms(again_runs)}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
