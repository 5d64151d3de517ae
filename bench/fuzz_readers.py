"""Fuzz every reader of uploaded files: each input ends in a result or a clear error, never a crash.

    SHINCHOKU_ENV=development .venv/bin/python bench/fuzz_readers.py --count 100000 --seed 1
    .venv/bin/python bench/fuzz_readers.py --seed 1 --only 4711        # one input again, with its traceback
    .venv/bin/python bench/fuzz_readers.py --replay build/fuzz/ab12….pdf  # a saved input again

The corpus is made from the project itself: the demo documents, the seeds in
``../shared/seeds`` when present (read, never copied), the PDF and XLSX our report
writers render from them (whole and cut down to one goal or two initiatives, so that
mutating them stays cheap), the organisation master and user samples of
``docs/samples`` as CSV (UTF-8, UTF-8 with BOM, CP932, Excel's UTF-16 text) and as
the XLSX ``master_export`` writes; text documents in UTF-8, with a BOM, with CRLF
and in CP932.

Input ``i`` of seed ``s`` is made by ``random.Random(f"{s}:{i}")`` alone, so a run is
deterministic and any input can be made again (``--only i``) whatever the number of
processes. An input is random bytes (bare or behind a magic number) or a corpus file
put through one to three mutations: truncation, byte flips, insertions of random or
interesting bytes (NUL, ESC, CR, 0xff, UTF-8 fragments, 「」●①…), deletions,
duplicated, repeated or swapped chunks; for text, line shuffles, deletions,
duplications and interesting lines and characters; for XLSX, a part of the zip
mutated (bytes, an attribute, an element, an entity) or dropped, then zipped again;
for PDF, a stream decoded, mutated and encoded again, a dictionary entry, a reference
or the cross-reference table changed, the file cut and its %%EOF put back.

Every input goes to every reader: ``parse_bytes`` with the format detected and with
each explicit format, ``read_table`` with the headers of the organisation master and
of the user roster, ``master_read`` and ``xlsx.looks_like``. A reader passes when it
returns or raises its clear error (``ImportFormatError``; ``TableError``; nothing for
``looks_like``). Anything else is a finding: printed with the reader, the input's
number and making, a short traceback, and the input saved to ``build/fuzz/<hash>.<ext>``.
A call slower than ``--slow`` seconds is flagged; one slower than the import worker's
CPU limit is a finding. The summary gives, per reader, calls, results, clear errors,
findings by type, p50/p99/max time, and the peak RSS of the processes. The exit
status is 1 when there is a finding.

``shinchoku/imports/tests/test_fuzz_readers.py`` runs the same generator for a few
thousand inputs in the test suite.
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import dataclasses
import hashlib
import io
import logging
import os
import random
import re
import resource
import signal
import sys
import time
import traceback
import warnings
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
SHARED_SEEDS = ROOT.parent / "shared" / "seeds"
DEMO_DOCUMENTS = ROOT / "shinchoku" / "demo" / "documents"
SAMPLES = ROOT / "docs" / "samples"
OUT = ROOT / "build" / "fuzz"

MAX_INPUT = (
    2 * 1024 * 1024
)  # generated inputs stay below this (uploads may be 20 MB; the bounds are tested elsewhere)
SAVED_PER_SIGNATURE = 5

# What an input is made from, and how often: text is cheap, PDF is not; each kind gets thousands.
# How many times a line is repeated: up to the size where a parser must keep linear time.
REPEATS = (50, 1000, 20000)
KIND_WEIGHTS = {"random": 8, "text": 32, "csv": 16, "xlsx": 24, "pdf": 20}


# --- the corpus -----------------------------------------------------------------------------


@dataclass
class Seed:
    """A valid file of one format, and what the mutators need to know about it."""

    name: str
    kind: str  # text, csv, xlsx, pdf
    data: bytes
    encoding: str = "utf-8"  # text and CSV
    parts: list[tuple[str, bytes]] = field(default_factory=list)  # XLSX: the zip's parts
    objects: list[tuple[int, bytes]] = field(default_factory=list)  # PDF: (number, body)
    trailer: bytes = b""  # PDF: the trailer dictionary
    weight: float = 1.0

    @property
    def ext(self) -> str:
        return {"text": "txt", "csv": "csv", "xlsx": "xlsx", "pdf": "pdf"}[self.kind]


def _text_variants(name: str, text: str, kind: str) -> Iterator[Seed]:
    text = text.replace("\r\n", "\n")
    yield Seed(f"{name}", kind, text.encode("utf-8"), "utf-8")
    yield Seed(f"{name}+bom", kind, text.encode("utf-8-sig"), "utf-8-sig", weight=0.5)
    yield Seed(f"{name}+crlf", kind, text.replace("\n", "\r\n").encode("utf-8"), "utf-8", weight=0.5)
    with contextlib.suppress(UnicodeEncodeError):  # a character CP932 lacks: no CP932 variant
        yield Seed(f"{name}+cp932", kind, text.encode("cp932"), "cp932")


def build_corpus(*, whole_pdfs: bool = True) -> list[Seed]:
    """Valid inputs of every format, from the project (Django must be set up)."""
    import reportlab.rl_config

    from shinchoku.core.tables import write_csv, write_xlsx
    from shinchoku.documents.schema import ParsedGoalDeclaration, ParsedGuidelineProgress
    from shinchoku.imports.reading import parse_bytes
    from shinchoku.organizations.master import LAYOUT
    from shinchoku.reports.pdf import goal_declaration_pdf, guideline_progress_pdf
    from shinchoku.reports.xlsx import goal_declaration_xlsx, guideline_progress_xlsx

    corpus: list[Seed] = []
    documents = sorted(DEMO_DOCUMENTS.glob("*.txt"))
    if SHARED_SEEDS.is_dir():
        documents += sorted(SHARED_SEEDS.glob("*.txt"))
    invariant = reportlab.rl_config.invariant
    reportlab.rl_config.invariant = 1  # no dates or random IDs: the same bytes on every run
    try:
        for path in documents:
            data = path.read_bytes()
            corpus += _text_variants(path.stem, data.decode("utf-8"), "text")
            document = parse_bytes(data, source=path.name)
            if isinstance(document, ParsedGoalDeclaration):
                small: Any = dataclasses.replace(document, goals=document.goals[:1])
                write_pdf: Callable[[Any], bytes] = goal_declaration_pdf
                write_xlsx_doc: Callable[[Any], bytes] = goal_declaration_xlsx
            else:
                assert isinstance(document, ParsedGuidelineProgress)
                small = dataclasses.replace(document, initiatives=document.initiatives[:2])
                write_pdf, write_xlsx_doc = guideline_progress_pdf, guideline_progress_xlsx
            corpus.append(_xlsx_seed(f"{path.stem}.xlsx", write_xlsx_doc(document)))
            corpus.append(_xlsx_seed(f"{path.stem}-small.xlsx", write_xlsx_doc(small)))
            pdf = _pdf_seed(f"{path.stem}-small.pdf", write_pdf(small))
            corpus += [pdf, _inflated(pdf)]
            if whole_pdfs:
                corpus.append(_pdf_seed(f"{path.stem}.pdf", write_pdf(document), weight=0.1))
    finally:
        reportlab.rl_config.invariant = invariant
    for path in sorted(SAMPLES.glob("*.csv")):
        text = path.read_text(encoding="utf-8")
        corpus += _text_variants(path.stem, text, "csv")
        corpus.append(Seed(f"{path.stem}+utf16", "csv", text.replace(",", "\t").encode("utf-16"), "utf-16"))
        rows = [line.split(",") for line in text.splitlines() if line]
        headers = rows[0] if path.stem != "organization" else list(LAYOUT)
        corpus.append(_xlsx_seed(f"{path.stem}.xlsx", write_xlsx(headers, rows[1:], title="組織マスタ")))
        corpus += _text_variants(
            f"{path.stem}-export", write_csv(headers, rows[1:]).decode("utf-8-sig"), "csv"
        )
    return corpus


def _xlsx_seed(name: str, data: bytes) -> Seed:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [(info.filename, archive.read(info)) for info in archive.infolist()]
    return Seed(name, "xlsx", data, parts=parts)


_OBJECT_RE = re.compile(rb"(\d+) 0 obj\n(.*?)\nendobj\n", re.DOTALL)
_TRAILER_RE = re.compile(rb"trailer\s*(<<.*>>)\s*startxref", re.DOTALL)
_STREAM_RE = re.compile(rb"^(?P<dict><<.*?>>)\s*stream\r?\n(?P<data>.*?)\r?\n?endstream$", re.DOTALL)
_FILTER_RE = re.compile(rb"/Filter\s*(\[[^\]]*\]|/\w+)")
_LENGTH_RE = re.compile(rb"/Length\s+\d+(\s+0\s+R)?")


def _pdf_seed(name: str, data: bytes, weight: float = 1.0) -> Seed:
    objects = [(int(m.group(1)), m.group(2)) for m in _OBJECT_RE.finditer(data)]
    trailer = _TRAILER_RE.search(data)
    assert objects and trailer is not None, name
    return Seed(name, "pdf", data, objects=objects, trailer=trailer.group(1), weight=weight)


def _inflated(seed: Seed) -> Seed:
    """The same PDF with every stream decoded (no /Filter): mutations then hit the page operators."""
    objects = []
    for number, body in seed.objects:
        decoded = _decode_stream(body)
        objects.append((number, _with_stream(body, decoded[0], None) if decoded else body))
    data = write_pdf(objects, seed.trailer)
    return Seed(
        f"{seed.name}+inflated", "pdf", data, objects=objects, trailer=seed.trailer, weight=seed.weight
    )


def _decode_stream(body: bytes) -> tuple[bytes, bytes] | None:
    """(decoded data, dictionary) of a stream object; None for other objects or a stream not decodable."""
    match = _STREAM_RE.match(body)
    if match is None:
        return None
    data, dictionary = match.group("data"), match.group("dict")
    filters = _FILTER_RE.search(dictionary)
    names = re.findall(rb"/(\w+)", filters.group(1)) if filters else []
    try:
        for name in names:
            if name == b"ASCII85Decode":
                data = base64.a85decode(
                    data.strip().removeprefix(b"<~"), adobe=False, ignorechars=b" \t\n\r\v~>"
                )
            elif name == b"FlateDecode":
                data = zlib.decompress(data)
            else:
                return None
    except (ValueError, zlib.error):
        return None
    return data, dictionary


def _with_stream(body: bytes, data: bytes, compress: bool | None) -> bytes:
    """A stream object with new data: Flate-compressed when ``compress``, without a filter when None."""
    match = _STREAM_RE.match(body)
    assert match is not None
    dictionary = _FILTER_RE.sub(b"", match.group("dict"))
    if compress:
        data = zlib.compress(data)
        dictionary = dictionary[:-2] + b" /Filter [ /FlateDecode ] >>"
    dictionary = _LENGTH_RE.sub(b"/Length %d" % len(data), dictionary)
    return dictionary + b"\nstream\n" + data + b"\nendstream"


def write_pdf(objects: list[tuple[int, bytes]], trailer: bytes) -> bytes:
    """A PDF of these objects with a correct cross-reference table."""
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\x93\x8c\x8b\x9e\n")
    offsets: dict[int, int] = {}
    for number, body in objects:
        offsets[number] = out.tell()
        out.write(b"%d 0 obj\n%s\nendobj\n" % (number, body))
    size = max(offsets, default=0) + 1
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % size)
    for number in range(1, size):
        out.write(b"%010d 00000 n \n" % offsets[number] if number in offsets else b"0000000000 00000 f \n")
    trailer = re.sub(rb"/Size\s+\d+", b"/Size %d" % size, trailer)
    out.write(b"trailer\n%s\nstartxref\n%d\n%%%%EOF\n" % (trailer, xref))
    return out.getvalue()


# --- mutations --------------------------------------------------------------------------------

INTERESTING_BYTES = [
    b"\x00",
    b"\x1b",
    b"\r",
    b"\n",
    b"\r\n",
    b"\t",
    b"\x0c",
    b"\x7f",
    b"\xff",
    b"\xfe",
    b"\xef\xbb\xbf",
    b"\xe3",
    b"\xe3\x80",
    b"\xe2\x91",
    b"\xed\xa0\x80",  # an encoded surrogate
    b"\xf0\x9f\x98",
    b"\xc0\xaf",
    b"\x82",
    b"\x81\x40",
    b"\x87\x40",  # ① in CP932
    b"\xff\xfe",
    b"PK\x03\x04",
    b"%PDF-",
    b"%%EOF",
    b'"',
    b",",
    b"<",
    b"&",
    b"\\",
    b"\xe2\x80\xa8",  # U+2028
    "\u3000".encode(),
    b"\xef\xbf\xbd",
]
INTERESTING_TEXT = [
    "「",
    "」",
    "『",
    "』",
    "●",
    "○",
    "◎",
    "・",
    "①",
    "⑳",
    "（",
    "）",
    "(",
    ")",
    "［",
    "］",
    "\t",
    "\u3000",
    " ",
    "\r",
    "\n",
    "\x00",
    "\x1b",
    "\x0c",
    "\u200b",
    "\ufeff",
    "\u2028",
    "😀",
    "㈱",
    "Ⅳ",
    "ｱ",
    "１２３",
    "9" * 30,
    "1e999",
    "-0",
    "%",
    "見込",
    "約",
    "平成",
    "令和元年度",
    "平成99年度",
    "年度",
    "課",
    ",",
    '"',
    "<b>",
    "&amp;",
    "&#0;",
    "→",
    "〜",
]
INTERESTING_LINES = [
    "",
    "（経営企画課）",
    "(財政課・人権・広聴相談課)",
    "（）",
    "[目標値]",
    "［今後の取組の方向性］",
    "N0.",
    "取組名",
    "目標達成状況",
    "1 総合計画の推進",
    "99 x",
    " 題名",
    "・",
    "・達成しました。",
    "（H27年度） （H28年度見込）",
    "81.2％ → 89.9％",
    "令和6年度 企画部長の目標宣言 達成状況報告",
    "企画部長 山口 清治",
    "『伊勢原市市民参加推進指針』における「基本的な取り組み」への進捗状況等",
    "基本的な取り組み\t「指針の記載内容」\t区分\t対応方針\t2018年度の取り組み実績\t2019年度の取り組み予定",
    "区分\t説明",
    "Ⅵ\t説明",
    "I\t",
    "1 章",
    "① 節",
    "◎ 群",
    "○取り組み\t\tI\t\t●実績(課)\t●予定(課)",
    "\t\t\t\t\t",
    "\t\t\t\t\t\t\t\t\t\t\t",
    "部,課,係,有効開始年度,有効終了年度,旧名称,表示順",
    "企画部,経営企画課,,令和99年度,1900,企画課、,abc",
    "ユーザー名,氏名,メール,役割,部,課,有効開始日,有効終了日",
    'a,"b',
    '"',
    "\x0c",
]
MAGICS = [
    b"",
    b"%PDF-1.4\n",
    b"PK\x03\x04",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b"\xfe\xff",
    b"\xd0\xcf\x11\xe0",
    b"%PDF-",
]


def _span(rng: random.Random, size: int, longest: int = 64) -> tuple[int, int]:
    start = rng.randrange(size + 1)
    return start, min(size, start + rng.randint(1, longest))


def _token(rng: random.Random) -> bytes:
    if rng.random() < 0.6:
        return rng.choice(INTERESTING_BYTES)
    if rng.random() < 0.5:
        return rng.choice(INTERESTING_TEXT).encode("utf-8")
    return rng.randbytes(rng.randint(1, 16))


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[: rng.randrange(len(data) + 1)]


def flip(rng: random.Random, data: bytes) -> bytes:
    if not data:
        return data
    out = bytearray(data)
    for _ in range(rng.choice((1, 1, 2, 4, 16))):
        at = rng.randrange(len(out))
        out[at] = rng.randrange(256) if rng.random() < 0.5 else out[at] ^ (1 << rng.randrange(8))
    return bytes(out)


def insert(rng: random.Random, data: bytes) -> bytes:
    for _ in range(rng.choice((1, 1, 2, 3, 8))):
        at = rng.randrange(len(data) + 1)
        data = data[:at] + _token(rng) + data[at:]
    return data


def delete(rng: random.Random, data: bytes) -> bytes:
    start, end = _span(rng, len(data), rng.choice((1, 16, 256, max(1, len(data) // 4))))
    return data[:start] + data[end:]


def duplicate(rng: random.Random, data: bytes) -> bytes:
    start, end = _span(rng, len(data), rng.choice((8, 256, 4096)))
    at = rng.randrange(len(data) + 1)
    times = rng.choice((1, 1, 2, 100))
    return data[:at] + data[start:end] * times + data[at:]


def swap(rng: random.Random, data: bytes) -> bytes:
    if len(data) < 4:
        return data
    a, b = sorted(rng.sample(range(len(data)), 2))
    first = (a, min(b, a + rng.randint(1, 512)))
    second = (b, min(len(data), b + rng.randint(1, 512)))
    return (
        data[: first[0]]
        + data[second[0] : second[1]]
        + data[first[1] : second[0]]
        + data[first[0] : first[1]]
        + data[second[1] :]
    )


BYTE_MUTATORS: list[Callable[[random.Random, bytes], bytes]] = [
    truncate,
    flip,
    insert,
    delete,
    duplicate,
    swap,
]


def mutate_bytes(rng: random.Random, data: bytes, how: list[str]) -> bytes:
    mutator = rng.choice(BYTE_MUTATORS)
    how.append(mutator.__name__)
    return mutator(rng, data)


def mutate_lines(rng: random.Random, text: str, how: list[str]) -> str:
    """A line-level or character-level change of a text."""
    lines = text.split("\n")
    action = rng.choice(
        (
            "shuffle",
            "shuffle-window",
            "drop",
            "dup",
            "swap",
            "line",
            "char",
            "split",
            "join",
            "tab",
            "digits",
            "repeat",
        )
    )
    how.append(f"lines:{action}")
    n = len(lines)
    at = rng.randrange(n)
    if action == "shuffle":
        rng.shuffle(lines)
    elif action == "shuffle-window":
        window = lines[at : at + rng.randint(2, 12)]
        rng.shuffle(window)
        lines[at : at + len(window)] = window
    elif action == "drop":
        del lines[at : at + rng.choice((1, 1, 3, 20))]
    elif action == "dup":
        lines[at:at] = lines[at : at + rng.choice((1, 5))]
    elif action == "swap":
        other = rng.randrange(n)
        lines[at], lines[other] = lines[other], lines[at]
    elif action == "line":
        lines.insert(at, rng.choice(INTERESTING_LINES))
    elif action == "repeat":
        lines[at:at] = [lines[at]] * rng.choice(REPEATS)
    else:
        line = lines[at]
        pos = rng.randrange(len(line) + 1)
        if action == "char":
            cut = pos + rng.choice((0, 1, 1, 3))
            lines[at] = line[:pos] + rng.choice(INTERESTING_TEXT) + line[cut:]
        elif action == "split":
            lines[at : at + 1] = [line[:pos], line[pos:]]
        elif action == "join" and at + 1 < n:
            lines[at : at + 2] = [line + rng.choice(("", " ", "\t")) + lines[at + 1]]
        elif action == "tab":
            lines[at] = line[:pos] + "\t" + line[pos:] if rng.random() < 0.6 else line.replace("\t", "", 1)
        elif action == "digits":
            lines[at] = re.sub(
                r"[0-9０-９]+", lambda _m: rng.choice(("0", "-1", "9" * 25, "１０", "1.5", "")), line
            )
    return "\n".join(lines)


def mutate_text(rng: random.Random, seed: Seed, how: list[str]) -> bytes:
    data = seed.data
    if rng.random() < 0.55:
        text = data.decode(seed.encoding)
        for _ in range(rng.choice((1, 1, 2, 3))):
            text = mutate_lines(rng, text, how)
        encoding = seed.encoding if rng.random() < 0.9 else rng.choice(("utf-8", "cp932", "utf-16"))
        how.append(f"encode:{encoding}")
        data = text.encode(encoding, errors="replace")
    else:
        data = mutate_bytes(rng, data, how)
    return data


_ATTR_RE = re.compile(rb'(\w+)="([^"]*)"')
_TEXT_RE = re.compile(rb">([^<]+)<")
_ELEMENT_RE = re.compile(rb"<(\w[\w:]*)\b[^>]*?(?:/>|>.*?</\1>)", re.DOTALL)
ATTR_VALUES = [
    b"",
    b"XFD1048576",
    b"A1048577",
    b"XFE1",
    b"A0",
    b"0",
    b"-1",
    b"1",
    b"99999999999999999999",
    b"1e309",
    b"NaN",
    b"s",
    b"n",
    b"b",
    b"e",
    b"str",
    b"inlineStr",
    b"d",
    b"A1:XFD1048576",
    b"B2:A1",
    b"&amp;",
    b"&#0;",
    b"x\xff",
    b"../../etc/passwd",
    b"/xl/missing.xml",
    b"rId999",
    b"\xe9\x83\xa8",
]
ENTITY_BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
    b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">'
    b'<!ENTITY e "&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;"><!ENTITY f "&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;">]>'
)


def mutate_xml(rng: random.Random, xml: bytes, how: list[str]) -> bytes:
    action = rng.choice(
        ("attr", "attr", "text", "text", "drop-element", "dup-element", "entity", "bytes", "cut")
    )
    how.append(f"xml:{action}")
    if action == "attr" and (matches := list(_ATTR_RE.finditer(xml))):
        m = rng.choice(matches)
        return xml[: m.start(2)] + rng.choice(ATTR_VALUES) + xml[m.end(2) :]
    if action == "text" and (matches := list(_TEXT_RE.finditer(xml))):
        m = rng.choice(matches)
        value = rng.choice([*ATTR_VALUES, b"&undefined;", b"&f;", b"]]>", b"\x00", "①".encode()])
        return xml[: m.start(1)] + value + xml[m.end(1) :]
    if action in ("drop-element", "dup-element") and (matches := list(_ELEMENT_RE.finditer(xml, 40))):
        m = rng.choice(matches)
        middle = b"" if action == "drop-element" else m.group(0) * rng.choice((2, 2, 1000))
        return xml[: m.start()] + middle + xml[m.end() :]
    if action == "entity":
        body = re.sub(rb"^<\?xml[^>]*\?>", b"", xml)
        m = _TEXT_RE.search(body)
        if m is not None and rng.random() < 0.7:
            body = body[: m.start(1)] + b"&f;" + body[m.end(1) :]
        return ENTITY_BOMB + body
    if action == "cut":
        return truncate(rng, xml)
    return mutate_bytes(rng, xml, how)


def mutate_xlsx(rng: random.Random, seed: Seed, how: list[str]) -> bytes:
    if rng.random() < 0.2:
        return mutate_bytes(rng, seed.data, how)
    parts = list(seed.parts)
    action = rng.choice(("part", "part", "part", "part", "drop", "rename", "dup", "add"))
    index = rng.randrange(len(parts))
    name, content = parts[index]
    how.append(f"xlsx:{action}:{name}")
    if action == "part":
        sheets = [
            i for i, (n, _c) in enumerate(parts) if n.startswith("xl/worksheets/") or "sharedStrings" in n
        ]
        if sheets and rng.random() < 0.5:
            index = rng.choice(sheets)
            name, content = parts[index]
            how[-1] = f"xlsx:part:{name}"
        parts[index] = (name, mutate_xml(rng, content, how))
    elif action == "drop":
        del parts[index]
    elif action == "rename":
        parts[index] = (rng.choice(("xl/workbook.xml", "xl/x.xml", name.upper(), name + "x")), content)
    elif action == "dup":
        parts.append((name, mutate_xml(rng, content, how)))
    else:
        parts.append(
            (
                rng.choice(("xl/worksheets/sheet99.xml", "xl/media/a.png", "docProps/app.xml")),
                rng.randbytes(64),
            )
        )
    out = io.BytesIO()
    compression = zipfile.ZIP_DEFLATED if rng.random() < 0.8 else zipfile.ZIP_STORED
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a duplicate name is what this input is about
        with zipfile.ZipFile(out, "w", compression=compression) as archive:
            for part_name, part in parts:
                archive.writestr(part_name, part)
    return out.getvalue()


PDF_NUMBERS = [
    b"0",
    b"-1",
    b"1",
    b"3",
    b"999999",
    b"2147483648",
    b"99999999999999999999",
    b"1e400",
    b"-0",
    b".",
    b"1.2.3",
    b"NaN",
    b"1 0 R",
]
PDF_TOKENS = [
    b"BT",
    b"ET",
    b"Tf",
    b"Tj",
    b"TJ",
    b"Td",
    b"Tm",
    b"cm",
    b"q",
    b"Q",
    b"re",
    b"f",
    b"S",
    b"m",
    b"l",
    b"Do",
    b"gs",
    b"(",
    b")",
    b"<",
    b">",
    b"[",
    b"]",
    b"/F1+0",
    b"/Nope",
]


def mutate_pdf(rng: random.Random, seed: Seed, how: list[str]) -> bytes:
    action = rng.choice(("bytes", "stream", "stream", "stream", "dict", "dict", "ref", "xref", "cut-eof"))
    how.append(f"pdf:{action}")
    if action == "bytes":
        return mutate_bytes(rng, seed.data, how)
    if action == "xref":
        return _mutate_xref(rng, seed.data, how)
    if action == "cut-eof":
        return seed.data[: rng.randrange(len(seed.data))] + b"\n%%EOF\n"
    objects = list(seed.objects)
    if action == "stream":
        streams = [i for i, (_n, body) in enumerate(objects) if _decode_stream(body) is not None]
        index = rng.choice(streams)
        number, body = objects[index]
        decoded = _decode_stream(body)
        assert decoded is not None
        data = decoded[0]
        how.append(f"obj{number}")
        mutator = _mutate_operators if rng.random() < 0.5 else mutate_bytes
        data = mutator(rng, data, how)
        compress = rng.choice((True, True, None))
        body = _with_stream(body, data, compress)
        if compress and rng.random() < 0.1:
            how.append("broken-flate")
            body = body.replace(
                b"stream\n" + zlib.compress(data), b"stream\n" + zlib.compress(data)[: rng.randrange(1, 20)]
            )
        objects[index] = (number, body)
    elif action == "dict":
        index = rng.randrange(len(objects))
        number, body = objects[index]
        head, sep, rest = body.partition(b"stream\n")
        numbers = list(re.finditer(rb"(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])", head))
        names = list(re.finditer(rb"/\w+", head))
        how.append(f"obj{number}")
        if numbers and rng.random() < 0.6:
            m = rng.choice(numbers)
            head = head[: m.start()] + rng.choice(PDF_NUMBERS) + head[m.end() :]
        elif names:
            m = rng.choice(names)
            head = (
                head[: m.start()]
                + rng.choice((b"", b"/Kids", b"/Parent", b"/Type", b"/Page", b"/Pages", b"/Font", b"/X"))
                + head[m.end() :]
            )
        objects[index] = (number, head + sep + rest)
    else:  # ref: point a reference elsewhere (itself, a missing object, another one)
        candidates = [
            (i, m)
            for i, (_n, body) in enumerate(objects)
            for m in re.finditer(rb"(\d+) 0 R", body.partition(b"stream\n")[0])
        ]
        if candidates:
            index, m = rng.choice(candidates)
            number, body = objects[index]
            target = rng.choice((number, 999, 0, rng.choice(objects)[0]))
            how.append(f"obj{number}->{target}")
            objects[index] = (number, body[: m.start(1)] + b"%d" % target + body[m.end(1) :])
    return write_pdf(objects, seed.trailer)


def _mutate_operators(rng: random.Random, data: bytes, how: list[str]) -> bytes:
    tokens = re.split(rb"(\s+)", data)
    words = [i for i, t in enumerate(tokens) if t.strip()]
    if not words:
        return data
    action = rng.choice(("number", "token", "drop", "dup", "cut"))
    how.append(f"ops:{action}")
    at = rng.choice(words)
    if action == "number":
        numeric = [i for i in words if re.fullmatch(rb"-?[\d.]+", tokens[i])]
        if numeric:
            at = rng.choice(numeric)
        tokens[at] = rng.choice(PDF_NUMBERS)
    elif action == "token":
        tokens[at] = rng.choice(PDF_TOKENS)
    elif action == "drop":
        del tokens[at : at + rng.choice((1, 2, 20))]
    elif action == "dup":
        tokens[at:at] = tokens[at : at + rng.choice((2, 10))] * rng.choice((1, 50))
    else:
        tokens = tokens[:at]
    return b"".join(tokens)


def _mutate_xref(rng: random.Random, data: bytes, how: list[str]) -> bytes:
    xref = data.rfind(b"\nxref\n")
    start = data.rfind(b"startxref\n")
    action = rng.choice(("offset", "startxref", "drop-table", "trailer", "size"))
    how.append(f"xref:{action}")
    if action == "offset" and xref >= 0:
        entries = list(re.finditer(rb"(\d{10}) (\d{5}) ([nf])", data[xref:]))
        if entries:
            m = rng.choice(entries)
            at = xref + m.start(1)
            value = b"%010d" % rng.choice((0, 1, len(data) - 5, len(data) * 10, rng.randrange(len(data))))
            return data[:at] + value + data[at + 10 :]
    if action == "startxref" and start >= 0:
        end = data.find(b"\n", start + 10)
        value = rng.choice((b"0", b"-1", b"99999999999", b"%d" % rng.randrange(len(data)), b"x"))
        return data[: start + 10] + value + data[end:]
    if action == "drop-table" and xref >= 0 and start > xref:
        return data[: xref + 1] + data[data.find(b"trailer", xref) :]
    if action == "trailer":
        return re.sub(rb"/Root \d+", b"/Root %d" % rng.choice((1, 2, 999, 0)), data)
    return re.sub(rb"/Size \d+", b"/Size %d" % rng.choice((0, 1, 2**31)), data)


@dataclass
class Input:
    index: int
    data: bytes
    ext: str
    how: str


def make_input(seed: int, index: int, corpus: list[Seed]) -> Input:
    """Input ``index`` of the run with ``seed``: depends on nothing else."""
    rng = random.Random(f"{seed}:{index}")
    kinds = list(KIND_WEIGHTS)
    kind = rng.choices(kinds, weights=[KIND_WEIGHTS[k] for k in kinds])[0]
    if kind == "random":
        magic = rng.choice(MAGICS)
        size = rng.choice((0, 1, 8, 100, 1000, 5000))
        data = magic + rng.randbytes(rng.randint(0, size))
        if rng.random() < 0.3:  # bytes that decode as text
            data = (
                magic
                + "".join(rng.choice(INTERESTING_TEXT) for _ in range(rng.randint(0, size // 4 + 1))).encode()
            )
        ext = "pdf" if magic.startswith(b"%PDF") else "xlsx" if magic.startswith(b"PK") else "bin"
        return Input(index, data[:MAX_INPUT], ext, f"random:{len(data)}:{magic!r}")
    candidates = [s for s in corpus if s.kind == kind]
    source = rng.choices(candidates, weights=[s.weight for s in candidates])[0]
    how = [source.name]
    mutate = {"text": mutate_text, "csv": mutate_text, "xlsx": mutate_xlsx, "pdf": mutate_pdf}[kind]
    data = mutate(rng, source, how)
    for _ in range(rng.choice((0, 0, 0, 1, 2))):  # stacked byte mutations
        data = mutate_bytes(rng, data, how)
    return Input(index, data[:MAX_INPUT], source.ext, "|".join(how))


# --- the readers ------------------------------------------------------------------------------


class Timeout(BaseException):
    """A reader ran past the hard limit (the import worker's CPU limit)."""


@dataclass(frozen=True)
class Reader:
    name: str
    call: Callable[[bytes], object]
    clear: tuple[type[BaseException], ...]  # the errors a person is shown


def readers() -> list[Reader]:
    from shinchoku.accounts.roster import FULL_NAME, ROLE, USERNAME
    from shinchoku.accounts.roster import HEADERS as USER_HEADERS
    from shinchoku.core.tables import TableError, read_table
    from shinchoku.documents.schema import ImportFormatError
    from shinchoku.imports.parsers import xlsx
    from shinchoku.imports.reading import FORMATS, parse_bytes
    from shinchoku.organizations.master import DEPARTMENT, HEADERS, SECTION, master_read

    def parse_as(fmt: str | None) -> Callable[[bytes], object]:
        return lambda data: parse_bytes(data, source="fuzz", format=fmt)

    result = [Reader("parse_bytes(auto)", parse_as(None), (ImportFormatError,))]
    result += [Reader(f"parse_bytes({fmt})", parse_as(fmt), (ImportFormatError,)) for fmt in FORMATS]
    result += [
        Reader(
            "read_table(master)",
            lambda data: read_table(data, source="fuzz", headers=HEADERS, required=(DEPARTMENT, SECTION)),
            (TableError,),
        ),
        Reader(
            "read_table(users)",
            lambda data: read_table(
                data, source="fuzz", headers=USER_HEADERS, required=(USERNAME, FULL_NAME, ROLE)
            ),
            (TableError,),
        ),
        Reader("master_read", lambda data: master_read(data, source="fuzz"), (TableError,)),
        Reader("xlsx.looks_like", xlsx.looks_like, ()),
    ]
    return result


@dataclass
class Finding:
    reader: str
    index: int
    how: str
    error: str  # exception type
    message: str
    trace: str
    where: str  # the innermost frame: the signature with reader and type
    saved: str

    @property
    def signature(self) -> tuple[str, str, str]:
        return (self.reader, self.error, self.where)


@dataclass
class Stats:
    inputs: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    calls: Counter[str] = field(default_factory=Counter)
    results: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    times: dict[str, list[float]] = field(default_factory=dict)
    slowest: dict[str, tuple[float, int]] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    finding_counts: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    slow: list[tuple[float, str, int, str]] = field(default_factory=list)
    memory_jumps: list[tuple[int, int, str]] = field(default_factory=list)  # (KB, index, how)
    peak_rss_kb: int = 0

    def merge(self, other: Stats) -> None:
        self.inputs += other.inputs
        for mine, theirs in (
            (self.kinds, other.kinds),
            (self.calls, other.calls),
            (self.results, other.results),
            (self.errors, other.errors),
            (self.finding_counts, other.finding_counts),
        ):
            mine.update(theirs)
        for name, values in other.times.items():
            self.times.setdefault(name, []).extend(values)
        for name, (seconds, index) in other.slowest.items():
            if seconds > self.slowest.get(name, (0.0, -1))[0]:
                self.slowest[name] = (seconds, index)
        self.findings += other.findings
        self.slow += other.slow
        self.memory_jumps += other.memory_jumps
        self.peak_rss_kb = max(self.peak_rss_kb, other.peak_rss_kb)


_SEEN: Counter[tuple[str, str, str]] = Counter()


def _on_alarm(_signum: int, _frame: Any) -> None:
    raise Timeout


def _save(data: bytes, ext: str) -> str:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{hashlib.sha256(data).hexdigest()[:16]}.{ext}"
    path.write_bytes(data)
    return str(path.relative_to(ROOT))


def run_one(
    item: Input,
    reader_list: list[Reader],
    stats: Stats,
    *,
    slow: float,
    hard: float,
    save: bool = True,
    report: Callable[[Finding], None] | None = None,
) -> None:
    from shinchoku.documents.schema import ImportFormatError
    from shinchoku.imports.reading import detect_format

    stats.inputs += 1
    stats.kinds[item.how.split(":")[0] if item.how.startswith("random") else item.ext] += 1
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    outcomes: dict[str, tuple[str, float]] = {}
    for reader in reader_list:
        if reader.name == "xlsx.looks_like" and not item.data.startswith(b"PK"):
            continue  # only ever asked of a zip
        if reader.name == "parse_bytes(auto)":
            # parse_bytes(format=None) is parse_bytes(format=detect_format(data)): a PDF, the most
            # expensive input, is not parsed twice; detection runs, then the explicit outcome counts.
            try:
                detected = detect_format(item.data, source="fuzz")
            except ImportFormatError:
                detected = None
            except BaseException:
                detected = None
            if detected == "pdf" and f"parse_bytes({detected})" in outcomes:
                outcome, seconds = outcomes[f"parse_bytes({detected})"]
                _count(stats, reader.name, outcome, seconds, item)
                continue
        signal.setitimer(signal.ITIMER_REAL, hard)
        started = time.perf_counter()
        try:
            reader.call(item.data)
            outcome = "result"
        except reader.clear:
            outcome = "error"
        except (Exception, Timeout) as error:
            outcome = "finding"
            tb = traceback.extract_tb(error.__traceback__)
            frame = tb[-1] if tb else None
            where = f"{Path(frame.filename).name}:{frame.lineno} {frame.name}" if frame else "?"
            finding = Finding(
                reader=reader.name,
                index=item.index,
                how=item.how,
                error=type(error).__name__,
                message=str(error)[:300],
                trace="".join(traceback.format_list(tb[-6:])),
                where=where,
                saved="",
            )
            stats.finding_counts[finding.signature] += 1
            _SEEN[finding.signature] += 1  # in this process: the first few are kept and shown
            if _SEEN[finding.signature] <= SAVED_PER_SIGNATURE:
                if save:
                    finding.saved = _save(item.data, item.ext)
                stats.findings.append(finding)
                if report is not None and _SEEN[finding.signature] == 1:
                    report(finding)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        seconds = time.perf_counter() - started
        outcomes[reader.name] = (outcome, seconds)
        _count(stats, reader.name, outcome, seconds, item)
        if seconds > slow:
            path = _save(item.data, item.ext) if save else ""
            stats.slow.append((seconds, reader.name, item.index, f"{item.how} {path}"))
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    stats.peak_rss_kb = max(stats.peak_rss_kb, after)
    if after - before > 100 * 1024:
        stats.memory_jumps.append((after - before, item.index, item.how))


def _count(stats: Stats, reader: str, outcome: str, seconds: float, item: Input) -> None:
    stats.calls[reader] += 1
    if outcome == "result":
        stats.results[reader] += 1
    elif outcome == "error":
        stats.errors[reader] += 1
    stats.times.setdefault(reader, []).append(seconds)
    if seconds > stats.slowest.get(reader, (0.0, -1))[0]:
        stats.slowest[reader] = (seconds, item.index)


def quiet_libraries() -> None:
    """pdfminer and openpyxl log (and warn) at length about broken files: that is what they get here."""
    for name in ("pdfminer", "pdfplumber", "openpyxl", "PIL", "fontTools"):
        logging.getLogger(name).setLevel(logging.CRITICAL)


def run_inputs(
    seed: int,
    indices: Iterator[int] | range | list[int],
    corpus: list[Seed],
    *,
    slow: float = 2.0,
    hard: float = 20.0,
    save: bool = True,
    report: Callable[[Finding], None] | None = None,
) -> Stats:
    """Make and read the inputs ``indices`` of the run ``seed`` in this process."""
    quiet_libraries()
    reader_list = readers()
    stats = Stats()
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about every odd part it meets
            for index in indices:
                run_one(
                    make_input(seed, index, corpus),
                    reader_list,
                    stats,
                    slow=slow,
                    hard=hard,
                    save=save,
                    report=report,
                )
    finally:
        signal.signal(signal.SIGALRM, previous)
    return stats


# --- the script ---------------------------------------------------------------------------------

_CORPUS: list[Seed] = []


def _print_finding(finding: Finding) -> None:
    print(
        f"\nFINDING {finding.error} in {finding.reader} (input {finding.index}: {finding.how})\n"
        f"  {finding.message}\n  saved: {finding.saved}\n"
        + "".join(f"  {line}\n" for line in finding.trace.rstrip().splitlines()),
        flush=True,
    )


def _work(job: tuple[int, int, int, int, float, float]) -> Stats:
    seed, start, stop, step, slow, hard = job
    return run_inputs(seed, range(start, stop, step), _CORPUS, slow=slow, hard=hard, report=_print_finding)


def _milliseconds(values: list[float], q: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000:,.1f}"


def print_summary(stats: Stats, seconds: float, args: argparse.Namespace) -> None:
    print(f"\nseed {args.seed}: {stats.inputs:,} inputs in {seconds:,.0f} s ({args.workers} processes)")
    print("inputs by kind: " + ", ".join(f"{k} {n:,}" for k, n in sorted(stats.kinds.items())))
    found_by_reader = Counter()
    for (reader, _error, _where), count in stats.finding_counts.items():
        found_by_reader[reader] += count
    header = f"{'reader':36} {'calls':>8} {'results':>8} {'errors':>8} {'findings':>8} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>9}  slowest input"
    print(header)
    print("-" * len(header))
    for reader in stats.calls:
        times = stats.times.get(reader, [])
        seconds_max, index = stats.slowest.get(reader, (0.0, -1))
        print(
            f"{reader:36} {stats.calls[reader]:>8,} {stats.results[reader]:>8,} {stats.errors[reader]:>8,} "
            f"{found_by_reader[reader]:>8,} {_milliseconds(times, 0.5):>8} {_milliseconds(times, 0.99):>8} "
            f"{seconds_max * 1000:>9,.1f}  #{index}"
        )
    print(f"peak RSS: {stats.peak_rss_kb / 1024:,.0f} MB (largest process)")
    if stats.memory_jumps:
        print(f"inputs that raised the peak RSS by more than 100 MB: {len(stats.memory_jumps)}")
        for kb, index, how in sorted(stats.memory_jumps, reverse=True)[:10]:
            print(f"  +{kb / 1024:,.0f} MB  #{index} {how}")
    print(f"calls slower than {args.slow:g} s: {len(stats.slow)}")
    for seconds, reader, index, how in sorted(stats.slow, reverse=True)[:10]:
        print(f"  {seconds:6.2f} s  {reader}  #{index} {how}")
    total = sum(stats.finding_counts.values())
    print(f"findings: {total}")
    for (reader, error, where), count in stats.finding_counts.most_common():
        example = next(f for f in stats.findings if f.signature == (reader, error, where))
        print(f"  {count:6,}  {error} in {reader} at {where}  e.g. #{example.index} {example.saved}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--start", type=int, default=0, help="first input number")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--slow", type=float, default=2.0, help="flag calls slower than this (s)")
    parser.add_argument("--only", type=str, default="", help="comma-separated input numbers: read them again")
    parser.add_argument("--replay", nargs="*", default=[], help="saved inputs to read again")
    args = parser.parse_args(argv)

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings_test")
    import django
    from django.conf import settings

    django.setup()
    hard = float(settings.SHINCHOKU_IMPORT_CPU_SECONDS)

    started = time.monotonic()
    if args.replay:
        stats = Stats()
        quiet_libraries()
        signal.signal(signal.SIGALRM, _on_alarm)
        for number, name in enumerate(args.replay):
            path = Path(name)
            item = Input(number, path.read_bytes(), path.suffix.lstrip(".") or "bin", f"replay:{path.name}")
            run_one(item, readers(), stats, slow=args.slow, hard=hard, save=False, report=_print_finding)
        print_summary(stats, time.monotonic() - started, args)
        return 1 if stats.finding_counts else 0

    corpus = build_corpus()
    _CORPUS[:] = corpus
    print(
        f"corpus: {len(corpus)} files ({', '.join(f'{k} {n}' for k, n in sorted(Counter(s.kind for s in corpus).items()))})"
    )
    if args.only:
        indices = [int(i) for i in args.only.split(",")]
        for index in indices:
            item = make_input(args.seed, index, corpus)
            print(f"#{index}: {len(item.data):,} bytes, {item.how}")
        stats = run_inputs(args.seed, indices, corpus, slow=args.slow, hard=hard, report=_print_finding)
    else:
        stop = args.start + args.count
        # Interleaved slices, many of them: the expensive inputs spread evenly over the processes.
        chunk = 500
        jobs = [
            (args.seed, begin, min(stop, begin + chunk), 1, args.slow, hard)
            for begin in range(args.start, stop, chunk)
        ]
        stats = Stats()
        if args.workers <= 1:
            for done, job in enumerate(jobs, start=1):
                stats.merge(_work(job))
                _progress(done, len(jobs), stats, started)
        else:
            import multiprocessing

            with multiprocessing.get_context("fork").Pool(args.workers, maxtasksperchild=20) as pool:
                for done, part in enumerate(pool.imap_unordered(_work, jobs), start=1):
                    stats.merge(part)
                    _progress(done, len(jobs), stats, started)
    print_summary(stats, time.monotonic() - started, args)
    return 1 if stats.finding_counts else 0


def _progress(done: int, total: int, stats: Stats, started: float) -> None:
    if done % 10 == 0 or done == total:
        found = sum(stats.finding_counts.values())
        print(f"[{stats.inputs:,} inputs, {found} findings, {time.monotonic() - started:,.0f} s]", flush=True)


if __name__ == "__main__":
    sys.exit(main())
