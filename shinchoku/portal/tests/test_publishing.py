"""Publishing freezes a snapshot; later edits make a new revision and never change the old one."""

from pathlib import Path

import pytest

from shinchoku.core.audit import Actor
from shinchoku.goals.models import GoalDeclaration
from shinchoku.imports.services import report_import
from shinchoku.organizations.models import Municipality
from shinchoku.portal.tests.conftest import SEED_000
from shinchoku.publishing.models import Publication, SearchEntry
from shinchoku.publishing.services import goal_declaration_publish


def test_publishing_twice_without_change_keeps_one_revision(
    published: dict[str, Publication], actor: Actor
) -> None:
    again = goal_declaration_publish(declaration=GoalDeclaration.objects.get(), actor=actor)
    assert again.pk == published["goals"].pk
    assert Publication.objects.count() == 2


def test_an_edit_after_publishing_makes_a_new_revision(
    published: dict[str, Publication], municipality: Municipality, actor: Actor, seeds_dir: Path
) -> None:
    first = published["goals"]
    corrected = (seeds_dir / SEED_000).read_text(encoding="utf-8").replace("398件", "399件")
    report_import(municipality=municipality, data=corrected.encode(), source="fix.txt", actor=actor)
    first.refresh_from_db()
    assert "398件" in str(first.document)  # unpublished edits do not touch the snapshot
    second = goal_declaration_publish(declaration=GoalDeclaration.objects.get(), actor=actor)
    first.refresh_from_db()
    assert (second.revision, second.is_current, first.is_current) == (2, True, False)
    assert "398件" in str(first.document) and "399件" in str(second.document)
    assert not SearchEntry.objects.filter(publication=first).exists()
    assert SearchEntry.objects.filter(publication=second).count() == 10


def test_a_published_revision_cannot_be_changed(published: dict[str, Publication]) -> None:
    publication = published["goals"]
    publication.title = "改ざん"
    with pytest.raises(PermissionError):
        publication.save()
    with pytest.raises(PermissionError):
        publication.save(update_fields=["title"])


def test_guideline_search_entries_carry_sections_and_departments(published: dict[str, Publication]) -> None:
    entries = SearchEntry.objects.filter(publication=published["guideline"])
    assert entries.count() == 33
    first = entries.order_by("id").first()
    assert first is not None and "人権・広聴相談課" in first.section_names
