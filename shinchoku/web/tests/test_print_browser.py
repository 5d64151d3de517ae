"""Printing a report page from the browser gives the PDF's layout (static/css/print.css, issue 10).

Chromium prints each published report of both seeds to PDF as a person's 印刷 would; the result is
read back with pdfplumber and compared with the PDF download of the same revision
(reports/pdf.py): the same A4 landscape pages, 8.5 pt text in BIZ UD type, the table header
repeated on every page, 「n / N」 at the foot, nothing of the site around the report (navigation,
contents, downloads, footer), every row of the report, and about as many pages.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from typing import Any

import pdfplumber
import pytest

from shinchoku.web.tests.test_design_browser import published  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

A4_LANDSCAPE = (841.9, 595.3)
# What surrounds a report on screen, and must not be printed.
SITE_WORDS = ("ログイン", "ダウンロード", "目次", "パンくず", "利用条件", "お問い合わせ", "ページの先頭へ")
HEADERS = {"goals": ("取組内容", "達成目標"), "guideline": ("基本的な取り組み", "区分")}


def _read(data: bytes) -> dict[str, Any]:
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        sizes = Counter(round(c["size"], 1) for page in pdf.pages for c in page.chars)
        fonts = {c["fontname"].split("+")[-1] for page in pdf.pages for c in page.chars}
        return {
            "pages": [page.extract_text() or "" for page in pdf.pages],
            "size": (round(pdf.pages[0].width, 1), round(pdf.pages[0].height, 1)),
            "body_size": sizes.most_common(1)[0][0],
            "fonts": fonts,
        }


def test_a_printed_report_page_matches_the_pdf(page, published) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    for kind, publication in published.items():
        url = f"/p/midori/reports/{publication.pk}/"
        page.goto(url)
        page.emulate_media(media="print")
        printed = _read(page.pdf(prefer_css_page_size=True, print_background=True))
        download = page.request.get(f"{url}download.pdf")
        assert download.ok, kind
        ours = _read(download.body())

        assert printed["size"] == pytest.approx(A4_LANDSCAPE, abs=1), kind
        assert printed["size"] == pytest.approx(ours["size"], abs=1), kind
        assert printed["body_size"] == ours["body_size"] == 8.5, kind
        assert all(font.startswith("BIZUDPGothic") for font in printed["fonts"]), printed["fonts"]
        total = len(printed["pages"])
        # One column more (the computed grade) may cost a page; never twice the paper.
        assert abs(total - len(ours["pages"])) <= max(1, len(ours["pages"]) // 3), (kind, total)
        for number, text in enumerate(printed["pages"], start=1):
            lines = text.splitlines()
            assert lines[-1].strip() == f"{number} / {total}", (kind, number, lines[-1])
            # The legend of 区分 may stand alone on the last page, under its own header.
            legend_only = kind == "guideline" and lines[0].startswith("区分の説明")
            if not legend_only:
                for header in HEADERS[kind]:
                    assert header in text, f"{kind} page {number}: the table header is not repeated"
            for word in SITE_WORDS:
                assert word not in text, f"{kind} page {number}: {word!r} of the site is printed"
        whole = re.sub(r"\s", "", "".join(printed["pages"]))
        assert publication.title.replace(" ", "") in whole, kind
        # Every row, by the start of its title (the text of a cell is read back line by line,
        # interleaved with its neighbours', so only a title's first line reads whole).
        page.emulate_media(media="screen")
        titles = page.locator("table.report tbody th[scope=row]").all_inner_texts()
        assert titles, kind
        for title in titles:
            assert re.sub(r"\s", "", title)[:5] in whole, (kind, title)
