"""A document the readers refuse says why in the language of the person who reads the page (issue 10).

The upload is read in the worker process and what it says is kept; the reason is translated
when the page is shown, so the same upload reads in Japanese on a Japanese page and in
English after switching the language, whatever the language of the person who uploaded it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from shinchoku.goals.models import Goal
from shinchoku.imports.models import PendingImport
from shinchoku.organizations.models import Municipality

DOCUMENTS = Path(__file__).resolve().parents[2] / "demo" / "documents"
ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _without_line(name: str, number: int) -> bytes:
    lines = (DOCUMENTS / name).read_text(encoding="utf-8").split("\n")
    lines[number - 1] = ""
    return "\n".join(lines).encode()


def goal_declaration_without_target_marker() -> bytes:
    """みどり市's goal declaration with goal 1's [目標値] (line 33) removed."""
    return _without_line("midori_goal_declaration_2024.txt", 33)


def guideline_progress_with_a_short_row() -> bytes:
    """みどり市's guideline progress table whose row on line 12 lost its last three cells."""
    name = "midori_guideline_progress_2024.txt"
    lines = (DOCUMENTS / name).read_text(encoding="utf-8").split("\n")
    lines[11] = "\t".join(lines[11].split("\t")[:3])
    return "\n".join(lines).encode()


def upload(client: Client, name: str, data: bytes, **headers: str) -> str:
    response = client.post("/m/midori/imports/", {"file": SimpleUploadedFile(name, data)}, **headers)
    assert response.status_code == 302
    return str(response["Location"])


GOAL_TITLE = "第2次みどり市総合計画後期基本計画に基づく施策評価"


@pytest.mark.parametrize(
    ("name", "data", "japanese", "english"),
    [
        (
            "goals.txt",
            goal_declaration_without_target_marker(),
            f"goals.txt 17行目：目標1（{GOAL_TITLE}）：見出し「[目標値]」は1つのはずですが、0個あります",
            f"goals.txt, line 17: goal 1 ({GOAL_TITLE}): expected one [目標値] marker, found 0",
        ),
        (
            "progress.txt",
            guideline_progress_with_a_short_row(),
            "progress.txt 12行目：表の行がタブ区切りで3列です。6列のはずです"
            "（資料が途中で切れているか、この様式ではありません）",
            "progress.txt, line 12: a table row has 3 tab-separated cells, expected 6 "
            "(the document is truncated or not in this layout)",
        ),
    ],
    ids=["goal declaration", "guideline progress"],
)
def test_a_refused_document_says_why_in_the_language_of_the_page(
    client: Client, planner, municipality: Municipality, name: str, data: bytes, japanese: str, english: str
) -> None:
    client.force_login(planner)
    # Uploaded by someone reading English: the reason is kept, not its English sentence.
    preview = upload(client, name, data, **ENGLISH)
    pending = PendingImport.objects.get()
    assert pending.document is None and pending.read_error == english  # the admin and the logs
    page = client.get(preview).content.decode()
    assert japanese in page
    assert english not in page
    assert english in client.get(preview, **ENGLISH).content.decode()
    # The language switch of the navigation.
    assert client.post("/i18n/setlang/", {"language": "en", "next": preview}).status_code == 302
    assert english in client.get(preview).content.decode()
    assert Goal.objects.count() == 0


def test_a_refused_upload_commits_nothing_and_says_why_in_japanese(
    client: Client, planner, municipality: Municipality
) -> None:
    client.force_login(planner)
    preview = upload(client, "goals.txt", goal_declaration_without_target_marker(), **ENGLISH)
    pending = PendingImport.objects.get()
    response = client.post(f"/m/midori/imports/{pending.pk}/commit/", {"confirm_warnings": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == preview
    assert "goals.txt 17行目：目標1（" in response.content.decode()
    assert Goal.objects.count() == 0


def test_a_reading_kept_before_reasons_were_messages_still_shows(
    client: Client, planner, municipality: Municipality
) -> None:
    client.force_login(planner)
    preview = upload(client, "junk.txt", b"\x00\x01\x02")
    PendingImport.objects.update(
        read_error="junk.txt, line 1: the file is binary, not text (NUL bytes found)", read_error_message=None
    )
    assert "junk.txt 1行目：テキストではないファイルです" in client.get(preview).content.decode()
    assert "junk.txt, line 1: the file is binary" in client.get(preview, **ENGLISH).content.decode()
    PendingImport.objects.update(read_error="old.txt: a reason no catalog knows")
    assert "old.txt：a reason no catalog knows" in client.get(preview).content.decode()


def test_an_upload_beyond_the_bound_is_refused_in_the_language_of_the_page(
    client: Client, planner, municipality: Municipality, settings
) -> None:
    settings.SHINCHOKU_UPLOAD_MAX_MB = 1
    client.force_login(planner)
    big = b"x" * (1024 * 1024 + 10)  # past the form's bound, not the server's (which answers 413)
    page = client.post("/m/midori/imports/", {"file": SimpleUploadedFile("big.txt", big)}).content.decode()
    assert "ファイルの大きさが1.0 MBです。受け付けるのは1.0 MBまでです。" in page
    page = client.post("/m/midori/imports/", {"file": SimpleUploadedFile("big.txt", big)}, **ENGLISH)
    assert "The file is 1.0 MB; files up to 1.0 MB are accepted." in page.content.decode()
    assert PendingImport.objects.count() == 0
