"""区分 codes other than Roman numerals go all the way: import, database, XLSX and PDF and back.

Other cities classify with ①②, A/B/C, 1–4 or words (継続/拡充…), as their own legend says
(corpus documents of issue 11). A row whose 区分 is missing from the legend is read with a
warning; once accepted, it is kept as a code of the plan without a label.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from shinchoku.core.audit import Actor
from shinchoku.documents.schema import ParsedGuidelineProgress
from shinchoku.imports.parsers import pdf as pdf_reader
from shinchoku.imports.parsers import xlsx as xlsx_reader
from shinchoku.imports.reading import parse_bytes
from shinchoku.organizations.models import Municipality
from shinchoku.plans.models import Classification, Plan
from shinchoku.progress.selectors import guideline_progress_document
from shinchoku.progress.services import guideline_progress_import
from shinchoku.reports.pdf import guideline_progress_pdf
from shinchoku.reports.xlsx import guideline_progress_xlsx

CORPUS = Path(__file__).resolve().parent / "corpus"
FAMILIES = {
    "hanasaki_kyodo_r2_progress": ["継続", "拡充", "新規", "検討"],
    "shinonome_sankaku_r6_progress": ["①", "②", "③", "④"],
    "hoshikawa_kyodo_r6_progress": ["A", "B", "C"],
    "yunoki_kyodo_r7_progress": ["1", "2", "3", "4"],
}


def read(name: str) -> ParsedGuidelineProgress:
    document = parse_bytes((CORPUS / f"{name}.txt").read_bytes(), source=f"{name}.txt")
    assert isinstance(document, ParsedGuidelineProgress)
    return document


@pytest.mark.parametrize("name", sorted(FAMILIES))
def test_codes_of_every_family_import_export_and_read_back(
    name: str, municipality: Municipality, actor: Actor
) -> None:
    parsed = read(name)
    assert [c.code for c in parsed.classifications] == FAMILIES[name]
    plan, _summary = guideline_progress_import(
        municipality=municipality, parsed=parsed, actor=actor, create_missing=True
    )
    stored = guideline_progress_document(plan, parsed.result_year)
    assert stored.to_json() == parsed.to_json()
    # Exported to XLSX and PDF, and read back: the same codes, the same rows.
    assert xlsx_reader.parse(guideline_progress_xlsx(stored), source="p.xlsx").to_json() == stored.to_json()
    back = pdf_reader.parse(guideline_progress_pdf(stored), source="p.pdf")
    assert isinstance(back, ParsedGuidelineProgress)
    assert [c.code for c in back.classifications] == FAMILIES[name]
    assert [r.classification for i in back.initiatives for r in i.rows] == [
        r.classification for i in stored.initiatives for r in i.rows
    ]


def test_a_code_missing_from_the_legend_is_kept_without_a_label(
    municipality: Municipality, actor: Actor
) -> None:
    text = (CORPUS / "yunoki_kyodo_r7_progress.txt").read_bytes().decode("utf-8-sig")
    text = text.replace("\n4\t今後検討する。", "")  # the legend loses its last code
    parsed = parse_bytes(text.encode(), source="y.txt")
    assert isinstance(parsed, ParsedGuidelineProgress)
    assert [(w.code, w.params) for w in parsed.warnings] == [("unknown_code", {"code": "4"})]
    plan, _summary = guideline_progress_import(
        municipality=municipality, parsed=parsed, actor=actor, create_missing=True
    )
    codes = list(Classification.objects.filter(plan=plan).values_list("code", "label", "position"))
    assert codes[-1] == ("4", "", 4)
    assert Plan.objects.count() == 1
