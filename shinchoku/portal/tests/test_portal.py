"""The public portal: published reports as HTML, downloads in every format, search; drafts never show."""

import csv
import io
import json
import re
from pathlib import Path

import pdfplumber
import pytest
from django.test import Client

from shinchoku.core.audit import Actor
from shinchoku.goals.models import Goal
from shinchoku.imports.services import report_import
from shinchoku.organizations.models import Municipality
from shinchoku.portal.tests.conftest import SEED_000
from shinchoku.publishing.models import Publication, SearchEntry


def test_index_lists_current_publications(client: Client, published: dict[str, Publication]) -> None:
    page = client.get("/p/midori/").content.decode()
    assert "平成28年度 企画部長の目標宣言 達成状況報告" in page
    assert "伊勢原市市民参加推進指針" in page
    assert "平成30年度" in page and "平成28年度" in page


def test_goal_report_page_is_the_published_snapshot(
    client: Client, published: dict[str, Publication]
) -> None:
    page = client.get(f"/p/midori/reports/{published['goals'].pk}/").content.decode()
    assert 'id="goal-8"' in page and "パブリシティの強化" in page
    assert "4,238,714件" in page and "まちづくり市民ファンドの充実" in page
    assert '<th scope="col">' in page and '<th scope="row">' in page


def test_guideline_report_page(client: Client, published: dict[str, Publication]) -> None:
    page = client.get(f"/p/midori/reports/{published['guideline'].pk}/").content.decode()
    assert page.count('<th scope="row" rowspan') == 33
    assert "市野球協会学童部・国際交流委員会" in page
    assert "今後、市民による推進組織で議論し、確定する。" in page  # the legend


def test_drafts_never_appear_in_pages_downloads_or_search(
    client: Client,
    published: dict[str, Publication],
    municipality: Municipality,
    actor: Actor,
    seeds_dir: Path,
) -> None:
    draft = (
        (seeds_dir / SEED_000).read_text(encoding="utf-8").replace("パブリシティの強化", "未公開の下書き取組")
    )
    report_import(municipality=municipality, data=draft.encode(), source="draft.txt", actor=actor)
    assert Goal.objects.filter(title="未公開の下書き取組").exists()
    pk = published["goals"].pk
    for url in [
        "/p/midori/",
        f"/p/midori/reports/{pk}/",
        f"/p/midori/reports/{pk}/download.json",
        f"/p/midori/reports/{pk}/download.csv?table=goals",
    ]:
        assert "未公開の下書き" not in client.get(url).content.decode("utf-8-sig"), url
    with pdfplumber.open(io.BytesIO(client.get(f"/p/midori/reports/{pk}/download.pdf").content)) as pdf:
        assert "未公開の下書き" not in "".join(page.extract_text() or "" for page in pdf.pages)
    search = client.get("/p/midori/search/", {"q": "未公開の下書き"}).content.decode()
    assert "<mark>" not in search and "パブリシティの強化" not in search


def test_csv_is_open_data(client: Client, published: dict[str, Publication]) -> None:
    response = client.get(f"/p/midori/reports/{published['goals'].pk}/download.csv?table=figures")
    assert response["Content-Type"].startswith("text/csv")
    assert response.content.startswith("\ufeff".encode())
    assert 'rel="license"' in response["Link"]
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    views = next(r for r in rows if r["値"] == "4238714")
    assert (views["年度"], views["年度（和暦）"], views["単位"], views["区分"]) == (
        "2016",
        "平成28年度",
        "件",
        "実績",
    )
    entries = client.get(f"/p/midori/reports/{published['guideline'].pk}/download.csv?table=entries")
    lines = list(csv.DictReader(io.StringIO(entries.content.decode("utf-8-sig"))))
    assert (
        sum(1 for r in lines if r["種別"] == "実績") == 66
        and sum(1 for r in lines if r["種別"] == "予定") == 54
    )
    assert client.get(f"/p/midori/reports/{published['goals'].pk}/download.csv?table=nope").status_code == 404


