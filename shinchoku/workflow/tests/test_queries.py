"""Pages cost a bounded number of queries with a whole city's data (≥ 40 sections, ≥ 500 entries)."""

from __future__ import annotations

import pytest
from django.test import Client

from shinchoku.core.audit import Actor
from shinchoku.organizations.models import Department, Membership, Municipality, Section
from shinchoku.progress.models import EntryResponsible, ProgressEntry
from shinchoku.workflow.services import round_open

from .conftest import DEADLINE, RESULT_YEAR, TODAY, make_guideline

SECTIONS = 45
ENTRIES_PER_SECTION = 12  # 540 plans last year, 540 prefilled results this year


@pytest.fixture
def city(municipality: Municipality, department: Department, section: Section, actor: Actor):  # type: ignore[no-untyped-def]
    others = Section.objects.bulk_create(
        [
            Section(municipality=municipality, department=department, name=f"第{i}課", position=i)
            for i in range(1, SECTIONS)
        ]
    )
    sections = [section, *others]
    plan, rows = make_guideline(municipality, 30)
    entries = ProgressEntry.objects.bulk_create(
        [
            ProgressEntry(
                row=rows[(s * ENTRIES_PER_SECTION + k) % len(rows)],
                kind=ProgressEntry.Kind.PLAN,
                fiscal_year=RESULT_YEAR,
                position=s * ENTRIES_PER_SECTION + k + 1,
                text=f"{sec.name}の予定{k}",
            )
            for s, sec in enumerate(sections)
            for k in range(ENTRIES_PER_SECTION)
        ]
    )
    EntryResponsible.objects.bulk_create(
        [
            EntryResponsible(entry=e, position=0, section=sections[i // ENTRIES_PER_SECTION])
            for i, e in enumerate(entries)
        ]
    )
    collection_round = round_open(
        municipality=municipality,
        fiscal_year=RESULT_YEAR,
        kind="guideline_progress",
        title="進捗照会",
        deadline=DEADLINE,
        sections=sections,
        actor=actor,
        plan=plan,
        today=TODAY,
    )
    return collection_round


def test_board_request_and_history_pages_are_bounded(
    client: Client, city, section: Section, staff, planner, django_assert_max_num_queries
) -> None:  # type: ignore[no-untyped-def]
    assert Section.objects.count() >= 40
    assert ProgressEntry.objects.count() >= 1000
    assert Membership.objects.exists()
    base = f"/m/midori/rounds/{city.pk}/"
    request_page = f"{base}sections/{section.pk}/"
    client.force_login(planner)
    # + the round's declarations and publications, and why it cannot be published (3)
    with django_assert_max_num_queries(15):
        response = client.get(base)
    assert response.content.decode().count("/sections/") >= 40
    client.force_login(staff)
    with django_assert_max_num_queries(16):
        page = client.get(request_page).content.decode()
    assert page.count("<textarea") >= ENTRIES_PER_SECTION
    with django_assert_max_num_queries(14):
        history = client.get(f"{request_page}history/")
    assert history.status_code == 200
