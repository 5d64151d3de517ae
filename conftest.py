"""Shared fixtures: a small municipality with personas, and a second one as the outsider."""

from __future__ import annotations

from pathlib import Path

import pytest

from shinchoku.core.audit import Actor
from shinchoku.evaluation.summaries import KEPT
from shinchoku.organizations.models import Department, Municipality, Section
from shinchoku.organizations.services import department_create, municipality_create, section_create

SEEDS_DIR = Path(__file__).resolve().parent.parent / "shared" / "seeds"
TEST_ACTOR = Actor(label="tests")


@pytest.fixture(autouse=True)
def _fresh_process_state() -> None:
    """Each test starts as a fresh process: nothing judged is kept from another test's rows,
    whose ids a rolled-back transaction gives out again."""
    KEPT.clear()


@pytest.fixture
def seeds_dir() -> Path:
    if not SEEDS_DIR.is_dir():
        pytest.fail(f"The seed documents are expected in {SEEDS_DIR} (../shared/seeds beside the checkout).")
    return SEEDS_DIR


@pytest.fixture
def actor() -> Actor:
    return TEST_ACTOR


@pytest.fixture
def municipality(db: None) -> Municipality:
    return municipality_create(
        code="992011", name="みどり市", prefecture="架空県", slug="midori", actor=TEST_ACTOR
    )


@pytest.fixture
def other_municipality(db: None) -> Municipality:
    # 992020 is another fictional code with a valid check digit.
    return municipality_create(
        code="992020", name="そら町", prefecture="架空県", slug="sora", actor=TEST_ACTOR
    )


@pytest.fixture
def department(municipality: Municipality) -> Department:
    return department_create(municipality=municipality, name="企画部", actor=TEST_ACTOR)


@pytest.fixture
def section(municipality: Municipality, department: Department) -> Section:
    return section_create(
        municipality=municipality, department=department, name="企画政策課", actor=TEST_ACTOR
    )


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """A headless Debian Chromium for the whole session (launching it costs about a second)."""
    import os

    from shinchoku.browser import CHROMIUM, chromium_available, chromium_browser

    if not chromium_available():
        message = f"Chromium is not installed at {CHROMIUM} (make test installs it: apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop; Django refuses ORM calls from such a thread unless told.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with chromium_browser() as chromium:
        yield chromium


@pytest.fixture
def page(browser, live_server):  # type: ignore[no-untyped-def]
    # bypass_csp: axe-core is injected as an inline script, which our policy refuses (as it should);
    # shinchoku/web/tests/test_csp_browser.py checks the pages under the policy.
    context = browser.new_context(locale="ja-JP", base_url=live_server.url, bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def _member(username: str, municipality: Municipality, role: str, **scope: object):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model

    from shinchoku.organizations.models import Membership

    user = get_user_model().objects.create_user(username, password="persona-password-1")
    Membership.objects.create(user=user, municipality=municipality, role=role, **scope)
    return user


@pytest.fixture
def planner(municipality: Municipality):  # type: ignore[no-untyped-def]
    """企画 administrator of the municipality under test."""
    return _member("planner", municipality, "planning_admin")


@pytest.fixture
def staff(municipality: Municipality, section: Section):  # type: ignore[no-untyped-def]
    """Section staff: may not import or publish."""
    return _member("staff", municipality, "section_staff", section=section)


@pytest.fixture
def outsider(other_municipality: Municipality):  # type: ignore[no-untyped-def]
    """The planning administrator of another municipality: sees nothing of ours."""
    return _member("outsider", other_municipality, "planning_admin")


AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"


@pytest.fixture
def axe_check():  # type: ignore[no-untyped-def]
    """Run axe-core's WCAG 2.0/2.1 A and AA rules on a page; return the violations."""
    import os

    if not AXE.exists():
        message = f"axe-core is not installed at {AXE} (make test runs npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)

    def check(page):  # type: ignore[no-untyped-def]
        page.add_script_tag(path=str(AXE))
        result = page.evaluate(
            "() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
        )
        return [
            {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:5]}
            for v in result["violations"]
        ]

    return check


@pytest.fixture
def viewer(municipality: Municipality):  # type: ignore[no-untyped-def]
    """Read-only viewer of the municipality under test."""
    return _member("viewer", municipality, "viewer")


@pytest.fixture
def evaluator(municipality: Municipality):  # type: ignore[no-untyped-def]
    """External evaluation committee member."""
    return _member("evaluator", municipality, "evaluator")


@pytest.fixture
def section_head(municipality: Municipality, section: Section):  # type: ignore[no-untyped-def]
    """課長 of ``section``."""
    return _member("section_head", municipality, "section_head", section=section)


@pytest.fixture
def department_head(municipality: Municipality, department: Department):  # type: ignore[no-untyped-def]
    """部長 of ``department`` (which holds ``section``)."""
    return _member("department_head", municipality, "department_head", department=department)


@pytest.fixture
def goal_document(seeds_dir: Path):  # type: ignore[no-untyped-def]
    """Seed 000 parsed by the text parser (cached for the run; do not mutate)."""
    from shinchoku import testing

    return testing.goal_document(seeds_dir / testing.SEED_000)


@pytest.fixture
def guideline_document(seeds_dir: Path):  # type: ignore[no-untyped-def]
    from shinchoku import testing

    return testing.guideline_document(seeds_dir / testing.SEED_004)


@pytest.fixture
def goal_pdf(seeds_dir: Path) -> bytes:
    from shinchoku import testing

    return testing.goal_pdf(seeds_dir / testing.SEED_000)


@pytest.fixture
def guideline_pdf(seeds_dir: Path) -> bytes:
    from shinchoku import testing

    return testing.guideline_pdf(seeds_dir / testing.SEED_004)
