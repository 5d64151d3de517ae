"""The organisation master page: upload → preview → confirm, the download, and who may use them."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import load_workbook

from shinchoku.core.audit import Actor
from shinchoku.core.models import AuditEvent
from shinchoku.organizations.models import (
    Department,
    Municipality,
    OrganizationUpload,
    Section,
    SectionSuccession,
)
from shinchoku.organizations.services import department_create, section_create

HEADER = "部,課,係,有効開始年度,有効終了年度,旧名称,表示順"
FILE = "\r\n".join(
    (HEADER, "企画部,,,,,,1", "企画部,企画政策課,,,,,2", "企画部,広報戦略課,,,,広報広聴課,3", ",会計課,,,,,9")
).encode("cp932")


@pytest.fixture
def master(municipality: Municipality, section: Section, actor: Actor) -> Municipality:
    """企画部: 企画政策課 (the fixture's section) and 広報広聴課."""
    section_create(
        municipality=municipality, department=section.department, name="広報広聴課", position=3, actor=actor
    )
    return municipality


def upload(client: Client, data: bytes = FILE, name: str = "組織.csv", year: str = "令和7年度"):  # type: ignore[no-untyped-def]
    return client.post(
        "/m/midori/organization/",
        {"file": SimpleUploadedFile(name, data), "fiscal_year": year},
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_upload_preview_confirm(client: Client, master: Municipality, planner) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    assert client.get("/m/midori/organization/").status_code == 200
    response = upload(client)
    pending = OrganizationUpload.objects.get()
    assert response["Location"] == f"/m/midori/organization/{pending.pk}/"
    assert pending.fiscal_year == 2025 and pending.uploaded_by == planner
    # The preview shows what would change, and changes nothing.
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en")
    text = page.content.decode()
    assert "広報戦略課" in text and "会計課" in text and "広報広聴課" in text
    plan = page.context["plan"]
    assert [c.name for c in plan.of_renamed] == ["広報戦略課"] and [c.name for c in plan.of_new] == ["会計課"]
    assert not Section.objects.filter(name="会計課").exists()
    # Confirming applies exactly that, audited under the planner's name.
    digest = page.context["form"].initial["digest"]
    response = client.post(f"/m/midori/organization/{pending.pk}/confirm/", {"digest": digest})
    assert response.status_code == 302 and response["Location"] == "/m/midori/organization/"
    assert Section.objects.get(name="会計課").department is None
    assert SectionSuccession.objects.get().successor.name == "広報戦略課"
    assert AuditEvent.objects.filter(actor=planner, object_repr="会計課").exists()
    pending.refresh_from_db()
    assert pending.applied
    # A second confirmation does nothing.
    client.post(f"/m/midori/organization/{pending.pk}/confirm/", {"digest": digest})
    assert Section.objects.filter(name="会計課").count() == 1


def test_confirm_is_refused_when_the_master_changed_since_the_preview(
    client: Client, master: Municipality, planner, actor: Actor
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    upload(client)
    pending = OrganizationUpload.objects.get()
    digest = client.get(f"/m/midori/organization/{pending.pk}/").context["form"].initial["digest"]
    department_create(municipality=master, name="総務部", actor=actor)  # someone else, meanwhile
    response = client.post(f"/m/midori/organization/{pending.pk}/confirm/", {"digest": digest})
    assert response.status_code == 302
    assert not Section.objects.filter(name="会計課").exists()
    assert not OrganizationUpload.objects.get().applied
    # The preview says so and offers no confirmation.
    page = client.get(f"/m/midori/organization/{pending.pk}/")
    assert page.context["stale"] and b'name="digest"' not in page.content


def test_confirm_without_the_preview_applies_nothing(client: Client, master: Municipality, planner) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    upload(client)
    pending = OrganizationUpload.objects.get()
    client.post(f"/m/midori/organization/{pending.pk}/confirm/", {"digest": "0" * 64})
    client.post(f"/m/midori/organization/{pending.pk}/confirm/", {})
    assert not Section.objects.filter(name="会計課").exists()


def test_a_bad_file_shows_its_problems_with_places(client: Client, master: Municipality, planner) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    upload(client, data=(HEADER + "\r\n企画部,経営企画課,,令和6年,,,\r\n").encode(), name="bad.csv")
    pending = OrganizationUpload.objects.get()
    page = client.get(f"/m/midori/organization/{pending.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    problems = page.context["problems"]
    assert [(p.line, p.column) for p in problems] == [(2, "有効開始年度")]
    assert "bad.csv: line 2, column 有効開始年度" in page.content.decode()
    assert b'name="digest"' not in page.content


def test_a_bad_fiscal_year_is_a_form_error(client: Client, master: Municipality, planner) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    response = upload(client, year="来年")
    assert response.status_code == 200 and "fiscal_year" in response.context["form"].errors
    assert not OrganizationUpload.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_download_the_current_master(client: Client, master: Municipality, planner, fmt: str) -> None:  # type: ignore[no-untyped-def]
    client.force_login(planner)
    response = client.get(f"/m/midori/organization/download.{fmt}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="midori-organization-')
    if fmt == "csv":
        lines = response.content.decode("utf-8-sig").splitlines()
    else:
        sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
        lines = [
            ",".join("" if v is None else str(v) for v in row) for row in sheet.iter_rows(values_only=True)
        ]
    assert lines[0] == HEADER
    assert any(line.startswith("企画部,広報広聴課,") for line in lines)
    assert client.get("/m/midori/organization/download.pdf").status_code == 404


@pytest.fixture
def pending(master: Municipality, planner) -> OrganizationUpload:  # type: ignore[no-untyped-def]
    from shinchoku.organizations.master import organization_upload_create

    return organization_upload_create(
        municipality=master, user=planner, upload_name="組織.csv", data=FILE, fiscal_year=2025
    )


def _urls(pending: OrganizationUpload) -> list[tuple[str, str]]:
    base = "/m/midori/organization/"
    return [
        ("get", base),
        ("post", base),
        ("get", f"{base}{pending.pk}/"),
        ("post", f"{base}{pending.pk}/confirm/"),
        ("get", f"{base}download.csv"),
    ]


@pytest.mark.parametrize(
    "persona", ["staff", "section_head", "department_head", "viewer", "evaluator", "outsider"]
)
def test_others_are_refused(
    client: Client, pending: OrganizationUpload, persona: str, request: pytest.FixtureRequest
) -> None:
    client.force_login(request.getfixturevalue(persona))
    for method, url in _urls(pending):
        assert getattr(client, method)(url).status_code == 403, url
    assert not OrganizationUpload.objects.get().applied and Department.objects.count() == 1


def test_anonymous_is_sent_to_log_in(client: Client, pending: OrganizationUpload) -> None:
    for method, url in _urls(pending):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/login/"), url


def test_another_municipality_cannot_reach_our_upload_through_its_own_address(
    client: Client, pending: OrganizationUpload, outsider
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(outsider)
    assert client.get(f"/m/sora/organization/{pending.pk}/").status_code == 404
    assert client.post(f"/m/sora/organization/{pending.pk}/confirm/", {"digest": "x"}).status_code == 404


def test_the_municipality_page_links_to_the_master_for_the_planning_section_only(
    client: Client, master: Municipality, planner, staff
) -> None:  # type: ignore[no-untyped-def]
    for user, visible in ((planner, True), (staff, False)):
        client.force_login(user)
        assert ('href="/m/midori/organization/"' in client.get("/m/midori/").content.decode()) is visible
