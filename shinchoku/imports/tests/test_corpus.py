"""Documents the importer has never seen: a corpus of other writers' reports (issue 11).

Every ``corpus/<name>.txt`` is a hand-written document of a fictional municipality in
one of the two layouts (goal declaration report, guideline progress table), as text
extracted from a PDF, in the encoding and line breaks its writer's tools produced.
``corpus/<name>.expected.json`` states what a correct import must yield, written by
hand from the document and never from a parser's output. It is a subset of
``to_json()``: each key present is compared, field by field, and the test prints every
field that differs. Two conventions:

* texts are compared without their blanks and line breaks: where the PDF wrapped a
  line, and whether the parser keeps the gap of ``件数  900件``, are not facts of the
  document; the words, their order and their column are;
* ``municipality`` is not a field of ``to_json()``: the named municipality must be
  found in the head of the parsed document (the declaration's title and declarer,
  or the guideline's name), where the ownership check looks for it.

Documents the parser does not read correctly today are listed in ``KNOWN_FAILURES``
with the current failure in one line. They are strict xfails: when the parser is
fixed, the test passes unexpectedly and fails the run until the entry is removed.
``corpus/README.md`` lists the variety each document covers.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import pytest

from shinchoku.documents.schema import ImportFormatError
from shinchoku.imports.municipality_names import Scan, find_names, name_key
from shinchoku.imports.reading import parse_bytes

CORPUS = Path(__file__).resolve().parent / "corpus"
DOCUMENTS = sorted(path.name.removesuffix(".txt") for path in CORPUS.glob("*.txt"))

# Document → today's failure, in one line ("refused: …" for an ImportFormatError,
# "wrong data: …" for an import that yields other facts than the expected ones).
KNOWN_FAILURES: dict[str, str] = {
    # refused today (ImportFormatError)
    # imported with wrong data today
}

_MAX_DIFFS = 40


class DocumentRefused(AssertionError):
    """The importer raised ImportFormatError on a document a correct importer reads."""


class WrongData(AssertionError):
    """The importer read the document but yielded other facts than the expected ones."""


def _params() -> list[Any]:
    params = []
    for name in DOCUMENTS:
        marks = []
        if name in KNOWN_FAILURES:
            reason = KNOWN_FAILURES[name]
            # A document that moves from refused to wrong data (or back) fails the run too.
            raises = DocumentRefused if reason.startswith("refused: ") else WrongData
            marks.append(pytest.mark.xfail(strict=True, raises=raises, reason=reason))
        params.append(pytest.param(name, id=name, marks=marks))
    return params


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "..."


def _same_scalar(expected: Any, actual: Any, key: str) -> bool:
    if isinstance(expected, str) and isinstance(actual, str):
        if key == "value":
            try:
                return Decimal(expected) == Decimal(actual)
            except InvalidOperation:
                return False
        return _squash(expected) == _squash(actual)
    return expected == actual and type(expected) is type(actual)


def compare(expected: Any, actual: Any, path: str = "", key: str = "") -> list[str]:
    """Every difference between the expected facts and the parser's JSON, one line each."""
    where = path or "document"
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{where}: expected an object, got {_show(actual)}"]
        diffs = []
        for name, value in expected.items():
            if name not in actual:
                diffs.append(f"{path}.{name}: missing (expected {_show(value)})")
            else:
                diffs += compare(value, actual[name], f"{path}.{name}" if path else name, name)
        return diffs
    if isinstance(expected, list):
        if not isinstance(actual, list):
            return [f"{where}: expected a list, got {_show(actual)}"]
        diffs = []
        if len(expected) != len(actual):
            diffs.append(f"{where}: expected {len(expected)} items, got {len(actual)}")
        for index, (want, got) in enumerate(zip(expected, actual, strict=False)):
            diffs += compare(want, got, f"{where}[{index}]", key)
        return diffs
    if not _same_scalar(expected, actual, key):
        return [f"{where}:\n    expected {_show(expected)}\n    got      {_show(actual)}"]
    return []


def _head(data: dict[str, Any]) -> str:
    if data["kind"] == "goal_declaration":
        return f"{data['title']} {data['declarer']['position']}"
    return data["guideline"]


def check_document(name: str) -> list[str]:
    """The differences between ``name``'s expected facts and its import, as printable lines."""
    raw = (CORPUS / f"{name}.txt").read_bytes()
    expected = json.loads((CORPUS / f"{name}.expected.json").read_text(encoding="utf-8"))
    try:
        document = parse_bytes(raw, source=f"{name}.txt")
    except ImportFormatError as error:
        return [f"refused: {error}"]
    actual = json.loads(json.dumps(document.to_json(), ensure_ascii=False))
    expected = dict(expected)
    municipality = expected.pop("municipality", None)
    diffs = compare(expected, actual)
    if municipality is not None:
        found = {name_key(f.name) for f in find_names(_head(actual), [municipality], Scan.HEAD)}
        if name_key(municipality) not in found:
            diffs.insert(0, f"municipality: {municipality} not in the head {_show(_head(actual))}")
    return diffs


@pytest.mark.parametrize("name", _params())
def test_corpus_document(name: str) -> None:
    diffs = check_document(name)
    if diffs and diffs[0].startswith("refused: "):
        raise DocumentRefused(f"{name}: {diffs[0]}")
    if diffs:
        shown = diffs[:_MAX_DIFFS]
        more = len(diffs) - len(shown)
        report = "\n".join(shown) + (f"\n… and {more} more differences" if more else "")
        raise WrongData(f"{name}: {len(diffs)} difference(s) from the expected facts\n{report}")


def test_corpus_is_complete() -> None:
    """Every document has its expected facts, every known failure a document, README a line each."""
    assert len(DOCUMENTS) >= 22
    expected_files = sorted(p.name.removesuffix(".expected.json") for p in CORPUS.glob("*.expected.json"))
    assert expected_files == DOCUMENTS
    assert sorted(set(KNOWN_FAILURES) - set(DOCUMENTS)) == []
    readme = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert [name for name in DOCUMENTS if f"`{name}`" not in readme] == []
    for reason in KNOWN_FAILURES.values():
        assert reason.startswith(("refused: ", "wrong data: ")) and "\n" not in reason
