"""The history page reads as Japanese (issue 10): distinct column headers, fiscal years in 和暦,
every field named, no internal order field, dates on one line."""

from __future__ import annotations

import re

from django.test import Client

from shinchoku.organizations.models import Section
from shinchoku.progress.models import ProgressEntry
from shinchoku.workflow.models import CollectionRound


def test_history_columns_years_and_fields_read_as_japanese(
    client: Client, guideline_round: CollectionRound, section: Section, staff
) -> None:  # type: ignore[no-untyped-def]
    entry = ProgressEntry.objects.filter(
        kind=ProgressEntry.Kind.RESULT,
        row__fiscal_year=guideline_round.fiscal_year,
        responsibles__section=section,
    ).first()
    assert entry is not None
    client.force_login(staff)
    base = f"/m/midori/rounds/{guideline_round.pk}/sections/{section.pk}/"
    client.post(f"{base}rows/{entry.row_id}/entries/", {"kind": "result", "text": "新しい実績。"})
    page = client.get(f"{base}history/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    head = page[page.index("<thead>") : page.index("</thead>")]
    headers = re.findall(r"<th[^>]*>([^<]+)</th>", head)
    assert len(headers) == len(set(headers)), headers  # 対象 and 項目, not 項目 twice
    assert "対象" in headers and "項目" in headers
    body = page[page.index("<tbody>") : page.index("</tbody>")]
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", body, re.S)]
    assert "新しい実績。" in cells
    assert "(その他)" not in cells and "（その他）" not in cells  # the responsible sections are named
    assert "担当" in cells
    assert "順序" not in cells  # a new entry's place in the list is not shown
    assert str(guideline_round.fiscal_year) not in cells and "令和7年度" in cells  # the entry's year
    assert re.search(r'<td class="nowrap">令和\d+年\d+月\d+日 \d\d:\d\d</td>', body)


def test_a_move_is_still_in_the_history(
    client: Client, guideline_round: CollectionRound, section: Section, staff
) -> None:  # type: ignore[no-untyped-def]
    entry = ProgressEntry.objects.filter(
        kind=ProgressEntry.Kind.RESULT,
        row__fiscal_year=guideline_round.fiscal_year,
        responsibles__section=section,
    ).first()
    assert entry is not None
    client.force_login(staff)
    base = f"/m/midori/rounds/{guideline_round.pk}/sections/{section.pk}/"
    client.post(f"{base}rows/{entry.row_id}/entries/", {"kind": "result", "text": "二つ目。"})
    added = ProgressEntry.objects.get(text="二つ目。")
    client.post(f"{base}entries/{added.pk}/move/", {"offset": "-1"})
    page = client.get(f"{base}history/", HTTP_ACCEPT_LANGUAGE="ja").content.decode()
    assert page.count('<td class="nowrap">順序</td>') == 2  # both entries moved, one row each
