"""Issue 10, forms that fit the work: every entry of a request in one form, one save, drafts kept."""

from __future__ import annotations

import pytest
from django.test import Client

from shinchoku.core.audit import Actor
from shinchoku.core.models import AuditEvent
from shinchoku.progress.models import ProgressEntry
from shinchoku.progress.services import progress_entry_update
from shinchoku.workflow.models import CollectionRound, EntryDraft

from .conftest import RESULT_YEAR

pytestmark = pytest.mark.django_db


def page_of(collection_round: CollectionRound, section) -> str:  # type: ignore[no-untyped-def]
    return f"/m/midori/rounds/{collection_round.pk}/sections/{section.pk}/"


def results(section) -> list[ProgressEntry]:  # type: ignore[no-untyped-def]
    return list(
        ProgressEntry.objects.filter(
            kind=ProgressEntry.Kind.RESULT, fiscal_year=RESULT_YEAR, responsibles__section=section
        ).order_by("row__initiative__path", "position")
    )


def form_of(*changes: tuple[ProgressEntry, str]) -> dict[str, object]:
    data: dict[str, object] = {}
    for entry, text in changes:
        data[f"text-{entry.pk}"] = text
        data[f"version-{entry.pk}"] = entry.version
    return data


def test_the_page_has_one_form_with_every_entry_and_one_save_button(
    client: Client, guideline_round: CollectionRound, section, staff
) -> None:  # type: ignore[no-untyped-def]
    client.force_login(staff)
    body = client.get(page_of(guideline_round, section), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    for entry in results(section):
        assert f'name="text-{entry.pk}" form="entries-form"' in body
    assert body.count('<form id="entries-form"') == 1
    assert body.count(">Save all</button>") == 1 and ">Save</button>" not in body
    assert "js/entries.js" in body and "<script>" not in body  # our file, nothing inline (CSP)


def test_two_entries_saved_in_one_post_and_audited(
    client: Client, guideline_round: CollectionRound, section, staff
) -> None:  # type: ignore[no-untyped-def]
    first, second = results(section)
    client.force_login(staff)
    EntryDraft.objects.create(user=staff, entry=first, text="下書き", base_version=first.version)
    data = form_of(
        (first, "一つ目を書き直した。"), (second, f"二つ目を書き直した。（{section.name}・財政課）")
    )
    response = client.post(f"{page_of(guideline_round, section)}entries/save/", data)
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.text == "一つ目を書き直した。" and first.version == 2
    assert second.text == "二つ目を書き直した。"  # the section is kept once, as the responsible
    for entry in (first, second):
        event = AuditEvent.objects.get(object_id=str(entry.pk), field="text", new_value=entry.text)
        assert event.actor == staff
    assert not EntryDraft.objects.exists()  # saved: the draft is gone
    follow = client.get(page_of(guideline_round, section)).content.decode()
    assert "保存しました（" in follow


def test_with_htmx_the_editor_comes_back_with_saved_in_the_live_region(
    client: Client, guideline_round: CollectionRound, section, staff
) -> None:  # type: ignore[no-untyped-def]
    first, second = results(section)
    client.force_login(staff)
    # Only the changed entry is sent (entries.js); an unchanged one sent whole is left alone.
    data = form_of((first, "変えた。"), (second, second.text))
    response = client.post(
        f"{page_of(guideline_round, section)}entries/save/",
        data,
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.startswith('<div id="entries"')
    assert 'id="save-status" hx-swap-oob="innerHTML"' in body and "Saved (" in body
    second.refresh_from_db()
    assert second.version == 1


def test_an_entry_changed_meanwhile_by_someone_else_saves_nothing_and_shows_their_text(
    client: Client, guideline_round: CollectionRound, section, staff, section_head
) -> None:  # type: ignore[no-untyped-def]
    first, second = results(section)
    data = form_of((first, "担当の一つ目。"), (second, "担当の二つ目。"))
    progress_entry_update(
        entry=second,
        text="課長が先に直した。",
        expected_version=second.version,
        actor=Actor(user=section_head),
    )
    client.force_login(staff)
    response = client.post(
        f"{page_of(guideline_round, section)}entries/save/", data, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "Nothing was saved." in body and "someone else changed this entry" in body
    assert "課長が先に直した。" in body  # their text
    assert "担当の一つ目。" in body and "担当の二つ目。" in body  # mine, still in the boxes
    assert f'name="version-{second.pk}" value="2"' in body  # saving again replaces theirs, knowingly
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.text != "担当の一つ目。" and first.version == 1
    assert second.text == "課長が先に直した。"
    assert not AuditEvent.objects.filter(new_value__in=["担当の一つ目。", "担当の二つ目。"]).exists()
    # The same with htmx: 200 (htmx swaps it in), the alert in place.
    again = client.post(
        f"{page_of(guideline_round, section)}entries/save/",
        data,
        HTTP_HX_REQUEST="true",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert again.status_code == 200 and 'role="alert"' in again.content.decode()
    first.refresh_from_db()
    assert first.version == 1


def test_an_empty_entry_is_refused_and_nothing_is_saved(
    client: Client, guideline_round: CollectionRound, section, staff
) -> None:  # type: ignore[no-untyped-def]
    first, second = results(section)
    client.force_login(staff)
    response = client.post(
        f"{page_of(guideline_round, section)}entries/save/",
        form_of((first, "書いた。"), (second, "  ")),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400 and "An entry needs a text" in response.content.decode()
    first.refresh_from_db()
    assert first.version == 1


def test_a_draft_is_kept_shown_to_its_author_only_and_discarded(
    guideline_round: CollectionRound, section, staff, section_head
) -> None:  # type: ignore[no-untyped-def]
    first, _second = results(section)
    mine, theirs = Client(), Client()
    mine.force_login(staff)
    theirs.force_login(section_head)
    base = page_of(guideline_round, section)
    answer = mine.post(f"{base}entries/draft/", form_of((first, "途中まで書いた")), HTTP_ACCEPT_LANGUAGE="en")
    assert answer.status_code == 200 and answer.json()["kept"] == [first.pk]
    first.refresh_from_db()
    assert first.text != "途中まで書いた" and first.version == 1  # a draft, not the entry
    draft = EntryDraft.objects.get()
    assert draft.user == staff and draft.base_version == 1
    page = mine.get(base, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "There is an unsaved draft." in page and "途中まで書いた" in page
    other = theirs.get(base, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "途中まで書いた" not in other and "There is an unsaved draft." not in other
    # Discarding shows the saved texts again.
    assert mine.post(f"{base}entries/draft/discard/").status_code == 302
    assert not EntryDraft.objects.exists()
    assert "途中まで書いた" not in mine.get(base).content.decode()
    # Typing back the saved text removes the draft.
    mine.post(f"{base}entries/draft/", form_of((first, "途中")))
    mine.post(f"{base}entries/draft/", form_of((first, first.text)))
    assert not EntryDraft.objects.exists()


def test_a_draft_is_removed_by_the_save_and_a_stale_draft_conflicts(
    client: Client, guideline_round: CollectionRound, section, staff, section_head
) -> None:  # type: ignore[no-untyped-def]
    first, _second = results(section)
    client.force_login(staff)
    base = page_of(guideline_round, section)
    client.post(f"{base}entries/draft/", form_of((first, "下書きの文。")))
    # The section head saves the entry meanwhile; the draft keeps the version it was typed on.
    progress_entry_update(entry=first, text="課長の文。", expected_version=1, actor=Actor(user=section_head))
    page = client.get(base).content.decode()
    assert f'name="version-{first.pk}" value="1"' in page and "下書きの文。" in page
    refused = client.post(
        f"{base}entries/save/", {f"text-{first.pk}": "下書きの文。", f"version-{first.pk}": 1}
    )
    assert refused.status_code == 409 and "課長の文。" in refused.content.decode()
    assert EntryDraft.objects.filter(user=staff).exists()  # nothing saved, the draft stays
    saved = client.post(
        f"{base}entries/save/", {f"text-{first.pk}": "下書きの文。", f"version-{first.pk}": 2}
    )
    assert saved.status_code == 302
    first.refresh_from_db()
    assert first.text == "下書きの文。" and not EntryDraft.objects.exists()


@pytest.mark.parametrize("name", ["save/", "draft/", "draft/discard/"])
def test_approvers_and_other_sections_are_refused(
    client: Client, guideline_round: CollectionRound, section, sibling_section, staff, department_head, name
) -> None:  # type: ignore[no-untyped-def]
    entry = results(section)[0]
    client.force_login(department_head)  # sees the request, does not write it
    url = f"{page_of(guideline_round, section)}entries/{name}"
    assert client.post(url, form_of((entry, "部長"))).status_code == 403
    client.force_login(staff)  # another section's request: not found
    assert client.post(f"{page_of(guideline_round, sibling_section)}entries/{name}").status_code == 404
    # An entry of another section sent to one's own request is not written.
    foreign = ProgressEntry.objects.exclude(responsibles__section=section).first()
    assert foreign is not None
    url = f"{page_of(guideline_round, section)}entries/{name}"
    client.post(url, form_of((foreign, "他課の記載を上書き")))
    foreign.refresh_from_db()
    assert foreign.text != "他課の記載を上書き" and not EntryDraft.objects.filter(entry=foreign).exists()
