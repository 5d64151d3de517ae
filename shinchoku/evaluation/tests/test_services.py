"""Scales as data, grades given by people, indicator changes, plan indicators and roll-ups."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from shinchoku.core.audit import Actor
from shinchoku.core.models import AuditEvent
from shinchoku.evaluation.models import GradeBand, GradeScale
from shinchoku.evaluation.scales import Band
from shinchoku.evaluation.selectors import (
    achievement_results,
    achievement_rollups,
    achievement_trend,
    grade_scales_of,
)
from shinchoku.evaluation.services import (
    grade_scale_create,
    grade_scale_create_from_preset,
    grade_scale_make_default,
    indicator_evaluation_change,
    manual_grade_record,
    manual_grade_withdraw,
)
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.plans.models import Indicator, Measurement, Plan, PlanNode, Target


@pytest.fixture
def plan(municipality: Municipality) -> Plan:
    return Plan.objects.create(municipality=municipality, kind=Plan.Kind.BASIC, name="後期基本計画")


def plan_indicator(plan: Plan, section: Section, name: str, **fields: object) -> Indicator:
    node, _ = PlanNode.objects.get_or_create(
        plan=plan, kind="policy", title="施策1", defaults={"position": 1, "path": "0001", "label": "1"}
    )
    indicator = Indicator.objects.create(municipality=plan.municipality, plan_node=node, name=name, **fields)
    indicator.sections.add(section)
    return indicator


def figures(indicator: Indicator, *, targets: dict[int, int] = {}, actuals: dict[int, int] = {}) -> None:  # noqa: B006
    for year, value in targets.items():
        Target.objects.create(indicator=indicator, fiscal_year=year, value=value)
    for year, value in actuals.items():
        Measurement.objects.create(indicator=indicator, fiscal_year=year, value=value)


def test_preset_scale_is_stored_audited_and_made_default(municipality: Municipality, actor: Actor) -> None:
    first = grade_scale_create_from_preset(
        municipality=municipality, preset="achievement", actor=actor, is_default=True
    )
    assert [(b.label, b.lower_bound, b.lower_inclusive) for b in first.bands.all()] == [
        ("達成", Decimal(100), True),
        ("概ね達成", Decimal(70), True),
        ("未達成", None, True),
    ]
    assert AuditEvent.objects.filter(object_id=str(first.pk), field="is_default").exists()
    assert AuditEvent.objects.filter(municipality=municipality, object_repr="達成").exists()  # bands too
    second = grade_scale_create_from_preset(
        municipality=municipality, preset="abcd", actor=actor, is_default=True
    )
    first.refresh_from_db()
    assert not first.is_default and second.is_default
    grade_scale_make_default(scale=first, actor=actor)
    second.refresh_from_db()
    assert first.is_default and not second.is_default


def test_invalid_scales_are_refused(
    municipality: Municipality, other_municipality: Municipality, actor: Actor
) -> None:
    with pytest.raises(ValidationError, match="go down"):
        grade_scale_create(
            municipality=municipality,
            name="x",
            bands=[Band("A", Decimal(1)), Band("B", Decimal(2)), Band("C")],
            actor=actor,
        )
    with pytest.raises(ValidationError, match="Unknown preset"):
        grade_scale_create_from_preset(municipality=municipality, preset="xyz", actor=actor)
    foreign = Plan.objects.create(municipality=other_municipality, kind="basic", name="他市の計画")
    with pytest.raises(ValidationError, match="another municipality"):
        grade_scale_create_from_preset(municipality=municipality, preset="abcd", actor=actor, plan=foreign)
    with pytest.raises(ValidationError, match="leave plan and year empty"):
        grade_scale_create_from_preset(
            municipality=municipality, preset="abcd", actor=actor, fiscal_year=2016, is_default=True
        )
    grade_scale_create_from_preset(municipality=municipality, preset="abcd", actor=actor)
    with pytest.raises(ValidationError, match="exists already"):
        grade_scale_create_from_preset(municipality=municipality, preset="abcd", actor=actor)
    assert GradeScale.objects.count() == 1


def test_the_most_specific_scale_applies(municipality: Municipality, plan: Plan, actor: Actor) -> None:
    def applies(plan_id: int | None, year: int) -> str:
        return grade_scales_of(municipality).applicable(plan_id=plan_id, fiscal_year=year)[0].name

    assert applies(None, 2016) == "達成・概ね達成・未達成"  # built in
    grade_scale_create_from_preset(
        municipality=municipality, preset="abcd", actor=actor, name="default", is_default=True
    )
    grade_scale_create_from_preset(
        municipality=municipality, preset="abcd", actor=actor, name="2016", fiscal_year=2016
    )
    grade_scale_create_from_preset(
        municipality=municipality, preset="baseline_sabc", actor=actor, name="plan", plan=plan
    )
    grade_scale_create_from_preset(
        municipality=municipality,
        preset="achievement",
        actor=actor,
        name="plan 2017",
        plan=plan,
        fiscal_year=2017,
    )
    assert [applies(None, 2015), applies(None, 2016), applies(plan.pk, 2016), applies(plan.pk, 2017)] == [
        "default",
        "2016",
        "plan",
        "plan 2017",
    ]


def test_grade_scale_preset_command(municipality: Municipality) -> None:
    out = StringIO()
    call_command("grade_scale_preset", "--preset", "baseline_sabc", "--default", stdout=out)
    assert "S ≥ 100 / A 0 < r < 100 / B = 0 / C < 0" in out.getvalue()
    assert GradeScale.objects.get().is_default


def test_admin_refuses_bands_that_do_not_go_down(client: Client, municipality: Municipality) -> None:
    admin = get_user_model().objects.create_superuser("root", password="persona-password-1")
    client.force_login(admin)
    data = {
        "municipality": municipality.pk,
        "name": "壊れた尺度",
        "not_evaluable_label": "評価不能",
        "bands-TOTAL_FORMS": "2",
        "bands-INITIAL_FORMS": "0",
        "bands-0-position": "0",
        "bands-0-label": "A",
        "bands-0-lower_bound": "50",
        "bands-0-lower_inclusive": "on",
        "bands-1-position": "1",
        "bands-1-label": "B",
        "bands-1-lower_bound": "60",
    }
    response = client.post("/admin/evaluation/gradescale/add/", data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200 and not GradeScale.objects.exists()
    data["bands-1-lower_bound"] = ""
    response = client.post("/admin/evaluation/gradescale/add/", data)
    assert response.status_code == 302
    scale = GradeScale.objects.get()
    assert GradeBand.objects.filter(scale=scale).count() == 2
    assert AuditEvent.objects.filter(actor=admin, object_id=str(scale.pk), action="create").exists()


def test_manual_grades_only_for_qualitative_targets(
    municipality: Municipality, plan: Plan, section: Section, actor: Actor
) -> None:
    computed = plan_indicator(plan, section, "件数")
    with pytest.raises(ValidationError, match="judged from its figures"):
        manual_grade_record(indicator=computed, fiscal_year=2016, grade="達成", reason="r", actor=actor)
    milestone = plan_indicator(plan, section, "計画策定", formula="milestone")
    with pytest.raises(ValidationError, match="reason"):
        manual_grade_record(indicator=milestone, fiscal_year=2016, grade="達成", reason=" ", actor=actor)
    with pytest.raises(ValidationError, match="not a grade"):
        manual_grade_record(indicator=milestone, fiscal_year=2016, grade="S", reason="r", actor=actor)
    with pytest.raises(ValidationError, match="either"):
        manual_grade_record(fiscal_year=2016, grade="達成", reason="r", actor=actor)
    manual = manual_grade_record(
        indicator=milestone, fiscal_year=2016, grade="評価不能", reason="未着手", actor=actor
    )
    again = manual_grade_record(
        indicator=milestone,
        fiscal_year=2016,
        grade="概ね達成",
        milestone_status="behind",
        reason="素案まで",
        actor=actor,
    )
    assert again.pk == manual.pk and again.version == 2
    event = AuditEvent.objects.get(object_id=str(manual.pk), field="grade", action="update")
    assert (event.old_value, event.new_value, event.reason) == ("評価不能", "概ね達成", "素案まで")
    (result,) = achievement_results(municipality, fiscal_years=[2016]) or [None]  # no figures: not listed
    assert result is None
    manual_grade_withdraw(manual=again, actor=actor, reason="取り消し")
    assert AuditEvent.objects.filter(action="delete", reason="取り消し").exists()


def test_indicator_evaluation_change(
    municipality: Municipality, plan: Plan, section: Section, actor: Actor
) -> None:
    indicator = plan_indicator(plan, section, "件数")
    changes = indicator_evaluation_change(
        indicator=indicator, actor=actor, reason="見直し", formula="decrease", weight=Decimal(3)
    )
    assert set(changes) == {"formula", "weight"} and indicator.formula == "decrease"
    assert not indicator_evaluation_change(indicator=indicator, actor=actor, formula="decrease")
    for bad, message in (
        ({"name": "x"}, "Not an evaluation field"),
        ({"formula": "x"}, "Unknown formula"),
        ({"weight": Decimal(-1)}, "negative"),
        ({"period_start_year": 2020, "period_end_year": 2016}, "ends before"),
    ):
        with pytest.raises(ValidationError, match=message):
            indicator_evaluation_change(indicator=indicator, actor=actor, **bad)


def test_plan_indicators_prorated_weighted_rolled_up_by_node_and_year(
    municipality: Municipality, plan: Plan, section: Section, department: Department
) -> None:
    visits = plan_indicator(
        plan,
        section,
        "来館者数",
        formula="baseline_relative",
        baseline_value=Decimal(1000),
        prorate_target=True,
        period_start_year=2016,
        period_end_year=2020,
        weight=Decimal(3),
    )
    figures(visits, targets={2020: 2000}, actuals={2016: 1100, 2017: 1300})
    waste = plan_indicator(plan, section, "ごみ排出量", formula="decrease", baseline_value=Decimal(500))
    figures(waste, targets={2016: 400, 2017: 400}, actuals={2016: 480, 2017: 390})
    results = achievement_results(municipality, fiscal_years=[2016, 2017])
    summary = [
        (r.label, r.fiscal_year, str(r.target.normalize()), str(r.rate), r.grade.label) for r in results
    ]  # type: ignore[union-attr]
    assert summary == [
        ("来館者数", 2016, "1.2E+3", "50.0", "未達成"),
        ("来館者数", 2017, "1.4E+3", "75.0", "概ね達成"),
        ("ごみ排出量", 2016, "4E+2", "20.0", "未達成"),
        ("ごみ排出量", 2017, "4E+2", "110.0", "達成"),
    ]
    assert results[0].proration == (1, 5) and results[0].department_name == "企画部"
    (node,) = achievement_rollups([r for r in results if r.fiscal_year == 2017], by="plan_node")
    assert node.label == "1施策1" and str(node.rollup.share) == "100.0"
    trend = achievement_trend(municipality, fiscal_years=[2016, 2017], threshold="達成")
    assert [(row.label, str(row.rollup.share), str(row.rollup.weighted_share)) for row in trend] == [
        ("2016", "0.0", "0.0"),
        ("2017", "50.0", "25.0"),  # 来館者数 weighs 3
    ]
    assert achievement_results(municipality, fiscal_years=[2017], department=department)
    other = Department.objects.create(municipality=municipality, name="総務部")
    assert achievement_results(municipality, fiscal_years=[2017], department=other) == []
    with pytest.raises(ValueError, match="Unknown grouping"):
        achievement_rollups(results, by="section")


def test_a_year_judged_alone_reads_every_figure_it_depends_on(
    municipality: Municipality, plan: Plan, section: Section
) -> None:
    """Judging some years reads only the figures those years depend on (their own, the year
    before, a cumulative series from its start, the prorated plan's last target): each year
    judged alone is judged as it is among every year."""
    years = list(range(2016, 2021))
    kinds: list[dict[str, object]] = [
        {"formula": "ratio", "cumulative": True, "period_start_year": 2016, "period_end_year": 2020,
         "prorate_target": True},
        {"formula": "baseline_relative", "baseline_value": Decimal(1000), "prorate_target": True,
         "period_start_year": 2016, "period_end_year": 2020},
        {"formula": "previous_year_increase"},
        {"formula": "previous_year_decrease", "baseline_value": Decimal(50), "baseline_year": 2015},
        {"formula": "decrease"},
    ]  # fmt: skip
    for number, fields in enumerate(kinds):
        indicator = plan_indicator(plan, section, f"指標{number}", **fields)
        figures(
            indicator,
            targets={2020: 2000} if fields.get("prorate_target") else {y: 100 + y % 7 for y in years},
            actuals={y: 40 + (y * 37 + number * 11) % 90 for y in years if (y + number) % 4},
        )
    together = achievement_results(municipality, fiscal_years=years)
    alone = [r for year in years for r in achievement_results(municipality, fiscal_years=[year])]
    assert len(together) > 15
    key = lambda r: (r.indicator_id, r.fiscal_year)  # noqa: E731
    assert [r.to_json() for r in sorted(alone, key=key)] == [r.to_json() for r in sorted(together, key=key)]
