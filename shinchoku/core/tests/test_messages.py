"""Messages made in one language and shown in another: every reader's reason has its Japanese.

The readers' refusals and the bounds of an upload are :class:`Message` objects (an English
template and its parameters), translated where they are shown. A template written without
a Japanese translation would put English on a Japanese screen: the catalog test below finds
every template in the code and fails for one that the compiled catalog does not translate.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

from shinchoku.core.messages import Message, message
from shinchoku.documents.schema import ImportFormatError

PACKAGE = Path(__file__).resolve().parents[2]
_PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def message_templates() -> dict[str, list[str]]:
    """Every template given to the marker (``_`` imported from shinchoku.core.messages) or to ``Message``.

    Returns template → the places (``path:line``) that write it. A call whose template is
    not a string literal cannot be extracted by ``makemessages``: it is listed under ``""``.
    """
    found: dict[str, list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        if "tests" in path.parts or "migrations" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        if "shinchoku.core.messages" not in source:
            continue
        tree = ast.parse(source)
        markers = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "shinchoku.core.messages"
            for alias in node.names
            if alias.name in ("message", "Message")
        }
        for node in ast.walk(tree):
            if not (
                isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in markers
            ):
                continue
            place = f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
            argument = node.args[0] if node.args else None
            if (
                node.func.id == "Message"
                and isinstance(argument, ast.Call)
                and isinstance(argument.func, ast.Name)
                and argument.func.id == "gettext_noop"
            ):
                argument = argument.args[0]
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                found.setdefault(argument.value, []).append(place)
            elif node.func.id != "Message":  # Message(label) of a msgid kept elsewhere is fine
                found.setdefault("", []).append(place)
    return found


def test_the_templates_are_found() -> None:
    templates = message_templates()
    assert "the file is empty" in templates  # shinchoku.imports.reading
    assert "goal number %(number)s does not follow goal %(previous)s" in templates
    assert "no initiative rows (○…)" in templates  # the guideline progress reader
    assert "The file is %(size)s; files up to %(limit)s are accepted." in templates  # the upload bounds
    assert len(templates) > 100


def test_every_template_is_a_literal_that_makemessages_extracts() -> None:
    assert message_templates().get("", []) == []


def test_every_template_has_a_japanese_translation_that_fits_its_parameters() -> None:
    """A new English-only reason fails here: add it with its Japanese to the catalog (build/po/)."""
    untranslated, unfit = [], []
    with translation.override("ja"):
        for template, places in sorted(message_templates().items()):
            if not template:
                continue
            japanese = gettext(template)
            if japanese == template:
                untranslated.append(f"{places[0]}: {template}")
                continue
            names = set(_PLACEHOLDER.findall(template))
            try:
                japanese % dict.fromkeys(names, "x")
            except (KeyError, TypeError, ValueError):
                unfit.append(f"{places[0]}: {japanese}")
                continue
            if set(_PLACEHOLDER.findall(japanese)) != names:
                unfit.append(f"{places[0]}: {japanese}")
    assert untranslated == [], "English only:\n" + "\n".join(untranslated)
    assert unfit == [], "translations that do not fit their parameters:\n" + "\n".join(unfit)


def test_a_message_is_translated_when_shown_and_english_in_str_of_its_error() -> None:
    reason = message("goal number %(number)s does not follow goal %(previous)s", number=5, previous=9)
    error = ImportFormatError(reason, source="goals.txt", line=463)
    assert str(error) == "goals.txt, line 463: goal number 5 does not follow goal 9"
    with translation.override("ja"):
        assert str(error) == "goals.txt, line 463: goal number 5 does not follow goal 9"  # for the logs
        assert error.text() == "goals.txt 463行目：目標番号5が目標9の後にあります。番号は順に大きくなります"
    with translation.override("en"):
        assert error.text() == str(error)


def test_a_message_travels_as_json_with_the_messages_inside_it() -> None:
    goal = message("goal %(number)s (%(title)s)", number=3, title="財政の健全化")
    reason = message("%(goal)s: expected one [目標値] marker, found %(count)s", goal=goal, count=0)
    error = ImportFormatError(reason, source="goals.txt", line=121)
    kept = error.to_json()
    assert kept["reason"] == "goal 3 (財政の健全化): expected one [目標値] marker, found 0"
    again = ImportFormatError.from_json(kept, source="goals.txt")
    assert again.message == reason and again.line == 121 and str(again) == str(error)
    with translation.override("ja"):
        assert "目標3（財政の健全化）" in again.text() and "121行目" in again.text()


def test_a_reason_kept_before_messages_is_shown_as_it_was() -> None:
    kept = {"reason": "the file is 100% wrong", "line": 2, "cell": None}
    error = ImportFormatError.from_json(kept, source="old.txt")
    assert error.message == Message.verbatim("the file is 100% wrong")
    assert str(error) == "old.txt, line 2: the file is 100% wrong"


def test_a_translation_that_does_not_fit_falls_back_to_the_english() -> None:
    # A parameter missing from the call (a mistake in the code): the template as written, not an error page.
    assert str(message("page %(page)s: goal %(number)s has no title", page=2)) == (
        "page %(page)s: goal %(number)s has no title"
    )


@pytest.mark.parametrize("language", ["ja", "en"])
def test_percent_signs_are_written_twice(language: str) -> None:
    with translation.override(language):
        assert "%PDF-" in str(message("not a PDF file (no %%PDF- signature at the start)"))
