"""Seed 000 judged end to end: imported with the real importer, judged with the default scale."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shinchoku.core.audit import Actor
from shinchoku.core.models import AuditEvent
from shinchoku.evaluation.selectors import achievement_results, achievement_rollups
from shinchoku.evaluation.services import manual_grade_record
from shinchoku.goals.models import Goal, GoalDeclaration
from shinchoku.organizations.models import Municipality
from shinchoku.plans.models import Indicator

# (goal, rate, grade, state) in document order, as the issue states them.
EXPECTED = [
    (1, None, None, "awaiting_person"),
    (2, None, "達成", "provisional"),
    (3, "127.7", "達成", "final"),
    (4, None, "達成", "provisional"),
    (5, None, None, "awaiting_person"),
    (6, "1286.0", "達成", "final"),
    (7, "94.2", "概ね達成", "final"),
    (7, "132.7", "達成", "final"),
    (8, "111.4", "達成", "final"),
    (8, "135.2", "達成", "final"),
    (9, "120.0", "達成", "final"),
    (10, "100.0", "達成", "final"),
    (10, "100.0", "達成", "final"),
]


def run_json(*args: str) -> dict:  # type: ignore[type-arg]
    out = StringIO()
    call_command("achievement", "--fiscal-year", "2016", "--json", *args, stdout=out)
    return json.loads(out.getvalue())


def test_seed_000_judgements_from_the_command(seed_000: GoalDeclaration) -> None:
    data = run_json()
    assert data["fiscal_year"] == 2016
    rows = data["indicators"]
    assert [(r["goal_number"], r["rate"], r["grade"], r["state"]) for r in rows] == EXPECTED
    page_views = rows[6]
    assert {
        k: page_views[k] for k in ("goal_number", "unit", "target", "actual", "formula", "rate", "grade")
    } == {
        "goal_number": 7,
        "unit": "件",
        "target": "4500000",
        "actual": "4238714",
        "formula": "ratio",
        "rate": "94.2",
        "grade": "概ね達成",
    }
    assert page_views["label"] == "公式ホームページサイトの総ページビュー数"
    assert all(r["stated_grade"] is None for r in rows)
    print(
        "\n"
        + "\n".join(  # the table of the report (pytest -s)
            f"{r['goal_number']:>2} {r['label'][:24]:<24} {r['formula']:<22} {r['target'] or '—':>12} "
            f"{r['actual'] or '—':>12} {r['unit'] or '':<3} {r['rate'] or '—':>7} {r['grade'] or '—':<5} {r['state']}"
            for r in rows
        )
    )


def test_goal_4_is_judged_on_the_reduction_it_reports(seed_000: GoalDeclaration) -> None:
    debt = run_json()["indicators"][3]
    assert (debt["formula"], debt["target"], debt["actual"]) == (
        "previous_year_decrease",
        "26910000000",
        "548000000",
    )
    assert (debt["change"], debt["reference"], debt["level"]) == ("548000000", "26910000000", "26362000000")
    assert debt["provisional"] and debt["rate"] is None and debt["reason"] == "met_or_not"
    indicator = Goal.objects.get(number=4).indicators.get()
    assert indicator.reported_as_change


def test_goal_2_compares_the_provisional_share_with_last_year(seed_000: GoalDeclaration) -> None:
    share = run_json()["indicators"][1]
    assert share["formula"] == "previous_year_increase" and share["unit"] == "%"
    assert (share["reference"], share["actual"], share["change"]) == ("81.2", "89.9", "8.7")
    assert share["grade"] == "達成" and share["state"] == "provisional"


def test_qualitative_goals_wait_for_a_person_then_keep_the_reason(
    seed_000: GoalDeclaration, municipality: Municipality, actor: Actor
) -> None:
    goal_1, goal_5 = Goal.objects.get(number=1), Goal.objects.get(number=5)
    assert not goal_1.indicators.exists()
    report = Indicator.objects.get(goals=goal_5)
    assert report.formula == Indicator.Formula.MILESTONE
    manual_grade_record(
        goal=goal_1, fiscal_year=2016, grade="概ね達成", reason="報告書は29年度初旬に公表", actor=actor
    )
    manual_grade_record(
        indicator=report,
        fiscal_year=2016,
        grade="達成",
        milestone_status="on_schedule",
        reason="21事業を見直し1,754万6千円を縮減",
        actor=actor,
    )
    rows = run_json()["indicators"]
    assert (rows[0]["grade"], rows[0]["state"], rows[0]["grade_source"]) == (
        "概ね達成",
        "graded_by_person",
        "person",
    )
    assert rows[4]["manual"] == {
        "grade": "達成",
        "progress": "on_schedule",
        "reason": "21事業を見直し1,754万6千円を縮減",
    }
    assert AuditEvent.objects.filter(reason="報告書は29年度初旬に公表", action="create").exists()


def test_stated_grade_is_kept_beside_the_judged_one(
    seed_000: GoalDeclaration, municipality: Municipality
) -> None:
    Goal.objects.filter(number=7).update(stated_grade="達成")
    results = achievement_results(municipality, fiscal_years=[2016])
    page_views, likes = [r for r in results if r.goal_number == 7]
    assert (page_views.grade.label, page_views.stated_grade, page_views.grade_differs) == (
        "概ね達成",
        "達成",
        True,
    )  # type: ignore[union-attr]
    assert (likes.grade.label, likes.grade_differs) == ("達成", False)  # type: ignore[union-attr]
    assert Goal.objects.get(number=7).stated_grade == "達成"  # neither overwrites the other


def test_rollup_of_the_declaration(seed_000: GoalDeclaration, municipality: Municipality) -> None:
    results = achievement_results(municipality, fiscal_years=[2016])
    (department,) = achievement_rollups(results, by="department")
    r = department.rollup
    assert department.threshold == "概ね達成"
    assert (r.total, r.graded, r.at_or_above, r.awaiting, r.not_evaluable) == (13, 11, 11, 2, 0)
    assert r.share == 100
    (strict,) = achievement_rollups(results, by="department", threshold="達成")
    assert (strict.rollup.at_or_above, str(strict.rollup.share)) == (10, "90.9")
    by_goal = {
        row.label.split(".")[0]: row.rollup
        for row in achievement_rollups(results, by="goal", threshold="達成")
    }
    assert str(by_goal["7"].share) == "50.0" and by_goal["1"].share is None


def test_department_filter_and_errors(seed_000: GoalDeclaration) -> None:
    assert len(run_json("--department", "企画部")["indicators"]) == 13
    with pytest.raises(CommandError, match="No department"):
        run_json("--department", "総務部")
    with pytest.raises(CommandError, match="not a grade"):
        run_json("--at-least", "A")


def test_text_output_lists_the_formula_of_each_indicator(seed_000: GoalDeclaration) -> None:
    out = StringIO()
    call_command("achievement", "--fiscal-year", "2016", stdout=out)
    text = out.getvalue()
    assert "平成28年度 (2016)" in text
    assert (
        "公式ホームページサイトの総ページビュー数 | 件 | 4500000 | 4238714 | ratio | 94.2% | 概ね達成" in text
    )
    assert "企画部: 11/11 at or above 概ね達成 = 100.0%" in text


def test_another_scale_judges_the_same_figures_differently(
    seed_000: GoalDeclaration, municipality: Municipality, actor: Actor
) -> None:
    from shinchoku.evaluation.services import grade_scale_create_from_preset

    grade_scale_create_from_preset(municipality=municipality, preset="abcd", actor=actor, fiscal_year=2016)
    rows = run_json()["indicators"]
    assert [r["grade"] for r in rows if r["goal_number"] in (7, 8)] == ["B", "A", "A", "A"]
    assert rows[3]["grade"] == "B"  # met without a rate: the band of 100%
