"""Two people adding an entry to the same row at the same moment both get their entry (found by bench/load.py).

``progress_entry_create`` takes the last position + 1. Without a lock two requests
read the same last position and the second insert broke the unique position
constraint: an HTTP 500 on PostgreSQL. SQLite serialises writers (IMMEDIATE
transactions) and never showed it; the test runs in the PostgreSQL pass of the suite.
"""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from shinchoku.core.audit import Actor
from shinchoku.organizations.models import Municipality, Section
from shinchoku.progress.models import ProgressEntry
from shinchoku.progress.services import progress_entry_create

from .conftest import make_guideline

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_adds_to_one_row_get_distinct_positions(
    municipality: Municipality, section: Section, actor: Actor
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers: the race exists on PostgreSQL only (the suite's second pass)")
    _plan, rows = make_guideline(municipality, 1)
    row = rows[0]
    rounds, people = 8, 4
    errors: list[BaseException] = []
    for _ in range(rounds):
        barrier = threading.Barrier(people)

        def add(number: int, barrier: threading.Barrier) -> None:
            try:
                barrier.wait()
                progress_entry_create(
                    row=row,
                    kind=ProgressEntry.Kind.RESULT,
                    text=f"同時に追加した実績{number}。",
                    sections=[section],
                    actor=actor,
                )
            except BaseException as error:  # collected and asserted below
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=add, args=(n, barrier)) for n in range(people)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    positions = list(row.entries.filter(kind=ProgressEntry.Kind.RESULT).values_list("position", flat=True))
    assert len(positions) == rounds * people and len(set(positions)) == len(positions)