def test_json_is_versioned(client: Client, published: dict[str, Publication]) -> None:
    data = json.loads(client.get(f"/p/midori/reports/{published['goals'].pk}/download.json").content)
    assert data["schema"] == "shinchoku/goal_declaration" and data["schema_version"] == 1
    assert "CC BY 4.0" in data["license"]
    assert data["document"]["goals"][6]["actuals"][0]["value"] == "4238714"


def test_downloaded_xlsx_reimports_to_the_same_records(
    client: Client, published: dict[str, Publication], municipality: Municipality, actor: Actor
) -> None:
    for key in ("goals", "guideline"):
        data = client.get(f"/p/midori/reports/{published[key].pk}/download.xlsx").content
        result = report_import(municipality=municipality, data=data, source=f"{key}.xlsx", actor=actor)
        assert not result.summary.changed, result.summary.details


def test_pdf_download_has_the_computed_grade_beside_the_stated_status(
    client: Client, published: dict[str, Publication], municipality: Municipality, actor: Actor
) -> None:
    response = client.get(f"/p/midori/reports/{published['goals'].pk}/download.pdf")
    assert response["Content-Type"] == "application/pdf" and response.content.startswith(b"%PDF")
    with pdfplumber.open(io.BytesIO(response.content)) as pdf:
        text = "".join((page.extract_text() or "").replace(" ", "") for page in pdf.pages)
    # Columns interleave in extracted text: look for the pieces, not the whole line.
    assert text.count("【評価】") == 13 and "概ね達成" in text and "評価待ち" in text
    # The marked lines are the system's: reading the PDF back leaves the stated status as it was.
    parsed = report_import(
        municipality=municipality, data=response.content, source="published.pdf", actor=actor, dry_run=True
    ).document
    goal7 = next(g for g in parsed.goals if g.number == 7)  # type: ignore[union-attr]
    assert "【評価】" not in goal7.status_text and goal7.status_text.endswith("398件")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("市債残高", "市債残高の縮減"),
        ("財政", "財政調整基金"),
        ("ＣＭＳ機能", "CMS機能"),
        ("パブリックコメント 都市政策課", "パブリックコメント"),
    ],
)
def test_search_finds_and_highlights(
    client: Client, published: dict[str, Publication], query: str, expected: str
) -> None:
    page = client.get("/p/midori/search/", {"q": query}).content.decode()
    assert "<mark>" in page
    assert expected in page.replace("<mark>", "").replace("</mark>", "")


def test_search_filters(client: Client, published: dict[str, Publication]) -> None:
    page = client.get("/p/midori/search/", {"q": "実施", "year": "2016"}).content.decode()
    assert "第5次総合計画" in page and "市民モニター制度" not in page
    page = client.get(
        "/p/midori/search/", {"q": "実施", "year": "2018", "section": "都市政策課"}
    ).content.decode()
    assert "パブリックコメント制度" in page and "市民満足度調査" not in page


