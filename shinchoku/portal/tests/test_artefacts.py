"""Publish once, serve bytes after (issue 12): files rendered at publishing, served with
validators, never rendered per request; citizens get the stored page, staff a live one."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from shinchoku.core.audit import Actor
from shinchoku.core.templatetags.japanese import filesize
from shinchoku.goals.models import GoalDeclaration
from shinchoku.publishing import artefacts
from shinchoku.publishing.models import Artefact, Publication
from shinchoku.publishing.services import goal_declaration_publish

REPORT = "/p/midori/reports/{pk}/"


def _no_rendering(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any render on request fails the test: the files must come from storage."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("rendered on request")

    monkeypatch.setattr("shinchoku.reports.rendering.render", refuse)
    monkeypatch.setattr("shinchoku.reports.rendering.render_summary", refuse)
    monkeypatch.setattr("shinchoku.portal.pages.report_context", refuse)
    monkeypatch.setattr("shinchoku.portal.pages.summary_context", refuse)
    monkeypatch.setattr("shinchoku.portal.pages.index_context", refuse)


def test_publishing_stores_every_download_and_page(published: dict[str, Publication]) -> None:
    goals = published["goals"]
    keys = set(Artefact.objects.filter(publication=goals).values_list("key", flat=True))
    assert keys == {"pdf", "xlsx", "csv:goals", "csv:figures", "json", "page:ja", "page:en"}
    guideline = set(Artefact.objects.filter(publication=published["guideline"]).values_list("key", flat=True))
    assert {"csv:entries", "csv:classifications"} <= guideline
    own = set(Artefact.objects.filter(publication=None).values_list("key", flat=True))
    assert own == {"index:ja", "index:en", "summary:ja", "summary:en"} | {
        f"summary:{fmt}" for fmt in ("pdf", "xlsx", "csv", "json")
    }
    for artefact in Artefact.objects.all():
        content = artefacts.read(artefact)
        assert hashlib.sha256(content).hexdigest() == artefact.sha256
        assert len(content) == artefact.size


def test_downloads_are_stored_bytes_with_validators(
    client: Client, published: dict[str, Publication], monkeypatch: pytest.MonkeyPatch
) -> None:
    goals = published["goals"]
    stored = Artefact.objects.get(publication=goals, key="pdf")
    _no_rendering(monkeypatch)
    response = client.get(f"{REPORT.format(pk=goals.pk)}download.pdf")
    assert response.status_code == 200
    assert response.content == artefacts.read(stored)
    assert response["ETag"] == f'"{stored.sha256}"'
    assert response["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response["Content-Disposition"].endswith(f'filename="{stored.filename}"')
    assert "Last-Modified" in response
    again = client.get(f"{REPORT.format(pk=goals.pk)}download.pdf", HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304 and again.content == b""
    # Each CSV table at its own path, and at the older ?table= address.
    table = client.get(f"{REPORT.format(pk=goals.pk)}download-figures.csv")
    assert table.status_code == 200 and table["Link"].endswith('rel="license"')
    legacy = client.get(f"{REPORT.format(pk=goals.pk)}download.csv?table=figures")
    assert legacy.content == table.content
    assert client.get(f"{REPORT.format(pk=goals.pk)}download-nothing.csv").status_code == 404
    assert client.get(f"{REPORT.format(pk=goals.pk)}download.csv?table=nothing").status_code == 404
    summary = client.get("/p/midori/summary/download.xlsx")
    assert summary.status_code == 200 and summary["Cache-Control"].startswith("public, max-age=300")


def test_a_citizen_gets_the_stored_page_in_one_query(
    client: Client,
    published: dict[str, Publication],
    monkeypatch: pytest.MonkeyPatch,
    django_assert_max_num_queries: Any,
) -> None:
    goals = published["goals"]
    _no_rendering(monkeypatch)
    for url in (REPORT.format(pk=goals.pk), "/p/midori/", "/p/midori/summary/"):
        with django_assert_max_num_queries(1):
            response = client.get(url, HTTP_ACCEPT_LANGUAGE="ja")
        assert response.status_code == 200, url
        assert response["Content-Type"] == "text/html; charset=utf-8"
        assert "csrfmiddlewaretoken" not in response.content.decode(), url
        assert client.get(url, HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304
    english = client.get(REPORT.format(pk=goals.pk), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'lang="en"' in english and "Downloads" in english


def test_the_page_shows_each_download_with_its_size(
    client: Client, published: dict[str, Publication]
) -> None:
    goals = published["goals"]
    page = client.get(REPORT.format(pk=goals.pk), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    for artefact in Artefact.objects.filter(publication=goals).exclude(key__startswith="page:"):
        assert filesize(artefact.size) in page, artefact.key
    pdf = Artefact.objects.get(publication=goals, key="pdf")
    assert f'href="{REPORT.format(pk=goals.pk)}download.pdf"' in page
    assert filesize(pdf.size).endswith("KB")


def test_staff_get_a_page_rendered_for_them(
    client: Client, published: dict[str, Publication], planner: Any
) -> None:
    planner.last_name = "企画 六子"
    planner.save(update_fields=["last_name"])
    client.force_login(planner)
    page = client.get(REPORT.format(pk=published["goals"].pk), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert "企画 六子" in page and "csrfmiddlewaretoken" in page


def test_an_older_revision_page_points_to_the_newer_one(
    client: Client, published: dict[str, Publication], actor: Actor
) -> None:
    first = published["goals"]
    declaration = GoalDeclaration.objects.get()
    goal = declaration.goals.order_by("number").first()
    assert goal is not None
    goal.status_text += "（追記）"
    goal.save(update_fields=["status_text"])
    second = goal_declaration_publish(declaration=declaration, actor=actor)
    assert second.revision == first.revision + 1
    old = client.get(REPORT.format(pk=first.pk), HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert f'href="{REPORT.format(pk=second.pk)}"' in old
    index = client.get("/p/midori/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert REPORT.format(pk=second.pk) in index and REPORT.format(pk=first.pk) not in index


def test_a_revision_without_stored_files_gets_them_on_first_request(
    client: Client, published: dict[str, Publication]
) -> None:
    goals = published["goals"]
    Artefact.objects.filter(publication=goals).delete()
    assert client.get(REPORT.format(pk=goals.pk)).status_code == 200  # rendered live
    response = client.get(f"{REPORT.format(pk=goals.pk)}download.json")
    assert response.status_code == 200
    assert Artefact.objects.filter(publication=goals, key="json").exists()


def test_render_artefacts_renders_again_and_prunes(published: dict[str, Publication], capsys: Any) -> None:
    files = artefacts.storage()
    files.save("00/unused.pdf", __import__("io").BytesIO(b"left over"))
    before = set(Artefact.objects.values_list("key", "sha256"))
    call_command("render_artefacts", "--prune")
    out = capsys.readouterr().out
    assert "2 revisions of 1 municipalities" in out and "unused files removed" in out
    assert not files.exists("00/unused.pdf")
    # The same revisions give the same bytes.
    assert set(Artefact.objects.values_list("key", "sha256")) == before
    for artefact in Artefact.objects.all():
        assert files.exists(artefact.path)


def test_the_language_choice_of_a_citizen(client: Client, published: dict[str, Publication]) -> None:
    url = REPORT.format(pk=published["goals"].pk)
    response = client.get("/language/", {"language": "en", "next": url})
    assert response.status_code == 302 and response["Location"] == url
    assert client.cookies["django_language"].value == "en"
    assert 'lang="en"' in client.get(url).content.decode()
    away = client.get("/language/", {"language": "ja", "next": "https://evil.example/"})
    assert away["Location"] == "/"
    client.get("/language/", {"language": "xx", "next": url})
    assert client.cookies["django_language"].value == "ja"
