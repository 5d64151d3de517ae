"""What a new revision changes against the one citizens see: the publish preview's diff.

Documents are compared as the portal shows them, record by record (a goal by its number,
an initiative by its title), so the planning section reads 「No.3 取組結果: … → …」 rather
than a diff of JSON.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from shinchoku.core.figures import Figure, format_figure


@dataclass(frozen=True)
class Change:
    where: str  # the record: 「No.3 窓口のデジタル化」, 「○市民参加の推進」
    what: str  # the column as the report names it
    old: str  # "" when added
    new: str  # "" when removed


def _figures(items: list[dict[str, Any]]) -> str:
    return "、".join(
        format_figure(
            Figure(Decimal(f["value"]), f["unit"], f["approximate"], f["provisional"], f.get("label", "")),
            style="kanji",
        )
        for f in items
    )


def _goal_fields() -> list[tuple[str, str]]:
    return [
        ("title", _("Goal")),
        ("sections", _("responsible sections")),
        ("content", _("Content")),
        ("target_text", _("Target")),
        ("result_text", _("Result")),
        ("direction_text", _("Direction")),
        ("status_text", _("Achievement status")),
        ("targets", _("Target figures")),
        ("actuals", _("Actual figures")),
    ]


def _goal_values(goal: dict[str, Any]) -> dict[str, str]:
    values = {name: str(goal.get(name) or "") for name, _label in _goal_fields()}
    values["sections"] = "、".join(goal.get("sections", []))
    values["targets"] = _figures(goal.get("targets", []))
    values["actuals"] = _figures(goal.get("actuals", []))
    return values


def _initiative_values(initiative: dict[str, Any]) -> dict[str, str]:
    def bullets(kind: str) -> str:
        return "\n".join(
            f"・{e['text']}（{'・'.join(e['sections'])}）" if e["sections"] else f"・{e['text']}"
            for row in initiative.get("rows", [])
            for e in row.get(kind, [])
        )

    return {
        "guideline_text": initiative.get("guideline_text", ""),
        "classification": "、".join(r.get("classification", "") for r in initiative.get("rows", [])),
        "policy": "\n".join(r.get("policy", "") for r in initiative.get("rows", [])),
        "results": bullets("results"),
        "plans": bullets("plans"),
    }


def _initiative_fields() -> list[tuple[str, str]]:
    return [
        ("guideline_text", _("What the guideline says")),
        ("classification", _("Classification")),
        ("policy", _("Policy")),
        ("results", _("Results")),
        ("plans", _("Plans")),
    ]


def _sheet_fields() -> list[tuple[str, str]]:
    return [
        ("title", _("Policy measure")),
        ("purpose", _("Purpose")),
        ("indicators", pgettext("policy measure", "Indicators")),
        ("projects", _("Main projects")),
        ("internal_grade", _("Internal grade")),
        ("reasons", _("Reasons for the grade")),
        ("issues", _("Issues")),
        ("direction", _("Direction")),
        ("committee_grade", _("Committee's grade")),
        ("committee_opinion", _("Committee's opinion")),
        ("response", _("Response to the committee's opinion")),
    ]


def _sheet_values(sheet: dict[str, Any]) -> dict[str, str]:
    values = {name: str(sheet.get(name) or "") for name, _label in _sheet_fields()}
    values["indicators"] = "\n".join(
        f"{i['name']}：{i.get('actual') or '—'}{i.get('unit', '')}（{i.get('rate') or '—'}%・{i.get('grade') or '—'}）"
        for i in sheet.get("indicators", [])
    )
    values["projects"] = "\n".join(
        f"{p['title']}：{p.get('budget') or '—'}円／{p.get('settlement') or '—'}円 {p.get('result', '')}".rstrip()
        for p in sheet.get("projects", [])
    )
    return values


def _judged(evaluation: dict[str, Any] | None) -> dict[int, str]:
    """Goal number → the published grades of its indicators, as the report prints them."""
    from shinchoku.reports.judgements import judgement_lines

    return {number: "\n".join(lines) for number, lines in judgement_lines(evaluation or {}).items()}


def document_changes(
    old: dict[str, Any] | None,
    new: dict[str, Any],
    *,
    old_evaluation: dict[str, Any] | None = None,
    new_evaluation: dict[str, Any] | None = None,
) -> list[Change]:
    """Every record added, removed or changed from ``old`` (the current revision) to ``new``.

    The judged achievement is compared too (a grade scale or a formula changed since), and
    the report's title and declarer: whatever makes publishing write a new revision shows.
    """
    changes: list[Change] = []
    heading = str(_("The report"))
    if old is not None and old.get("title", "") != new.get("title", ""):
        changes.append(Change(heading, str(_("Title")), old.get("title", ""), new.get("title", "")))
    if old is not None and old.get("declarer") != new.get("declarer"):
        declarer = [
            " ".join(filter(None, (d or {}).values())) for d in (old.get("declarer"), new.get("declarer"))
        ]
        changes.append(Change(heading, str(_("Declarer")), declarer[0], declarer[1]))
    values: Callable[[dict[str, Any]], dict[str, str]]
    if new.get("kind") == "goal_declaration":
        records_old = {g["number"]: g for g in (old or {}).get("goals", [])}
        records_new = {g["number"]: g for g in new.get("goals", [])}
        fields, values = _goal_fields(), _goal_values

        def name(key: Any, record: dict[str, Any]) -> str:
            return f"No.{key} {record.get('title', '')}"

    elif new.get("kind") == "policy_evaluation":
        records_old = {s["label"]: s for s in (old or {}).get("sheets", [])}
        records_new = {s["label"]: s for s in new.get("sheets", [])}
        fields, values = _sheet_fields(), _sheet_values

        def name(key: Any, record: dict[str, Any]) -> str:
            return f"{key} {record.get('title', '')}"

    else:
        records_old = {i["title"]: i for i in (old or {}).get("initiatives", [])}
        records_new = {i["title"]: i for i in new.get("initiatives", [])}
        fields, values = _initiative_fields(), _initiative_values

        def name(key: Any, record: dict[str, Any]) -> str:
            return str(key)

    for key, record in records_new.items():
        before = records_old.get(key)
        after_values = values(record)
        before_values = values(before) if before else {}
        for field, label in fields:
            if after_values[field] != before_values.get(field, ""):
                changes.append(
                    Change(name(key, record), label, before_values.get(field, ""), after_values[field])
                )
    for key, record in records_old.items():
        if key not in records_new:
            changes.append(Change(name(key, record), _("(removed)"), name(key, record), ""))
    if new.get("kind") == "goal_declaration":
        before, after = _judged(old_evaluation if old is not None else {}), _judged(new_evaluation)
        for number in sorted(set(before) | set(after)):
            if before.get(number, "") != after.get(number, ""):
                record = records_new.get(number) or records_old.get(number) or {}
                changes.append(
                    Change(
                        name(number, record),
                        str(_("Achievement (computed)")),
                        before.get(number, ""),
                        after.get(number, ""),
                    )
                )
    return changes
