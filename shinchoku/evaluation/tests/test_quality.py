"""Quality checks on both seeds, each kind of finding, and dismissing one with a reason."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from shinchoku.core.audit import Actor
from shinchoku.core.models import AuditEvent
from shinchoku.evaluation.models import FindingDismissal, FindingKind
from shinchoku.evaluation.quality import ReportRef, finding_counts, report_findings, reports_of
from shinchoku.evaluation.services import finding_dismiss, finding_dismissal_revoke
from shinchoku.evaluation.tests.conftest import SEED_000, SEED_004
from shinchoku.goals.models import GoalDeclaration
from shinchoku.imports.services import report_import
from shinchoku.organizations.models import Municipality, Section, SuccessionKind
from shinchoku.organizations.services import section_succeed
from shinchoku.plans.models import Measurement, Plan


def counts(municipality: Municipality, report: ReportRef) -> dict[str, int]:
    return {k: v for k, v in finding_counts(report_findings(municipality, report)).items() if v}


def declaration_ref(declaration: GoalDeclaration) -> ReportRef:
    return ReportRef("goal_declaration", declaration.pk, declaration.fiscal_year)


def test_seed_000_has_one_finding_the_circled_numbers(
    seed_000: GoalDeclaration, municipality: Municipality
) -> None:
    findings = report_findings(municipality, declaration_ref(seed_000))
    assert [(f.kind, f.record) for f in findings] == [
        (FindingKind.NON_JIS_CHARACTERS, "goal 9 広聴活動の充実")
    ]
    assert "① ② ③ ④ ⑤ ⑥" in findings[0].detail and findings[0].record_label.startswith("goals.goal #")


def test_seed_004_findings(seed_004: Plan, municipality: Municipality) -> None:
    report = ReportRef("guideline_progress", seed_004.pk, 2018)
    assert counts(municipality, report) == {
        "duplicate_entry": 1,
        "unknown_section": 19,
        "non_jis_characters": 3,
    }
    findings = report_findings(municipality, report)
    (duplicate,) = [f for f in findings if f.kind is FindingKind.DUPLICATE_ENTRY]
    assert duplicate.record.startswith("審議会等: plan") and "総合農政審議会" in duplicate.record
    unknown = {f.detail.split(" ")[0] for f in findings if f.kind is FindingKind.UNKNOWN_SECTION}
    assert "市民協働課" in unknown and "市野球協会学童部" not in unknown  # outside bodies are not sections
    assert {f.record for f in findings if f.kind is FindingKind.NON_JIS_CHARACTERS} == {
        "①政策形成過程における市民参加への取り組み",
        "②実施過程における市民参加への取り組み",
        "③評価過程における市民参加への取り組み",
    }


def test_reports_of_lists_both_kinds(
    seed_000: GoalDeclaration, seed_004: Plan, municipality: Municipality
) -> None:
    assert [(r.kind, r.fiscal_year) for r in reports_of(municipality)] == [
        ("guideline_progress", 2018),
        ("goal_declaration", 2016),
    ]
    assert [r.kind for r in reports_of(municipality, 2016)] == ["goal_declaration"]


def test_a_section_outside_its_years_is_unknown(
    seed_000: GoalDeclaration, municipality: Municipality
) -> None:
    Section.objects.filter(name="広報広聴課").update(valid_to=2015)
    findings = report_findings(municipality, declaration_ref(seed_000))
    (unknown,) = [f for f in findings if f.kind is FindingKind.UNKNOWN_SECTION]
    assert "広報広聴課" in unknown.detail and "平成28年度" in unknown.detail and "4 records" in unknown.detail
    assert unknown.record == "goal 7 広報活動の充実"


def test_target_without_actual(seed_000: GoalDeclaration, municipality: Municipality) -> None:
    Measurement.objects.filter(value=6).delete()
    findings = report_findings(municipality, declaration_ref(seed_000))
    (missing,) = [f for f in findings if f.kind is FindingKind.TARGET_WITHOUT_ACTUAL]
    assert missing.record == "goal 9 広聴活動の充実 / webアンケート実施件数"


def test_unit_mismatch_is_read_from_the_figures_as_written(
    municipality: Municipality, isehara_master: object, actor: Actor, seeds_dir: Path
) -> None:
    text = (seeds_dir / SEED_000).read_text(encoding="utf-8").replace("実施件数 6件", "実施件数 6回")
    report_import(municipality=municipality, data=text.encode(), source=SEED_000, actor=actor)
    declaration = GoalDeclaration.objects.get()
    findings = report_findings(municipality, declaration_ref(declaration))
    (mismatch,) = [f for f in findings if f.kind is FindingKind.UNIT_MISMATCH]
    assert mismatch.detail == "The target is in 件, the actual in 回."


def next_year(text: str) -> str:
    return text.replace("平成30年度の取り組み実績", "平成31年度の取り組み実績").replace(
        "平成31年度の取り組み予定", "令和2年度の取り組み予定"
    )


def test_carry_over_gaps_on_the_next_report(
    seed_004: Plan, municipality: Municipality, actor: Actor, seeds_dir: Path
) -> None:
    assert "carry_over_gap" not in counts(municipality, ReportRef("guideline_progress", seed_004.pk, 2018))
    text = next_year((seeds_dir / SEED_004).read_text(encoding="utf-8"))
    # The next year's results lose the bullet of 広報戦略課 on 市民モニター制度.
    text = text.replace("●市民通信員制度を継続実施した。(広報戦略課)", "")
    report_import(
        municipality=municipality, data=text.encode(), source="next.txt", actor=actor, create_missing=True
    )
    findings = report_findings(municipality, ReportRef("guideline_progress", seed_004.pk, 2019))
    gaps = [f for f in findings if f.kind is FindingKind.CARRY_OVER_GAP]
    monitor = [f for f in gaps if f.record.startswith("市民モニター制度")]
    assert len(monitor) == 1 and "広報戦略課" in monitor[0].detail and "令和元年度" in monitor[0].detail
    assert monitor[0].record == "市民モニター制度: plan 令和元年度 “市民通信員制度を継続実施する。”"
    assert len(gaps) >= 1


def test_a_successor_section_carries_the_plan_over(
    seed_004: Plan, municipality: Municipality, actor: Actor, seeds_dir: Path
) -> None:
    text = next_year((seeds_dir / SEED_004).read_text(encoding="utf-8"))
    text = text.replace(
        "●市民通信員制度を継続実施した。(広報戦略課)", "●市民通信員制度を継続実施した。(広報課)"
    )
    report_import(
        municipality=municipality, data=text.encode(), source="next.txt", actor=actor, create_missing=True
    )
    old, new = Section.objects.get(name="広報戦略課"), Section.objects.get(name="広報課")
    report = ReportRef("guideline_progress", seed_004.pk, 2019)
    before = [f for f in report_findings(municipality, report) if f.record.startswith("市民モニター制度")]
    assert before
    section_succeed(
        predecessor=old, successor=new, kind=SuccessionKind.RENAMED, fiscal_year=2019, actor=actor
    )
    after = [f for f in report_findings(municipality, report) if f.record.startswith("市民モニター制度")]
    assert not [f for f in after if f.kind is FindingKind.CARRY_OVER_GAP]


def test_dismissing_a_finding_needs_a_reason_is_audited_and_survives_a_reimport(
    seed_004: Plan, municipality: Municipality, actor: Actor, seeds_dir: Path
) -> None:
    report = ReportRef("guideline_progress", seed_004.pk, 2018)
    (duplicate,) = [f for f in report_findings(municipality, report) if f.kind is FindingKind.DUPLICATE_ENTRY]
    with pytest.raises(ValidationError, match="reason"):
        finding_dismiss(
            municipality=municipality,
            report=report,
            fingerprint=duplicate.fingerprint,
            reason=" ",
            actor=actor,
        )
    with pytest.raises(ValidationError, match="No such finding"):
        finding_dismiss(municipality=municipality, report=report, fingerprint="x", reason="r", actor=actor)
    dismissal = finding_dismiss(
        municipality=municipality,
        report=report,
        fingerprint=duplicate.fingerprint,
        reason="原文どおり",
        actor=actor,
    )
    assert AuditEvent.objects.filter(object_id=str(dismissal.pk), reason="原文どおり").exists()
    with pytest.raises(ValidationError, match="already"):
        finding_dismiss(
            municipality=municipality,
            report=report,
            fingerprint=duplicate.fingerprint,
            reason="r",
            actor=actor,
        )
    report_import(
        municipality=municipality, data=(seeds_dir / SEED_004).read_bytes(), source=SEED_004, actor=actor
    )
    (again,) = [f for f in report_findings(municipality, report) if f.kind is FindingKind.DUPLICATE_ENTRY]
    assert again.dismissal == dismissal and counts(municipality, report).get("duplicate_entry") is None
    finding_dismissal_revoke(dismissal=dismissal, actor=actor, reason="やはり直す")
    assert counts(municipality, report)["duplicate_entry"] == 1
    assert AuditEvent.objects.filter(action="delete", reason="やはり直す").exists()


def test_quality_check_command(seed_000: GoalDeclaration, seed_004: Plan, municipality: Municipality) -> None:
    out = StringIO()
    call_command("quality_check", "--json", stdout=out)
    data = json.loads(out.getvalue())["reports"]
    assert [(r["report"]["kind"], sum(r["counts"].values())) for r in data] == [
        ("guideline_progress", 23),
        ("goal_declaration", 1),
    ]
    with pytest.raises(CommandError, match="24 open finding"):
        call_command("quality_check", "--fail-on-findings", stdout=StringIO())
    fingerprint = data[1]["findings"][0]["fingerprint"]
    out = StringIO()
    call_command("quality_check", "--dismiss", fingerprint, "--reason", "丸数字は原文のまま", stdout=out)
    assert "Dismissed" in out.getvalue()
    assert FindingDismissal.objects.get().dismissed_by_label == "quality_check"
    out = StringIO()
    call_command("quality_check", "--fiscal-year", "2016", "--show-dismissed", stdout=out)
    assert "0 open" in out.getvalue() and "丸数字は原文のまま" in out.getvalue()
    with pytest.raises(CommandError, match="No finding"):
        call_command("quality_check", "--dismiss", "nothing", "--reason", "r", stdout=StringIO())
