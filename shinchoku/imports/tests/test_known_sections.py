"""Section names the organisation master knows are read as sections, whatever their ending."""

from __future__ import annotations

from pathlib import Path

from shinchoku.core.audit import Actor
from shinchoku.imports.services import report_import
from shinchoku.organizations.models import Department, Municipality
from shinchoku.organizations.services import section_create
from shinchoku.progress.models import ProgressEntry

DEMO = Path(__file__).resolve().parents[2] / "demo" / "documents" / "midori_guideline_progress_2024.txt"
# A section whose name ends in nothing an organisation name usually ends in.
UNUSUAL = "こども未来"


def document() -> bytes:
    return DEMO.read_text(encoding="utf-8").replace("(情報政策課)", f"({UNUSUAL})").encode()


def responsible_names(text_start: str) -> list[str]:
    entry = ProgressEntry.objects.filter(text__startswith=text_start).first()
    assert entry is not None, text_start
    return [r.section.name for r in entry.responsibles.select_related("section")]


def test_a_name_in_the_master_is_a_section_and_unknown_it_stays_in_the_text(
    municipality: Municipality, department: Department, actor: Actor
) -> None:
    preview = report_import(
        municipality=municipality,
        data=document(),
        source="d.txt",
        actor=actor,
        create_missing=True,
        dry_run=True,
    )
    texts = [e.text for i in preview.document.initiatives for r in i.rows for e in r.results]
    assert any(text.endswith(f"({UNUSUAL})") or text.endswith(f"（{UNUSUAL}）") for text in texts)

    section_create(municipality=municipality, department=department, name=UNUSUAL, actor=actor)
    report_import(
        municipality=municipality, data=document(), source="d.txt", actor=actor, create_missing=True
    )
    assert responsible_names("電子申請システムを使ったWebアンケート") == [UNUSUAL]
