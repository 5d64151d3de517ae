"""Indicator names (issue 10): proposed from the target text, renamed by staff, kept across re-imports."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.test import Client

from shinchoku.core.audit import Actor
from shinchoku.core.models import AuditEvent
from shinchoku.core.text import normalize
from shinchoku.demo.loader import DOCUMENTS_DIR
from shinchoku.documents.schema import ParsedGoal, ParsedGoalDeclaration
from shinchoku.goals.models import Goal, GoalDeclaration
from shinchoku.goals.naming import is_indicator_name, propose_indicator_name
from shinchoku.goals.services import _series
from shinchoku.imports.reading import parse_bytes
from shinchoku.imports.services import report_import
from shinchoku.organizations.models import Department, Municipality
from shinchoku.organizations.services import section_create
from shinchoku.plans.models import Indicator
from shinchoku.testing import SEED_000, goal_document

CORPUS = Path(__file__).resolve().parents[2] / "imports" / "tests" / "corpus"

# Seed 000: the name of each indicator, in goal and position order (before: the first figure's
# label or the goal's title — 「H27年度」, 「前年度末残高」, 「個人」, 「シティプロモーションの推進」).
SEED_000_NAMES = {
    2: ["「主な事業」の概ね達成する率"],
    3: ["財政調整基金残高"],
    4: ["市債残高"],
    5: ["財政健全化の推進 (3)補助金の見直し"],  # the text names no figure: the goal's title
    6: ["返礼品制度導入による寄附増収額"],
    7: ["公式ホームページサイトの総ページビュー数", "公式フェイスブック（いいね）数"],
    8: ["新聞社等への情報提供数", "日刊紙への記事掲載件数"],
    9: ["webアンケート実施件数"],
    10: ["認定登録数（個人）", "認定登録数（団体）"],
}


def proposals(document: ParsedGoalDeclaration) -> dict[int, list[str]]:
    return {
        goal.number: [
            propose_indicator_name(goal, target, actuals[0][1] if actuals else None)
            for target, actuals in _series(goal, document.fiscal_year)
        ]
        for goal in document.goals
        if goal.targets or goal.actuals
    }


def test_seed_000_indicators_are_named_from_the_target_text(seeds_dir: Path) -> None:
    assert proposals(goal_document(seeds_dir / SEED_000)) == SEED_000_NAMES


def test_demo_document_indicators_are_named_from_the_target_text() -> None:
    document = goal_document(DOCUMENTS_DIR / "midori_goal_declaration_2024.txt")
    names = proposals(document)
    assert names[2] == ["「概ね達成」の指標の割合"]
    assert names[3] == ["財政調整基金残高"]  # 年度末の財政調整基金残高について、15億円以上
    assert names[4][0] == "市債残高"  # 前年度末残高：187億4千万円 — the bare 残高 takes the text's 市債残高
    assert names[5] == ["市公式ホームページ総ページビュー数", "市公式LINE友だち登録者数"]
    assert names[6] == ["オンライン申請対応手続数", "サポーター登録数（個人）", "サポーター登録数（団体）"]


@pytest.mark.parametrize("name", sorted(p.name.removesuffix(".txt") for p in CORPUS.glob("*_goals.txt")))
def test_corpus_indicators_take_the_documents_names(name: str) -> None:
    document = parse_bytes((CORPUS / f"{name}.txt").read_bytes(), source=f"{name}.txt")
    assert isinstance(document, ParsedGoalDeclaration)
    expected = json.loads((CORPUS / f"{name}.expected.json").read_text(encoding="utf-8"))
    wanted = {g["number"]: g for g in expected["goals"]}
    for goal in document.goals:
        series = _series(goal, document.fiscal_year)
        for k, (target, actuals) in enumerate(series):
            proposal = propose_indicator_name(goal, target, actuals[0][1] if actuals else None)
            assert is_indicator_name(proposal), (goal.number, proposal)
            assert "年度" not in proposal or "年度" in goal.title, (goal.number, proposal)
            targets = wanted.get(goal.number, {}).get("targets", [])
            label = targets[k].get("label") if k < len(targets) else None
            if label and is_indicator_name(label):
                # The expected label is the document's name; brackets are printed full-width.
                assert normalize(proposal) == normalize(label), (goal.number, proposal, label)


def test_names_from_sentences_and_particles() -> None:
    goal = ParsedGoal(
        number=1,
        title="町道の計画的な維持補修",
        sections=[],
        content="",
        target_text="・町道の舗装補修延長を3.2km、側溝の改修延長を850mとし、通学路を優先して実施します。",
        result_text="",
        direction_text="",
        status_text="",
    )
    from shinchoku.core.figures import parse_figures

    first, second = parse_figures("3.2km 850m")
    assert propose_indicator_name(goal, first, None) == "町道の舗装補修延長"
    assert propose_indicator_name(goal, second, None) == "側溝の改修延長"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("H27年度", False),
        ("令和6年度見込", False),
        ("(H28年度見込)", False),
        ("個人", False),
        ("前年度末", False),
        ("公式ホームページの総ページビュー数", True),
        ("授業でICTを「ほぼ毎日」活用する学級の割合", True),
        ("21事業の見直しにより", False),
    ],
)
def test_a_year_column_head_or_category_is_not_a_name(text: str, name: bool) -> None:
    assert is_indicator_name(text) is name


# --- the importer and the declaration page -------------------------------------------------


@pytest.fixture
def seed_sections(municipality: Municipality, department: Department, actor: Actor) -> Department:
    for name in ("経営企画課", "財政課", "広報広聴課"):
        section_create(municipality=municipality, department=department, name=name, actor=actor)
    return department


def _import(municipality: Municipality, data: bytes, actor: Actor) -> GoalDeclaration:
    report_import(municipality=municipality, data=data, source=SEED_000, actor=actor)
    return GoalDeclaration.objects.get()


def _names(declaration: GoalDeclaration) -> dict[int, list[str]]:
    return {
        goal.number: [i.name for i in goal.indicators.order_by("position")]
        for goal in declaration.goals.order_by("number")
        if goal.indicators.exists()
    }


def test_import_names_new_indicators_with_the_proposal(
    municipality: Municipality, seed_sections: Department, actor: Actor, seeds_dir: Path
) -> None:
    declaration = _import(municipality, (seeds_dir / SEED_000).read_bytes(), actor)
    assert _names(declaration) == SEED_000_NAMES
    assert all(i.proposed_name == i.name for i in Indicator.objects.all())


def test_a_rename_on_the_declaration_page_is_audited_and_kept_across_reimports(
    client: Client,
    municipality: Municipality,
    seed_sections: Department,
    actor: Actor,
    seeds_dir: Path,
    department_head,  # type: ignore[no-untyped-def]
) -> None:
    data = (seeds_dir / SEED_000).read_bytes()
    declaration = _import(municipality, data, actor)
    goal = Goal.objects.get(declaration=declaration, number=10)
    indicator = goal.indicators.order_by("position").first()
    assert indicator is not None and indicator.name == "認定登録数（個人）"
    client.force_login(department_head)
    page = client.get(f"/m/midori/declarations/{declaration.pk}/").content.decode()
    assert (
        f'action="/m/midori/declarations/{declaration.pk}/goals/{goal.pk}/indicators/{indicator.pk}/"' in page
    )
    e = f"i{indicator.pk}"
    response = client.post(
        f"/m/midori/declarations/{declaration.pk}/goals/{goal.pk}/indicators/{indicator.pk}/",
        {
            f"{e}-name": "公認サポーター登録数（個人）",
            f"{e}-unit": "名",
            f"{e}-direction": indicator.direction,
            f"{e}-formula": indicator.formula,
            f"{e}-baseline": "",
            f"{e}-target": "10名",
            f"{e}-version": indicator.version,
        },
    )
    assert response.status_code == 302
    indicator.refresh_from_db()
    assert indicator.name == "公認サポーター登録数（個人）"
    assert indicator.proposed_name == "認定登録数（個人）"
    event = AuditEvent.objects.get(object_id=str(indicator.pk), field="name", actor=department_head)
    assert (event.old_value, event.new_value) == ("認定登録数（個人）", "公認サポーター登録数（個人）")
    page = client.get(f"/m/midori/declarations/{declaration.pk}/").content.decode()
    assert "認定登録数（個人）" in page  # the proposal is shown beside the chosen name

    # A re-import, also of a corrected document, keeps the chosen name.
    corrected = data.decode().replace("398件", "399件").encode()
    _import(municipality, corrected, Actor(label="correction"))
    _import(municipality, data, actor)
    indicator.refresh_from_db()
    assert indicator.name == "公認サポーター登録数（個人）"
    others = Indicator.objects.exclude(pk=indicator.pk)
    assert all(i.name == i.proposed_name for i in others)


def test_a_reimport_fixes_names_the_importer_wrote_before_proposals(
    municipality: Municipality, seed_sections: Department, actor: Actor, seeds_dir: Path
) -> None:
    data = (seeds_dir / SEED_000).read_bytes()
    declaration = _import(municipality, data, actor)
    goal2 = Goal.objects.get(declaration=declaration, number=2).indicators.get()
    goal3 = Goal.objects.get(declaration=declaration, number=3).indicators.get()
    # As the importer named them before: the first figure's label, else the goal's title;
    # and one a person renamed, which stays.
    Indicator.objects.filter(pk=goal2.pk).update(name="H27年度", proposed_name="")
    Indicator.objects.filter(pk=goal3.pk).update(name="基金残高", proposed_name="")
    _import(municipality, data, actor)
    goal2.refresh_from_db()
    goal3.refresh_from_db()
    assert (goal2.name, goal2.proposed_name) == (
        "「主な事業」の概ね達成する率",
        "「主な事業」の概ね達成する率",
    )
    assert (goal3.name, goal3.proposed_name) == ("基金残高", "財政調整基金残高")
    assert AuditEvent.objects.filter(object_id=str(goal2.pk), field="name", new_value=goal2.name).exists()
