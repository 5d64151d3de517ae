"""The fictional みどり市 documents: read by the real parsers, imported by the demo loader.

They stand in for the real seeds where ../shared/seeds is absent, so they must keep
the seeds' two layouts (a PDF-flattened goal declaration, a tab-separated guideline
table with HTML fragments) and name only sections of the demo master.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from shinchoku.core.figures import Figure
from shinchoku.demo.loader import DOCUMENTS_DIR, MIDORI, demo_load
from shinchoku.documents.schema import ParsedEntry, ParsedGoalDeclaration, ParsedGuidelineProgress
from shinchoku.goals.models import Goal, GoalDeclaration
from shinchoku.imports.parsers import goal_declaration_text, guideline_progress_text
from shinchoku.organizations.models import Section
from shinchoku.plans.models import Indicator, Measurement, Plan, PlanNode, Target
from shinchoku.policies.models import ExternalReview, PolicySheet
from shinchoku.progress.models import EntryResponsible, InitiativeRow, ProgressEntry

GOALS_FILE = DOCUMENTS_DIR / "midori_goal_declaration_2024.txt"
GUIDELINE_FILE = DOCUMENTS_DIR / "midori_guideline_progress_2024.txt"

# The sections the demo loader creates for みどり市, valid in FY2024 (広報広聴課 ended in 2023).
MASTER_2024 = {
    "企画政策課",
    "財政課",
    "広報課",
    "情報政策課",
    "総務課",
    "職員課",
    "契約検査課",
    "市民協働課",
    "市民相談課",
    "環境保全課",
    "福祉総務課",
    "高齢介護課",
    "子育て支援課",
    "都市計画課",
    "道路課",
    "公園緑地課",
    "生涯学習課",
    "青少年課",
}
PLANNING_DEPARTMENT = {"企画政策課", "財政課", "広報課", "情報政策課"}
OUTSIDE_BODY = "みどり市体育協会"
MIDORI_CODE = "992011"


@pytest.fixture(scope="module")
def goals_text() -> str:
    return GOALS_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def guideline_text() -> str:
    return GUIDELINE_FILE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def declaration(goals_text: str) -> ParsedGoalDeclaration:
    return goal_declaration_text.parse(goals_text, source=GOALS_FILE.name)


@pytest.fixture(scope="module")
def guideline(guideline_text: str) -> ParsedGuidelineProgress:
    return guideline_progress_text.parse(guideline_text, source=GUIDELINE_FILE.name)


def _figure(value: str, unit: str, *, approximate: bool = False, provisional: bool = False) -> tuple:
    return (Decimal(value), unit, approximate, provisional)


def _plain(figures: list[Figure]) -> list[tuple]:
    return [(f.value, f.unit, f.approximate, f.provisional) for f in figures]


def _entries(doc: ParsedGuidelineProgress, kind: str) -> list[ParsedEntry]:
    return [entry for i in doc.initiatives for row in i.rows for entry in getattr(row, kind)]


# --- the loader knows the files, the files keep the seed layouts ---------------------------


def test_the_loader_lists_both_documents() -> None:
    assert MIDORI.documents == (GOALS_FILE, GUIDELINE_FILE)
    assert GOALS_FILE.is_file()
    assert GUIDELINE_FILE.is_file()


def test_goal_declaration_keeps_the_pdf_features(goals_text: str) -> None:
    assert goal_declaration_text.looks_like(goals_text)
    assert not guideline_progress_text.looks_like(goals_text)
    assert goals_text.count("N0.") == 2  # the column header repeats at a page break
    assert "ｺﾐｭﾆﾃｨ" in goals_text  # half-width katakana, normalised on import
    assert "\n６ " in goals_text  # a goal number written with a full-width digit
    assert "\n 市政情報の発信力強化" in goals_text  # a goal whose number the PDF lost


def test_guideline_keeps_the_extraction_features(guideline_text: str) -> None:
    assert guideline_progress_text.looks_like(guideline_text)
    assert not goal_declaration_text.looks_like(guideline_text)
    lines = guideline_text.split("\n")
    title = "『みどり市市民協働推進指針』における「基本的な取り組み」への進捗状況等"
    assert lines.count(title) == 4  # the title, then three page headers
    assert '<ul style="list-style-type: none">' in guideline_text
    assert "<p>" in guideline_text
    codes = {line.split("\t")[2] for line in lines if line.count("\t") == 5}
    assert {"II", "Ⅱ"} <= codes  # the same code written two ways


# --- (a) the goal declaration ----------------------------------------------------------------


def test_declaration_head(declaration: ParsedGoalDeclaration) -> None:
    assert declaration.fiscal_year == 2024
    assert declaration.title == "令和6年度 企画部長の目標宣言 達成状況報告"
    assert declaration.declarer_position == "企画部長"
    assert declaration.declarer_name == "緑川 一郎"
    assert declaration.unplaced == []


def test_goal_numbers_one_inferred(declaration: ParsedGoalDeclaration) -> None:
    assert [g.number for g in declaration.goals] == [1, 2, 3, 4, 5, 6]
    assert [g.number for g in declaration.goals if g.number_inferred] == [5]


def test_goal_titles_and_sections(declaration: ParsedGoalDeclaration) -> None:
    assert [(g.title, g.sections) for g in declaration.goals] == [
        ("第2次みどり市総合計画後期基本計画に基づく施策評価", ["企画政策課"]),
        ("実施計画「重点事業」の進行管理の実施", ["企画政策課"]),
        ("健全な財政運営の推進 (1)財政調整基金の計画的な積立て", ["財政課"]),
        ("健全な財政運営の推進 (2)一般会計市債残高の縮減", ["財政課"]),
        ("市政情報の発信力強化", ["広報課"]),
        ("行政手続のオンライン化とデジタル活用支援の推進", ["情報政策課", "企画政策課"]),
    ]
    named = {name for goal in declaration.goals for name in goal.sections}
    assert named <= PLANNING_DEPARTMENT


def test_every_column_is_filled(declaration: ParsedGoalDeclaration) -> None:
    for goal in declaration.goals:
        for column in (
            goal.content,
            goal.target_text,
            goal.result_text,
            goal.direction_text,
            goal.status_text,
        ):
            assert column.startswith("・"), (goal.number, column)
        assert "ました" not in goal.target_text  # targets are future, results past
        assert "ました" in goal.result_text


def test_qualitative_goal_has_no_figures(declaration: ParsedGoalDeclaration) -> None:
    goal = declaration.goals[0]
    assert "公表します。" in goal.target_text
    assert goal.targets == []
    assert goal.actuals == []
    assert goal.status_text.endswith("市政情報コーナーで公開しました。")


def test_rate_table_pairs_figures_with_column_heads(declaration: ParsedGoalDeclaration) -> None:
    goal = declaration.goals[1]
    assert goal.targets == []
    assert _plain(goal.actuals) == [
        _figure("78.4", "%"),
        _figure("84.1", "%", provisional=True),
    ]
    assert [f.label for f in goal.actuals] == ["R5年度", "R6年度見込"]


def test_fund_balance_floor(declaration: ParsedGoalDeclaration) -> None:
    goal = declaration.goals[2]
    # 15億円; the （標準財政規模の概ね７％） note is not a target.
    assert _plain(goal.targets) == [_figure("1500000000", "円")]
    assert _plain(goal.actuals) == [_figure("1834000000", "円", approximate=True)]


def test_debt_reduced_against_last_year_end(declaration: ParsedGoalDeclaration) -> None:
    goal = declaration.goals[3]
    assert "前年度末に対して" in goal.target_text
    assert _plain(goal.targets) == [_figure("18740000000", "円", provisional=True)]
    assert goal.targets[0].label == "前年度末残高"
    assert _plain(goal.actuals) == [
        _figure("18317000000", "円", provisional=True),
        _figure("423000000", "円", approximate=True, provisional=True),
    ]
    # The figures agree with each other: 187億4千万円 − 183億1,700万円 = 4億2,300万円.
    assert goal.targets[0].value - goal.actuals[0].value == goal.actuals[1].value


def test_labelled_counts(declaration: ParsedGoalDeclaration) -> None:
    goal = declaration.goals[4]
    assert "コミュニティFM" in goal.content  # ｺﾐｭﾆﾃｨ normalised
    assert [(f.label, f.value, f.unit) for f in goal.targets] == [
        ("市公式ホームページ総ページビュー数", Decimal("2800000"), "件"),
        ("市公式LINE友だち登録者数", Decimal("15000"), "人"),
    ]
    assert _plain(goal.actuals) == [
        _figure("2960000", "件", approximate=True),
        _figure("13842", "人"),
    ]
    assert [f.label for f in goal.actuals] == [f.label for f in goal.targets]


def test_two_figure_target(declaration: ParsedGoalDeclaration) -> None:
    goal = declaration.goals[5]
    assert "個人30名・10団体" in goal.target_text
    assert [(f.label, f.value, f.unit) for f in goal.targets] == [
        ("オンライン申請対応手続数", Decimal("120"), "件"),
        ("個人", Decimal("30"), "名"),
        (None, Decimal("10"), "団体"),
    ]
    assert [(f.label, f.value, f.unit) for f in goal.actuals] == [
        ("オンライン申請対応手続数", Decimal("136"), "件"),
        ("個人", Decimal("34"), "名"),
        ("団体", Decimal("8"), "団体"),
    ]


# --- (b) the guideline progress table --------------------------------------------------------


def test_guideline_head_and_legend(guideline: ParsedGuidelineProgress) -> None:
    assert guideline.guideline == "みどり市市民協働推進指針"
    assert guideline.result_year == 2024  # 令和６年度の取り組み実績
    assert guideline.plan_year == 2025  # 令和７年度の取り組み予定
    assert [c.code for c in guideline.classifications] == ["I", "II", "III", "IV"]
    assert guideline.classifications[1].label == "担当課で現在の取り組みを継続・充実する。"
    assert guideline.unplaced == []


def test_guideline_counts(guideline: ParsedGuidelineProgress) -> None:
    assert len(guideline.initiatives) == 12
    assert sum(len(i.rows) for i in guideline.initiatives) == 13
    assert len(_entries(guideline, "results")) == 25
    assert len(_entries(guideline, "plans")) == 19


def test_guideline_tree(guideline: ParsedGuidelineProgress) -> None:
    chapters = list(dict.fromkeys(i.chapter for i in guideline.initiatives))
    assert chapters == [
        "1 市政運営への市民参画の推進",
        "2 市民活動を支える取り組み",
        "3 協働を進める基盤づくり",
    ]
    first = guideline.initiatives[0]
    assert (first.subsection, first.group) == ("①計画づくりにおける市民参画", "市民の意見・ニーズの把握")
    assert guideline.initiatives[2].group == "計画や条例の決定過程への参画"
    proposal = guideline.initiatives[4]
    assert (proposal.title, proposal.subsection, proposal.group) == (
        "協働事業提案制度",
        "②事業の実施と評価における市民参画",
        None,
    )
    assert proposal.guideline_text == "市民団体等からの提案を受け、協働で事業を実施する仕組みを整備"


def test_normalised_codes(guideline: ParsedGuidelineProgress) -> None:
    codes = [row.classification for i in guideline.initiatives for row in i.rows]
    assert codes == ["II", "III", "II", "III", "II", "II", "II", "II", "I", "IV", "II", "I", "II"]


def test_initiative_with_two_rows(guideline: ParsedGuidelineProgress) -> None:
    survey = guideline.initiatives[0]
    assert survey.title == "市民意識調査・アンケート調査"
    assert [(r.classification, len(r.results), len(r.plans)) for r in survey.rows] == [
        ("II", 0, 0),
        ("III", 3, 2),
    ]


def test_empty_cells(guideline: ParsedGuidelineProgress) -> None:
    empty = [i.title for i in guideline.initiatives for r in i.rows if not r.results and not r.plans]
    assert empty == ["市民意識調査・アンケート調査", "市民活動団体のネットワークづくり"]


def test_html_is_removed(guideline: ParsedGuidelineProgress) -> None:
    texts = [e.text for kind in ("results", "plans") for e in _entries(guideline, kind)]
    assert not any("<" in text or ">" in text for text in texts)


def test_bullet_sections(guideline: ParsedGuidelineProgress) -> None:
    entries = _entries(guideline, "results") + _entries(guideline, "plans")
    joined = [e.sections for e in entries if len(e.sections) > 1]
    assert ["環境保全課", "公園緑地課"] in joined  # joined by ・
    assert ["子育て支援課", "青少年課"] in joined  # joined by 、
    assert ["総務課", "広報課"] in joined
    assert [OUTSIDE_BODY, "生涯学習課"] in joined
    assert [e.text for e in entries if not e.sections] == [
        "庁内推進会議を2回開催し、各課の取り組み状況を確認した。",
        "庁内推進会議を開催し、取り組み状況を公表する。",
    ]
    named = {name for e in entries for name in e.sections}
    assert OUTSIDE_BODY in named
    assert named - {OUTSIDE_BODY} <= MASTER_2024


# --- the demo loader -------------------------------------------------------------------------


def _counts() -> dict[str, int]:
    midori = {"municipality__code": MIDORI_CODE}
    return {
        "declarations": GoalDeclaration.objects.filter(**midori).count(),
        "goals": Goal.objects.filter(declaration__municipality__code=MIDORI_CODE).count(),
        "indicators": Indicator.objects.filter(**midori).count(),
        "targets": Target.objects.filter(indicator__municipality__code=MIDORI_CODE).count(),
        "measurements": Measurement.objects.filter(indicator__municipality__code=MIDORI_CODE).count(),
        "plans": Plan.objects.filter(**midori).count(),
        "nodes": PlanNode.objects.filter(plan__municipality__code=MIDORI_CODE).count(),
        "rows": InitiativeRow.objects.filter(initiative__plan__municipality__code=MIDORI_CODE).count(),
        "entries": ProgressEntry.objects.filter(
            row__initiative__plan__municipality__code=MIDORI_CODE
        ).count(),
        "sections": Section.objects.filter(**midori).count(),
        "sheets": PolicySheet.objects.filter(**midori).count(),
        "reviews": ExternalReview.objects.filter(**midori).count(),
    }


@pytest.mark.django_db
def test_demo_load_imports_the_documents_once() -> None:
    first: list[str] = []
    demo_load(include_seeds=False, write=first.append)
    counts = _counts()
    assert counts["declarations"] == 1
    assert counts["goals"] == 6
    # 9 indicators of the goal declaration, 8 of the 総合計画's 施策 (midori_policy_structure.csv).
    assert counts["indicators"] == 9 + 8
    assert counts["targets"] == 7 + 9
    assert counts["measurements"] == 10
    assert counts["plans"] == 2  # the guideline and the 総合計画
    assert counts["sheets"] == 6  # one 施策評価シート per 施策, asked by an open round
    assert counts["reviews"] == 1  # the demo committee member's sheet
    assert counts["rows"] == 13
    assert counts["entries"] == 25 + 19
    # The import names only known sections: none is created beside the master.
    assert counts["sections"] == 19  # 18 valid in FY2024 and 広報広聴課, ended 2023
    assert Goal.objects.filter(declaration__municipality__code=MIDORI_CODE, number_inferred=True).count() == 1
    outside = EntryResponsible.objects.filter(body_name=OUTSIDE_BODY)
    assert outside.count() == 2
    assert not outside.filter(section__isnull=False).exists()
    assert any(line.endswith("midori_policy_structure.csv: 6 policy measures") for line in first)
    imported = [line for line in first if ".txt:" in line]
    assert len(imported) == 2
    assert all(line.endswith(" 0 lines not placed") for line in imported)

    again: list[str] = []
    demo_load(include_seeds=False, write=again.append)
    assert _counts() == counts
    imports = [line for line in again if ".txt:" in line]
    assert len(imports) == 2
    assert all(" 0 created, 0 updated," in line for line in imports)
