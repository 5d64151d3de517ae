"""Portal search latency against a large published corpus, on the configured database.

    SHINCHOKU_ENV=development .venv/bin/python bench/portal_search.py [--copies 200] [--repeat 20]
    DATABASE_URL=postgres://… .venv/bin/python bench/portal_search.py

Publishes both seeds once, then copies their search entries ``--copies`` times (as if
that many reports had been published) and times queries of three or more characters
(served by the trigram index) and of two characters (a substring scan). Runs in a
throw-away test database. Prints the median and the 95th percentile per query.
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

from django.db import connection  # noqa: E402
from django.test.utils import setup_test_environment, teardown_test_environment  # noqa: E402

from shinchoku.core.audit import Actor  # noqa: E402
from shinchoku.goals.models import GoalDeclaration  # noqa: E402
from shinchoku.imports.services import report_import  # noqa: E402
from shinchoku.organizations.services import municipality_create  # noqa: E402
from shinchoku.plans.models import Plan  # noqa: E402
from shinchoku.publishing.models import SearchEntry  # noqa: E402
from shinchoku.publishing.selectors import search  # noqa: E402
from shinchoku.publishing.services import goal_declaration_publish, guideline_progress_publish  # noqa: E402
from shinchoku.testing import SEED_000, SEED_004  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
ACTOR = Actor(label="bench")
QUERIES = ["パブリックコメント", "市債残高", "市民協働課", "財政", "広報"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        municipality = municipality_create(
            code="992011", name="みどり市", prefecture="架空県", slug="midori", actor=ACTOR
        )
        for name in (SEED_000, SEED_004):
            report_import(
                municipality=municipality,
                data=(SEEDS / name).read_bytes(),
                source=name,
                actor=ACTOR,
                create_missing=True,
            )
        goal_declaration_publish(declaration=GoalDeclaration.objects.get(), actor=ACTOR)
        guideline_progress_publish(plan=Plan.objects.get(), fiscal_year=2018, actor=ACTOR)
        originals = list(SearchEntry.objects.all())
        copies = [
            SearchEntry(
                publication_id=e.publication_id,
                municipality_id=e.municipality_id,
                fiscal_year=e.fiscal_year - 1 - copy % 30,
                department_name=e.department_name,
                section_names=e.section_names,
                grade=e.grade,
                heading=e.heading,
                body=e.body,
                anchor=e.anchor,
            )
            for copy in range(args.copies)
            for e in originals
        ]
        SearchEntry.objects.bulk_create(copies, batch_size=2000)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # what autovacuum would do after a bulk load
                cursor.execute("ANALYZE publishing_searchentry")
        total = SearchEntry.objects.count()
        print(f"database: {connection.vendor}; search entries: {total}; repeat: {args.repeat}")
        for query in QUERIES:
            runs = []
            for _ in range(args.repeat):
                start = time.perf_counter()
                hits = search(municipality, query)
                runs.append(time.perf_counter() - start)
            runs.sort()
            p95 = runs[min(len(runs) - 1, int(len(runs) * 0.95))]
            print(
                f"  {query:<12} {len(hits):>4} hits (first 100)   "
                f"median {statistics.median(runs) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()


if __name__ == "__main__":
    main()