def test_search_results_come_a_page_at_a_time(
    client: Client, published: dict[str, Publication], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of results, cut in the database: together they are the whole list, in order."""
    from shinchoku.portal import views
    from shinchoku.publishing import selectors

    municipality = next(iter(published.values())).municipality
    everything = [h.entry.pk for h in selectors.search(municipality, "実施")]
    assert len(everything) > 4
    monkeypatch.setattr(views, "SEARCH_PAGE", 2)
    seen: list[str] = []
    address = "/p/midori/search/?q=%E5%AE%9F%E6%96%BD"
    for number in range(1, 4):
        page = client.get(address, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        first = 2 * number - 1
        assert f"Results {first}–{first + 1} for" in page and f'<ol class="hits" start="{first}">' in page
        seen += re.findall(r'<li>\s*<a href="/p/midori/reports/\d+/#([^"]+)"', page)
        assert ("Previous 20 results" in page) == (number > 1)
        found = re.search(r'href="\?([^"]+)" rel="next"', page)
        assert found is not None
        address = "/p/midori/search/?" + found.group(1).replace("&amp;", "&")
        assert f"page={number + 1}" in address and "q=" in address
    anchors = {e.pk: e.anchor for e in SearchEntry.objects.filter(pk__in=everything[:6])}
    assert seen == [anchors[pk] for pk in everything[:6]]
    # A page past the last result says there is none (not "results 41–40").
    few = selectors.search(municipality, "市債残高")
    assert 0 < len(few) <= 2
    page = client.get("/p/midori/search/", {"q": "市債残高", "page": "2"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "0 results for" in page.content.decode() and "Results " not in page.content.decode()


def test_search_escapes_the_query(client: Client, published: dict[str, Publication]) -> None:
    page = client.get("/p/midori/search/", {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_another_municipalitys_report_is_not_reachable_through_our_slug(
    client: Client, published: dict[str, Publication], other_municipality: Municipality
) -> None:
    assert client.get(f"/p/sora/reports/{published['goals'].pk}/").status_code == 404
    assert client.get(f"/p/sora/reports/{published['goals'].pk}/download.pdf").status_code == 404
    assert "<mark>" not in client.get("/p/sora/search/", {"q": "市債残高"}).content.decode()


def test_unknown_format_is_404(client: Client, published: dict[str, Publication]) -> None:
    assert client.get(f"/p/midori/reports/{published['goals'].pk}/download.exe").status_code == 404


def test_portal_pages_run_a_bounded_number_of_queries(
    client: Client, published: dict[str, Publication], django_assert_max_num_queries
) -> None:
    for url in ["/p/midori/", f"/p/midori/reports/{published['guideline'].pk}/", "/p/midori/search/?q=市民"]:
        with django_assert_max_num_queries(10):
            assert client.get(url).status_code == 200


def test_goal_report_shows_the_published_judgement(client: Client, published: dict[str, Publication]) -> None:
    evaluation = published["goals"].evaluation
    assert evaluation["rollup"]["graded"] == 11
    page = client.get(
        f"/p/midori/reports/{published['goals'].pk}/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "<strong>概ね達成</strong>（94.2%）" in page and "<strong>達成</strong>（132.7%）" in page
    assert "awaiting a person's grade" in page


def test_search_by_grade(client: Client, published: dict[str, Publication]) -> None:
    page = client.get("/p/midori/search/", {"q": "ページビュー", "grade": "概ね達成"}).content.decode()
    assert "広報活動の充実" in page
    page = client.get("/p/midori/search/", {"q": "財政", "grade": "概ね達成"}).content.decode()
    assert "<mark>" not in page
    page = client.get("/p/midori/search/", {"q": "財政", "grade": "達成"}).content.decode()
    assert "財政調整基金残高の確保" in page


def test_summary_page_has_charts_with_text_alternatives_and_a_table(
    client: Client, published: dict[str, Publication]
) -> None:
    page = client.get("/p/midori/summary/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count('role="img"') == 2 and '<desc id="chart-trend-desc">平成28年度: 11 of 11</desc>' in page
    assert '<th scope="row"><a href=' in page and "100.0%" in page
    rows = list(
        csv.DictReader(io.StringIO(client.get("/p/midori/summary/?format=csv").content.decode("utf-8-sig")))
    )
    assert rows == [
        {**rows[0], "年度": "2016", "部": "企画部", "評価済み": "11", "基準以上": "11", "評価待ち": "2"}
    ]
    assert client.get("/p/midori/summary/?format=exe").status_code == 404
    assert client.get("/p/midori/summary/?format=pdf").content.startswith(b"%PDF")
    assert client.get("/p/midori/summary/?format=xlsx").content.startswith(b"PK")
    assert json.loads(client.get("/p/midori/summary/?format=json").content)["rows"][0]["share"] == "100.0"


def test_summary_without_publications(client: Client, municipality: Municipality) -> None:
    assert client.get("/p/midori/summary/").status_code == 200
