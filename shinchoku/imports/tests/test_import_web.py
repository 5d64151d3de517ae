"""The upload → preview → commit flow, as the planning section uses it, and who is refused."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shinchoku.goals.models import Goal
from shinchoku.imports.models import ImportRecord, PendingImport
from shinchoku.organizations.models import Municipality, Section
from shinchoku.progress.models import ProgressEntry
from shinchoku.testing import SEED_004


def login(client: Client, user) -> Client:  # type: ignore[no-untyped-def]
    client.force_login(user)
    return client


def upload(client: Client, name: str, data: bytes, slug: str = "midori"):  # type: ignore[no-untyped-def]
    return client.post(f"/m/{slug}/imports/", {"file": SimpleUploadedFile(name, data)})


def test_planner_previews_then_commits_with_confirmation(
    client: Client, isehara_planner, isehara: Municipality, seeds_dir: Path
) -> None:
    login(client, isehara_planner)
    response = upload(client, SEED_004, (seeds_dir / SEED_004).read_bytes(), slug="isehara")
    assert response.status_code == 302
    preview_url = response["Location"]
    page = client.get(preview_url).content.decode()
    # The master knows none of the seed's sections: they are listed for confirmation.
    assert "市民協働課" in page and "人権・広聴相談課" in page
    assert ProgressEntry.objects.count() == 0  # the preview wrote nothing

    # The document is 伊勢原市's own: no question about whose it is.
    assert "other_municipality" not in page
    pending = PendingImport.objects.get()
    refused = client.post(f"/m/isehara/imports/{pending.pk}/commit/", {}, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 302
    assert ProgressEntry.objects.count() == 0
    assert "confirm the new sections" in client.get(preview_url, HTTP_ACCEPT_LANGUAGE="en").content.decode()

    done = client.post(f"/m/isehara/imports/{pending.pk}/commit/", {"confirm_new_sections": "on"})
    assert done.status_code == 302
    assert ProgressEntry.objects.count() == 66 + 54
    record = ImportRecord.objects.get()
    assert record.actor == isehara_planner and record.created > 0
    assert not record.other_municipality_confirmed
    # A second commit of the same upload is refused.
    client.post(f"/m/isehara/imports/{pending.pk}/commit/", {"confirm_new_sections": "on"})
    assert ImportRecord.objects.count() == 1


def test_unreadable_file_shows_the_reason_and_saves_nothing(
    client: Client, planner, municipality: Municipality
) -> None:
    login(client, planner)
    response = upload(client, "junk.txt", bytes(range(256)) * 4)
    page = client.get(response["Location"]).content.decode()
    assert "junk.txt" in page and "テキストではないファイルです" in page
    assert Goal.objects.count() == 0


def test_empty_upload_is_a_form_error(client: Client, planner, municipality: Municipality) -> None:
    login(client, planner)
    response = client.post("/m/midori/imports/", {"file": SimpleUploadedFile("empty.txt", b"")})
    assert response.status_code == 200
    assert PendingImport.objects.count() == 0


@pytest.mark.parametrize("persona", ["anonymous", "staff", "outsider"])
def test_import_pages_refuse_everyone_but_the_planning_section(
    client: Client,
    request: pytest.FixtureRequest,
    persona: str,
    planner,
    municipality: Municipality,
    section: Section,
) -> None:
    pending = PendingImport.objects.create(
        municipality=municipality, uploaded_by=planner, source_name="x.txt", data=b"x", sha256="0" * 64
    )
    if persona != "anonymous":
        login(client, request.getfixturevalue(persona))
    urls = ["/m/midori/imports/", f"/m/midori/imports/{pending.pk}/"]
    for url in urls:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        if persona == "anonymous":
            assert response["Location"].startswith("/login/")
    confirm_all = {"confirm_new_sections": "on", "confirm_other_municipality": "on"}
    response = client.post(f"/m/midori/imports/{pending.pk}/commit/", confirm_all)
    assert response.status_code in (302, 403)
    assert PendingImport.objects.get().record is None
    response = upload(client, "a.txt", b"abc")
    assert response.status_code in (302, 403)
    assert PendingImport.objects.count() == 1


def test_outsider_cannot_reach_another_municipalitys_upload_through_its_own_slug(
    client: Client, planner, outsider, municipality: Municipality, other_municipality: Municipality
) -> None:
    pending = PendingImport.objects.create(
        municipality=municipality, uploaded_by=planner, source_name="x.txt", data=b"x", sha256="0" * 64
    )
    login(client, outsider)
    assert client.get(f"/m/sora/imports/{pending.pk}/").status_code == 404
    confirm_all = {"confirm_new_sections": "on", "confirm_other_municipality": "on"}
    assert client.post(f"/m/sora/imports/{pending.pk}/commit/", confirm_all).status_code == 404
    assert client.post(f"/m/midori/imports/{pending.pk}/commit/", confirm_all).status_code == 403
    assert PendingImport.objects.get().record is None


def test_an_upload_not_imported_yet_is_listed_for_the_planning_section_only(
    client: Client, planner, staff, outsider, municipality: Municipality, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    login(client, planner)
    assert (
        "まだ取り込んでいないアップロード"
        in client.get("/m/midori/imports/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    )
    upload(client, SEED_004, (seeds_dir / SEED_004).read_bytes())
    pending = PendingImport.objects.get()
    page = client.get("/m/midori/imports/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    listed = page[page.index("まだ取り込んでいないアップロード") : page.index("取込履歴")]
    assert f'<a href="/m/midori/imports/{pending.pk}/">{SEED_004}</a>' in listed
    assert "未確定（確認待ち）" in listed
    # Someone who may not preview it does not see it: staff of the city, another city's planner.
    for person in (staff, outsider):
        login(client, person)
        response = client.get("/m/midori/imports/")
        assert response.status_code == 403 and SEED_004 not in response.content.decode()
    login(client, outsider)
    own = client.get("/m/sora/imports/").content.decode()
    assert SEED_004 not in own and f"/imports/{pending.pk}/" not in own


def test_the_record_correction_page_has_one_breadcrumb_trail(
    client: Client, planner, municipality: Municipality, seeds_dir: Path
) -> None:  # type: ignore[no-untyped-def]
    login(client, planner)
    upload(client, SEED_004, (seeds_dir / SEED_004).read_bytes())
    pending = PendingImport.objects.get()
    preview = client.get(f"/m/midori/imports/{pending.pk}/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    record_url = re.search(rf'href="(/m/midori/imports/{pending.pk}/records/[^"#]+/)"', preview)
    assert record_url, "the preview links to a record's correction page"
    page = client.get(record_url.group(1), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert page.count('<nav class="breadcrumbs') == 1
    trail = page.split('<nav class="breadcrumbs', 1)[1].split("</nav>", 1)[0]
    assert "取込内容の確認" in trail and 'aria-current="page"' in trail
    main = page.split('<main id="main">', 1)[1]
    assert f'href="/m/midori/imports/{pending.pk}/#' not in main  # the trail is not repeated in the page
