"""Services of the goal declaration form: validation, numbering, audit, optimistic locking."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from shinchoku.core.audit import Actor
from shinchoku.core.figures import parse_figure
from shinchoku.core.models import AuditEvent
from shinchoku.goals.models import Goal, GoalDeclaration
from shinchoku.goals.services import (
    goal_create,
    goal_declaration_create,
    goal_declaration_update,
    goal_delete,
    goal_move,
    goal_update,
    indicator_create,
    indicator_delete,
    indicator_update,
)
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.plans.models import Indicator, Measurement, Target
from shinchoku.workflow.conflicts import ConflictError

from .conftest import YEAR

ALICE = Actor(label="alice")
BOB = Actor(label="bob")


def test_create_prefills_the_declarer_and_refuses_a_second_one(
    municipality: Municipality, department: Department, actor: Actor
) -> None:
    declaration = goal_declaration_create(
        municipality=municipality, department=department, fiscal_year=YEAR, actor=actor
    )
    assert declaration.declarer_position == "企画部長"
    assert AuditEvent.objects.filter(object_id=str(declaration.pk), field="declarer_position").exists()
    with pytest.raises(ValidationError):
        goal_declaration_create(
            municipality=municipality, department=department, fiscal_year=YEAR, actor=actor
        )


def test_create_refuses_a_department_of_another_year(municipality: Municipality, actor: Actor) -> None:
    from shinchoku.organizations.services import department_create

    gone = department_create(municipality=municipality, name="旧部", valid_to=2020, actor=actor)
    with pytest.raises(ValidationError):
        goal_declaration_create(municipality=municipality, department=gone, fiscal_year=YEAR, actor=actor)


def test_goals_are_numbered_in_order_and_take_only_the_departments_sections(
    declaration: GoalDeclaration, section: Section, sibling_section: Section, foreign_section: Section
) -> None:
    first = goal_create(declaration=declaration, title="一", sections=[section], actor=ALICE)
    second = goal_create(
        declaration=declaration, title="二", sections=[sibling_section, section], actor=ALICE
    )
    assert (first.number, second.number) == (1, 2)
    assert [gs.section for gs in second.goalsection_set.order_by("position")] == [sibling_section, section]
    with pytest.raises(ValidationError):
        goal_create(declaration=declaration, title="三", sections=[foreign_section], actor=ALICE)
    with pytest.raises(ValidationError):
        goal_create(declaration=declaration, title="  ", sections=[], actor=ALICE)
    assert declaration.goals.count() == 2


def test_goal_update_is_audited_and_a_stale_form_conflicts(
    declaration: GoalDeclaration, section: Section, sibling_section: Section
) -> None:
    goal = goal_create(declaration=declaration, title="一", sections=[section], actor=ALICE)
    indicator = indicator_create(goal=goal, name="件数", unit="件", actor=ALICE)
    opened = goal.version
    goal_update(
        goal=goal,
        values={"title": "一（改）", "content": "・実施する", "target_text": "100件"},
        sections=[section],
        expected_version=opened,
        actor=ALICE,
    )
    with pytest.raises(ConflictError) as caught:
        goal_update(
            goal=goal,
            values={"title": "Bob's", "content": "", "target_text": ""},
            sections=[section],
            expected_version=opened,
            actor=BOB,
        )
    conflict = caught.value
    assert conflict.current["title"] == "一（改）" and conflict.by == "alice"
    assert {c.field for c in conflict.changes} >= {"title", "content"}
    goal.refresh_from_db()
    assert goal.title == "一（改）"
    # Only the sections change: the version still moves, and the indicators follow the sections.
    before = goal.version
    goal_update(
        goal=goal,
        values={"title": goal.title, "content": goal.content, "target_text": goal.target_text},
        sections=[section, sibling_section],
        expected_version=before,
        actor=ALICE,
    )
    goal.refresh_from_db()
    assert goal.version == before + 1
    assert set(indicator.sections.all()) == {section, sibling_section}
    goal_type = ContentType.objects.get_for_model(Goal)
    assert (
        AuditEvent.objects.filter(content_type=goal_type, object_id=str(goal.pk), field="sections").count()
        == 2
    )
    assert (
        AuditEvent.objects.filter(object_id=str(indicator.pk), field="sections")
        .exclude(content_type=goal_type)
        .exists()
    )


def test_goal_move_swaps_numbers_and_delete_closes_the_gap(
    declaration: GoalDeclaration, section: Section
) -> None:
    a, _b, c = (goal_create(declaration=declaration, title=t, sections=[section], actor=ALICE) for t in "abc")
    goal_move(goal=c, offset=-1, actor=ALICE)
    assert list(declaration.goals.order_by("number").values_list("title", flat=True)) == ["a", "c", "b"]
    goal_move(goal=a, offset=-1, actor=ALICE)  # at the top: nothing changes
    assert Goal.objects.get(pk=a.pk).number == 1
    indicator = indicator_create(
        goal=a, name="件数", actor=ALICE, target=parse_figure("10件"), target_text="10件"
    )
    a.refresh_from_db()
    goal_delete(goal=a, expected_version=a.version, actor=ALICE)
    assert list(declaration.goals.order_by("number").values_list("title", "number")) == [("c", 1), ("b", 2)]
    assert not Indicator.objects.filter(pk=indicator.pk).exists() and not Target.objects.exists()
    assert AuditEvent.objects.filter(object_id=str(a.pk), action="delete").exists()


def test_goal_delete_with_a_stale_version_conflicts(declaration: GoalDeclaration, section: Section) -> None:
    goal = goal_create(declaration=declaration, title="一", sections=[section], actor=ALICE)
    stale = goal.version
    goal_update(goal=goal, values={"title": "changed"}, sections=[section], expected_version=stale, actor=BOB)
    with pytest.raises(ConflictError):
        goal_delete(goal=goal, expected_version=stale, actor=ALICE)
    assert Goal.objects.filter(pk=goal.pk).exists()


def test_indicator_is_made_like_the_importer_makes_it(declaration: GoalDeclaration, section: Section) -> None:
    goal = goal_create(declaration=declaration, title="一", sections=[section], actor=ALICE)
    indicator = indicator_create(
        goal=goal,
        name="寄附額",
        unit="",
        direction=Indicator.Direction.INCREASE,
        formula=Indicator.Formula.BASELINE_RELATIVE,
        baseline=parse_figure("５億円"),
        target=parse_figure("約10億円"),
        target_text="約10億円",
        cumulative=True,
        actor=ALICE,
    )
    assert (indicator.unit, indicator.baseline_value, indicator.baseline_year) == (
        "円",
        Decimal("500000000"),
        YEAR - 1,
    )
    assert indicator.municipality_id == declaration.municipality_id and indicator.cumulative
    assert list(goal.indicators.all()) == [indicator] and list(indicator.sections.all()) == [section]
    target = Target.objects.get(indicator=indicator)
    assert (target.fiscal_year, target.kind, target.value, target.approximate, target.text) == (
        YEAR,
        Target.Kind.FINAL,
        Decimal("1000000000"),
        True,
        "約10億円",
    )
    with pytest.raises(ValidationError):
        indicator_create(goal=goal, name="件数", unit="件", target=parse_figure("10億円"), actor=ALICE)


def test_indicator_update_moves_the_version_for_a_target_alone_and_conflicts_when_stale(
    declaration: GoalDeclaration, section: Section
) -> None:
    goal = goal_create(declaration=declaration, title="一", sections=[section], actor=ALICE)
    indicator = indicator_create(goal=goal, name="件数", unit="件", target=parse_figure("10件"), actor=ALICE)
    opened = indicator.version
    values = {"name": "件数", "unit": "件", "direction": "increase", "formula": "ratio", "cumulative": False}
    indicator_update(
        indicator=indicator,
        goal=goal,
        target=parse_figure("12件"),
        expected_version=opened,
        actor=ALICE,
        **values,
    )
    indicator.refresh_from_db()
    assert indicator.version == opened + 1
    assert Target.objects.get(indicator=indicator).value == 12
    with pytest.raises(ConflictError) as caught:
        indicator_update(
            indicator=indicator,
            goal=goal,
            target=parse_figure("99件"),
            expected_version=opened,
            actor=BOB,
            **values,
        )
    assert caught.value.version == opened + 1
    # Clearing the target removes it, audited.
    indicator_update(
        indicator=indicator, goal=goal, target=None, expected_version=opened + 1, actor=ALICE, **values
    )
    assert not Target.objects.filter(indicator=indicator).exists()
    with pytest.raises(ConflictError):
        indicator_delete(indicator=indicator, goal=goal, expected_version=opened, actor=BOB)
    indicator.refresh_from_db()
    Measurement.objects.create(indicator=indicator, fiscal_year=YEAR, value=5)
    indicator_delete(indicator=indicator, goal=goal, expected_version=indicator.version, actor=ALICE)
    assert not Indicator.objects.exists() and not Measurement.objects.exists()


def test_declaration_update_conflicts_when_stale(declaration: GoalDeclaration) -> None:
    opened = declaration.version
    goal_declaration_update(
        declaration=declaration, values={"declarer_name": "山田太郎"}, expected_version=opened, actor=ALICE
    )
    with pytest.raises(ConflictError):
        goal_declaration_update(
            declaration=declaration, values={"declarer_name": "別人"}, expected_version=opened, actor=BOB
        )
    declaration.refresh_from_db()
    assert declaration.declarer_name == "山田太郎"
