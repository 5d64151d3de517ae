"""portal_export: the public portal as plain files (issue 12)."""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command

from shinchoku.core.audit import Actor
from shinchoku.goals.models import GoalDeclaration
from shinchoku.portal.export import MANIFEST, portal_export
from shinchoku.publishing import artefacts
from shinchoku.publishing.models import Artefact, Publication, SearchEntry

LINK = re.compile(r'\b(?:href|src|action)="([^"]*)"')


def _export(municipality: Any, target: Path, **kwargs: Any) -> Any:
    return portal_export(municipality, target, **kwargs)


def test_every_page_download_and_link_of_the_copy(
    published: dict[str, Publication], municipality: Any, tmp_path: Path
) -> None:
    result = _export(municipality, tmp_path, base_url="https://www.city.example.lg.jp/shinchoku")
    names = {p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*") if p.is_file()}
    goals, guideline = published["goals"].pk, published["guideline"].pk
    for prefix in ("", "en/"):
        for page in ("index.html", "summary/index.html", "search/index.html"):
            assert f"{prefix}{page}" in names
        for pk in (goals, guideline):
            assert f"{prefix}reports/{pk}/index.html" in names
    assert {f"reports/{goals}/download-goals.csv", f"reports/{guideline}/download-entries.csv"} <= names
    assert {"search-index.json", "catalog.json", "sitemap.xml", "static/js/portal-search.js"} <= names
    assert any(n.endswith(".woff2") for n in names), "the CSS's fonts are copied"
    assert result.files == len(names) - 1  # and the manifest
    # The downloads are the bytes rendered at publishing.
    pdf = Artefact.objects.get(publication=published["goals"], key="pdf")
    assert (tmp_path / f"reports/{goals}/download.pdf").read_bytes() == artefacts.read(pdf)
    # Every link of every page leads to a file of the copy (or a fragment, or outside).
    dead = []
    for name in sorted(n for n in names if n.endswith(".html")):
        html = (tmp_path / name).read_text()
        assert "/p/midori/" not in html and 'href="/' not in html and 'src="/' not in html, name
        assert "csrfmiddlewaretoken" not in html, name
        assert 'href="#"' not in html, f"{name}: a link to the server left dead in the copy"
        for url in LINK.findall(html):
            if url.startswith(("#", "http:", "https:", "data:", "mailto:")):
                continue
            path = re.split(r"[?#]", url)[0]
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), path))
            if target not in names:
                dead.append(f"{name}: {url}")
    assert not dead, dead
    sitemap = (tmp_path / "sitemap.xml").read_text()
    assert f"<loc>https://www.city.example.lg.jp/shinchoku/reports/{goals}/index.html</loc>" in sitemap
    catalog = json.loads((tmp_path / "catalog.json").read_text())
    assert len(catalog["dcat:dataset"]) == 2
    sizes = {
        d["dcat:downloadURL"]: d["dcat:byteSize"]
        for s in catalog["dcat:dataset"]
        for d in s["dcat:distribution"]
    }
    assert sizes[f"https://www.city.example.lg.jp/shinchoku/reports/{goals}/download.pdf"] == pdf.size


def test_a_second_run_writes_only_what_changed(
    published: dict[str, Publication], municipality: Any, tmp_path: Path, actor: Actor, capsys: Any
) -> None:
    first = _export(municipality, tmp_path)
    assert first.written and not first.unchanged
    foreign = tmp_path / "city-banner.png"
    foreign.write_bytes(b"the city's own file")
    again = _export(municipality, tmp_path)
    assert again.written == [] and again.removed == [] and again.unchanged == first.files
    # A new revision: its pages and files, the index, the summary and the older revision's page
    # (it now points to the new one) change; the rest is left as it was.
    declaration = GoalDeclaration.objects.get()
    goal = declaration.goals.order_by("number").first()
    assert goal is not None
    goal.status_text += "（追記）"
    goal.save(update_fields=["status_text"])
    from shinchoku.publishing.services import goal_declaration_publish

    newer = goal_declaration_publish(declaration=declaration, actor=actor)
    third = _export(municipality, tmp_path)
    assert f"reports/{newer.pk}/index.html" in third.written
    assert f"reports/{published['goals'].pk}/index.html" in third.written
    assert f"reports/{published['guideline'].pk}/download.pdf" not in third.written
    assert "static/css/base.css" not in third.written
    assert foreign.read_bytes() == b"the city's own file"
    manifest = json.loads((tmp_path / MANIFEST).read_text())["files"]
    assert "city-banner.png" not in manifest and "index.html" in manifest
    call_command("portal_export", "--municipality", municipality.code, "-o", str(tmp_path))
    assert "0 written" in capsys.readouterr().out


def test_a_file_an_earlier_run_wrote_is_removed_when_gone(
    published: dict[str, Publication], municipality: Any, tmp_path: Path
) -> None:
    _export(municipality, tmp_path)
    manifest = json.loads((tmp_path / MANIFEST).read_text())
    (tmp_path / "reports/999/index.html").parent.mkdir(parents=True)
    (tmp_path / "reports/999/index.html").write_text("withdrawn")
    manifest["files"].append("reports/999/index.html")
    (tmp_path / MANIFEST).write_text(json.dumps(manifest))
    result = _export(municipality, tmp_path)
    assert result.removed == ["reports/999/index.html"]
    assert not (tmp_path / "reports/999/index.html").exists()


def test_drafts_never_reach_the_copy(
    published: dict[str, Publication], municipality: Any, tmp_path: Path
) -> None:
    """A change made after publishing, not yet published, is in no file of the copy."""
    goal = GoalDeclaration.objects.get().goals.order_by("number").first()
    assert goal is not None
    draft = "未公表の下書き文言ＺＺＱ"
    goal.result_text = draft
    goal.save(update_fields=["result_text"])
    _export(municipality, tmp_path)
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert draft.encode() not in path.read_bytes(), path


def test_the_search_index_holds_what_the_server_searches(
    published: dict[str, Publication], municipality: Any, tmp_path: Path
) -> None:
    _export(municipality, tmp_path)
    index = json.loads((tmp_path / "search-index.json").read_text())
    server = list(
        SearchEntry.objects.filter(municipality=municipality, publication__is_current=True)
        .order_by("-fiscal_year", "id")
        .values_list("publication_id", "anchor", "body")
    )
    assert [(e["publication"], e["anchor"], e["body"]) for e in index["entries"]] == server
    assert "①" in index["preserved"] and "…" in index["preserved"] and "Ａ" not in index["preserved"]


@pytest.mark.parametrize("missing", ["--output"])
def test_the_command_needs_an_output(missing: str, municipality: Any) -> None:
    with pytest.raises(Exception, match="output"):
        call_command("portal_export", "--municipality", municipality.code)
