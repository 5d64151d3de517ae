"""Demo data for ``make run``: organisations, one user per role, documents imported for real.

Two municipalities: みどり市 (fictional, with documents written for this project, so
the demo works anywhere) and, when ../shared/seeds is present, 伊勢原市 with the two
published reports in the seeds imported through the same importer.
Running it twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.db import transaction
from django.utils import timezone

from shinchoku.core.audit import Actor
from shinchoku.core.eras import format_fiscal_year
from shinchoku.documents.schema import ParsedGuidelineProgress
from shinchoku.goals.models import GoalDeclaration
from shinchoku.imports.services import report_import
from shinchoku.organizations.models import Department, Membership, Municipality, Role, Section, SuccessionKind
from shinchoku.organizations.services import (
    department_create,
    fiscal_year_ensure,
    municipality_create,
    section_create,
    section_succeed,
)
from shinchoku.plans.models import Plan
from shinchoku.policies.services import reviewers_assign, structure_import
from shinchoku.policies.structure import read_structure
from shinchoku.publishing.services import goal_declaration_publish, guideline_progress_publish
from shinchoku.workflow.models import CollectionRound, DocumentKind
from shinchoku.workflow.services import round_open

DOCUMENTS_DIR = Path(__file__).resolve().parent / "documents"
SEEDS_DIR = Path(__file__).resolve().parents[3] / "shared" / "seeds"
ACTOR = Actor(label="load_demo")


@dataclass(frozen=True)
class SectionSpec:
    name: str
    valid_from: int | None = None
    valid_to: int | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class DepartmentSpec:
    name: str
    sections: tuple[SectionSpec, ...]


@dataclass(frozen=True)
class MunicipalitySpec:
    code: str
    name: str
    prefecture: str
    slug: str
    departments: tuple[DepartmentSpec, ...]
    documents: tuple[Path, ...]
    fiscal_years: tuple[int, ...] = ()
    # (predecessor, successor, kind, fiscal year)
    successions: tuple[tuple[str, str, SuccessionKind, int], ...] = ()
    # Documents from cities name sections the demo master lacks: create them on import.
    create_missing: bool = False
    users_scope: tuple[str, str] = ("", "")  # (department, section) for the department/section roles
    # The 施策体系 of its 総合計画 (name, first and last year) and the year a 施策評価 round evaluates.
    policy_structure: Path | None = None
    policy_plan: tuple[str, int, int] = ("", 0, 0)
    policy_year: int = 0


MIDORI = MunicipalitySpec(
    code="992011",
    name="みどり市",
    prefecture="架空県",
    slug="midori",
    departments=(
        DepartmentSpec(
            "企画部",
            (
                SectionSpec("企画政策課", aliases=("企画課",)),
                SectionSpec("財政課"),
                SectionSpec("広報広聴課", valid_to=2023),
                SectionSpec("広報課", valid_from=2024),
                SectionSpec("情報政策課"),
            ),
        ),
        DepartmentSpec("総務部", (SectionSpec("総務課"), SectionSpec("職員課"), SectionSpec("契約検査課"))),
        DepartmentSpec(
            "市民生活部",
            (
                SectionSpec("市民協働課"),
                SectionSpec("市民相談課", valid_from=2024),
                SectionSpec("環境保全課"),
            ),
        ),
        DepartmentSpec(
            "健康福祉部", (SectionSpec("福祉総務課"), SectionSpec("高齢介護課"), SectionSpec("子育て支援課"))
        ),
        DepartmentSpec(
            "都市整備部", (SectionSpec("都市計画課"), SectionSpec("道路課"), SectionSpec("公園緑地課"))
        ),
        DepartmentSpec("教育部", (SectionSpec("生涯学習課"), SectionSpec("青少年課"))),
    ),
    documents=(
        DOCUMENTS_DIR / "midori_goal_declaration_2024.txt",
        DOCUMENTS_DIR / "midori_guideline_progress_2024.txt",
    ),
    fiscal_years=(2023, 2024, 2025),
    successions=(
        ("広報広聴課", "広報課", SuccessionKind.RENAMED, 2024),
        ("広報広聴課", "市民相談課", SuccessionKind.TRANSFERRED, 2024),
    ),
    users_scope=("企画部", "企画政策課"),
    policy_structure=DOCUMENTS_DIR / "midori_policy_structure.csv",
    policy_plan=("みどり市第5次総合計画", 2021, 2030),
    policy_year=2025,
)

# 伊勢原市's master as far as the seed documents show it; the sections named only in
# the guideline report are created by the import itself (--create-missing).
ISEHARA = MunicipalitySpec(
    code="142140",
    name="伊勢原市",
    prefecture="神奈川県",
    slug="isehara",
    departments=(
        DepartmentSpec(
            "企画部",
            (
                SectionSpec("経営企画課"),
                SectionSpec("財政課"),
                SectionSpec("広報広聴課", valid_to=2017),
                SectionSpec("広報戦略課", valid_from=2018),
            ),
        ),
    ),
    documents=(
        SEEDS_DIR / "000_258841814ba200c7.txt",
        SEEDS_DIR / "004_6a6d05d201dcec27.txt",
    ),
    successions=(("広報広聴課", "広報戦略課", SuccessionKind.RENAMED, 2018),),
    create_missing=True,
    users_scope=("企画部", "経営企画課"),
)

# username, role, password (local demo only), display name
DEMO_USERS: tuple[tuple[str, Role, str], ...] = (
    ("admin", Role.SYSTEM_ADMIN, "demo-admin-2026"),
    ("kikaku", Role.PLANNING_ADMIN, "demo-kikaku-2026"),
    ("bucho", Role.DEPARTMENT_HEAD, "demo-bucho-2026"),
    ("kacho", Role.SECTION_HEAD, "demo-kacho-2026"),
    ("tanto", Role.SECTION_STAFF, "demo-tanto-2026"),
    ("hyoka", Role.EVALUATOR, "demo-hyoka-2026"),
    ("etsuran", Role.VIEWER, "demo-etsuran-2026"),
)


@dataclass
class DemoReport:
    lines: list[str] = field(default_factory=list)


def _organisation(spec: MunicipalitySpec) -> Municipality:
    municipality = Municipality.objects.filter(code=spec.code).first()
    if municipality is not None:
        return municipality
    municipality = municipality_create(
        code=spec.code, name=spec.name, prefecture=spec.prefecture, slug=spec.slug, actor=ACTOR
    )
    by_name: dict[str, Section] = {}
    for d_pos, d_spec in enumerate(spec.departments, start=1):
        department = department_create(
            municipality=municipality, name=d_spec.name, position=d_pos, actor=ACTOR
        )
        for s_pos, s_spec in enumerate(d_spec.sections, start=1):
            by_name[s_spec.name] = section_create(
                municipality=municipality,
                department=department,
                name=s_spec.name,
                valid_from=s_spec.valid_from,
                valid_to=s_spec.valid_to,
                aliases=s_spec.aliases,
                position=d_pos * 100 + s_pos,
                actor=ACTOR,
            )
    for predecessor, successor, kind, year in spec.successions:
        section_succeed(
            predecessor=by_name[predecessor],
            successor=by_name[successor],
            kind=kind,
            fiscal_year=year,
            actor=ACTOR,
        )
    for year in spec.fiscal_years:
        fiscal_year_ensure(municipality=municipality, year=year, actor=ACTOR)
    return municipality


def _users(municipality: Municipality, spec: MunicipalitySpec) -> None:
    user_model = get_user_model()
    department = Department.objects.get(municipality=municipality, name=spec.users_scope[0])
    section = Section.objects.get(municipality=municipality, name=spec.users_scope[1])
    for username, role, password in DEMO_USERS:
        user = user_model.objects.filter(username=username).first()
        if user is None:
            user = user_model.objects.create_user(username=username, password=password)
            if role == Role.SYSTEM_ADMIN:
                assert isinstance(user, AbstractUser)
                user.is_staff = user.is_superuser = True
                user.save()
        Membership.objects.get_or_create(
            user=user,
            municipality=municipality,
            role=role,
            department=department if role == Role.DEPARTMENT_HEAD else None,
            section=section if role in (Role.SECTION_HEAD, Role.SECTION_STAFF) else None,
        )


def demo_load(*, include_seeds: bool = True, write: Callable[[str], None] = print) -> None:
    """Create the demo municipalities, users and documents (idempotent)."""
    specs = [MIDORI]
    if not include_seeds:
        pass
    elif all(path.exists() for path in ISEHARA.documents):
        specs.append(ISEHARA)
    else:
        write(f"(no seed documents in {SEEDS_DIR}: loading the fictional city only)")
    for spec in specs:
        with transaction.atomic():
            municipality = _organisation(spec)
            _users(municipality, spec)
            for path in spec.documents:
                result = report_import(
                    municipality=municipality,
                    data=path.read_bytes(),
                    source=path.name,
                    actor=ACTOR,
                    create_missing=spec.create_missing,
                )
                s = result.summary
                write(
                    f"{municipality}: {path.name}: {sum(s.created.values())} created, "
                    f"{sum(s.updated.values())} updated, {len(result.document.unplaced)} lines not placed"
                )
                # The documents are reports the city has already published: publish them here too.
                if isinstance(result.document, ParsedGuidelineProgress):
                    plan = Plan.objects.get(municipality=municipality, name=result.document.guideline)
                    guideline_progress_publish(
                        plan=plan, fiscal_year=result.document.result_year, actor=ACTOR
                    )
                else:
                    declaration = GoalDeclaration.objects.get(
                        municipality=municipality,
                        fiscal_year=result.document.fiscal_year,
                        title=result.document.title,
                    )
                    goal_declaration_publish(declaration=declaration, actor=ACTOR)
            if spec.policy_structure is not None:
                _policy_evaluation(municipality, spec, write)


def _policy_evaluation(
    municipality: Municipality, spec: MunicipalitySpec, write: Callable[[str], None]
) -> None:
    """The 施策体系 through the real reader, and an open 施策評価 round of ``policy_year`` whose
    first sheet is assigned to the demo committee member (once: running again changes nothing)."""
    assert spec.policy_structure is not None
    name, first, last = spec.policy_plan
    summary = structure_import(
        municipality=municipality,
        plan_name=name,
        start_year=first,
        end_year=last,
        structure=read_structure(spec.policy_structure.read_bytes(), source=spec.policy_structure.name),
        source=spec.policy_structure.name,
        actor=ACTOR,
    )
    write(f"{municipality}: {spec.policy_structure.name}: {len(summary.policies)} policy measures")
    rounds = CollectionRound.objects.filter(
        municipality=municipality,
        kind=DocumentKind.POLICY_EVALUATION,
        plan=summary.plan,
        fiscal_year=spec.policy_year,
    )
    if rounds.exists():
        return
    collection_round = round_open(
        municipality=municipality,
        fiscal_year=spec.policy_year,
        kind=DocumentKind.POLICY_EVALUATION,
        title=f"{format_fiscal_year(spec.policy_year)} 施策評価",
        deadline=timezone.localdate() + timedelta(days=60),
        plan=summary.plan,
        actor=ACTOR,
    )
    evaluator = get_user_model().objects.filter(username="hyoka").first()
    sheet = (
        collection_round.policy_sheets.filter(section__name=spec.users_scope[1])
        .order_by("policy__path")
        .first()
    )
    if evaluator is not None and sheet is not None:
        reviewers_assign(sheet=sheet, evaluators=[evaluator], actor=ACTOR)
