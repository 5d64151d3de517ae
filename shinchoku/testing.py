"""Shared test helpers: the seed file names and the seed documents parsed and rendered once per run."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from shinchoku.documents.schema import ParsedGoalDeclaration, ParsedGuidelineProgress
from shinchoku.imports.parsers import goal_declaration_text, guideline_progress_text

SEED_000 = "000_258841814ba200c7.txt"  # FY2016 goal declaration achievement report
SEED_004 = "004_6a6d05d201dcec27.txt"  # FY2018/2019 guideline progress table


@cache
def goal_document(path: Path) -> ParsedGoalDeclaration:
    return goal_declaration_text.parse(path.read_text(encoding="utf-8"), source=path.name)


@cache
def guideline_document(path: Path) -> ParsedGuidelineProgress:
    return guideline_progress_text.parse(path.read_text(encoding="utf-8"), source=path.name)


# Rendered once per test run: each test reads the same bytes.
@cache
def goal_pdf(path: Path) -> bytes:
    from shinchoku.reports.pdf import goal_declaration_pdf

    return goal_declaration_pdf(goal_document(path))


@cache
def guideline_pdf(path: Path) -> bytes:
    from shinchoku.reports.pdf import guideline_progress_pdf

    return guideline_progress_pdf(guideline_document(path))


# Generated documents per generator test (shinchoku/imports/tests/test_generated_*.py): thousands
# in `make test`; SHINCHOKU_GENERATED_EXAMPLES=100 for a quick run while working on a reader.
GENERATED_EXAMPLES = int(os.environ.get("SHINCHOKU_GENERATED_EXAMPLES", "1000"))


def only_in_the_sqlite_pass() -> Any:
    """Skip a test that reads no database in the suite's PostgreSQL pass: the SQLite pass ran it."""
    import pytest
    from django.db import connection

    return pytest.mark.skipif(
        connection.vendor != "sqlite",
        reason="reads no database: the suite's SQLite pass runs it, the PostgreSQL pass need not repeat it",
    )
