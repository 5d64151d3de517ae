"""Goal declaration reports the reader has never seen, generated at random (issue 11).

Hypothesis writes the content of a report (any number of goals, each with its title,
sections, and the five columns of bullets, targets and actuals as figures), lays it
out as a PDF table of five columns of random widths, and renders it as a PDF-to-text
tool flattens it (seed 000, the demo, the corpus): each cell after the previous one,
every cell wrapped at its column's width, the narrow 達成目標 cell between the wide
取組内容 and 取組結果 cells, the narrow 目標達成状況 cell after the wide 方向性 cell, and
at page breaks a footer and the repeated column header. The bytes (UTF-8 with or
without BOM, or CP932; LF or CRLF) go through ``reading.parse_bytes``, and the reading
must be the generated report: same goals, titles, sections, the text of each column
(compared without blanks and line breaks: where the PDF wrapped a line is not a fact
of the document) and the same figures.

Never silently wrong: where the layout leaves a bullet's column to weak evidence
(a short bullet in a style that does not tell), the reader may guess wrong, but only
with an ``uncertain_column`` warning on that goal; a goal read wrong without a
warning fails the test. A goal whose bullets all carry strong evidence (wrapped at
their column's width, or a label with its figure in a narrow column) is read
exactly and without warnings.

Variety: 1–7 goals; title 18–30, wide column 40–62, narrow columns 24 up to 8 less
than the wide one (display width, full-width characters count 2); です・ます, である
and 体言止め styles; full- and half-width digits; figures plain, 約, （見込）, （見込み）,
a （見込） on the label, となる見込み, となる予定, ▲, 件増, %減, ranges (10～20件), units
g, kg, t, ha, km, m, 台, 割, 日, 時間, 回, か所, 箇所, ポイント, 倍, 万人, 億円; numbers
inside indicator names (週1回以上運動する人の割合); goal numbers lost with or
without their blank; blank 目標達成状況 cells, 「―」 and 集計中; page footers
(``- 1 -``, ``1 / 3``) and repeated headers; blank lines between lines or none.

Restrictions, where the layout itself is ambiguous: a page break falls between
goals (a break inside a goal's row interleaves two pages' cells in ways no document
seen shows); the sections line fits its column; a narrow column is at least 6 less
than the wide one (columns of one width cannot be told apart by position); a
title without its number is a single line (a wrapped unnumbered title cannot be
told from the status above it, and the reader warns); titles hold no figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal

from hypothesis import HealthCheck, event, given, note, settings
from hypothesis import strategies as st

from shinchoku.core.figures import Figure
from shinchoku.core.text import is_wide, normalize
from shinchoku.documents.schema import ParsedGoalDeclaration
from shinchoku.imports.reading import parse_bytes
from shinchoku.testing import GENERATED_EXAMPLES, only_in_the_sqlite_pass

# --- vocabulary -------------------------------------------------------------------------

TITLES = (
    "地域防災力の強化",
    "子育て支援の充実",
    "公共施設の計画的な改修",
    "行政手続のオンライン化の推進",
    "地域コミュニティ活動の支援",
    "ごみの減量と資源化の推進",
    "観光客の誘致と周遊の促進",
    "特定健康診査の受診率の向上",
    "中小企業の経営支援と事業承継の促進",
    "放課後の子どもの居場所づくり",
    "担い手への農地の集積と耕作放棄地の解消",
    "職員の働き方改革の推進",
    "消費者被害の防止",
    "図書館サービスの充実",
)
SECTIONS = (
    "危機管理課",
    "子育て支援課",
    "資産経営課",
    "情報政策課",
    "市民協働課",
    "ごみ減量推進課",
    "観光課",
    "保険年金課",
    "商工振興課",
    "生涯学習課",
    "農政課",
    "人事課",
    "消費生活センター",
    "中央図書館",
    "地域包括ケア担当",
    "危機管理監",
    "行政改革担当",
    "議会事務局",
    "秘書広報室",
)
# (object, verbal noun of two kanji): 〜を強化します / 〜を強化した / 〜の強化 / 〜を強化
ACTIONS = (
    ("地域の見守り体制", "強化"),
    ("公共施設の長寿命化改修", "推進"),
    ("市民への情報発信", "充実"),
    ("関係機関との連携", "強化"),
    ("窓口の手続のオンライン化", "推進"),
    ("若い世代の参加", "促進"),
    ("避難所運営マニュアル", "改訂"),
    ("出前講座", "開催"),
    ("利用者アンケート", "実施"),
    ("地域の協力者の研修", "実施"),
    ("事業者向けの相談会", "開催"),
    ("電子申請システム", "導入"),
    ("保育の受け皿", "拡充"),
    ("地域計画の素案", "作成"),
)
CLAUSES = (
    "市民の安全を守るため、",
    "国の制度改正を踏まえ、",
    "地域の関係団体と協力して、",
    "前年度の課題を整理したうえで、",
    "利用者の声を反映するため、",
    "職員の負担を軽減しつつ、",
)
# (indicator, unit as written, values range, decimals allowed)
INDICATORS = (
    ("自主防災組織の結成数", "団体", (10, 400), False),
    ("特定健康診査の受診率", "％", (20, 80), True),
    ("週1回以上運動する人の割合", "％", (20, 80), True),
    ("65歳以上の高齢者の参加率", "％", (2, 30), True),
    ("市民1人当たりの貸出冊数", "冊", (2, 9), True),
    ("市民1人1日当たりの家庭系ごみ排出量", "g", (400, 700), False),
    ("ごみの資源化量", "t", (100, 9000), False),
    ("担い手への農地集積面積", "ha", (50, 900), False),
    ("侵入防止柵の設置延長", "km", (2, 40), True),
    ("歩道の整備延長", "m", (50, 900), False),
    ("除雪機械の更新台数", "台", (1, 20), False),
    ("男性職員の育児休業取得率", "割", (1, 9), False),
    ("年次有給休暇の平均取得日数", "日", (5, 20), True),
    ("職員研修の受講時間", "時間", (5, 60), False),
    ("出前講座の開催回数", "回", (5, 120), False),
    ("通いの場の箇所数", "か所", (5, 90), False),
    ("避難所運営訓練の実施", "箇所", (2, 30), False),
    ("市民満足度", "ポイント", (40, 90), True),
    ("有効求人倍率", "倍", (1, 3), True),
    ("観光客入込数", "万人", (20, 400), False),
    ("観光消費額", "億円", (5, 90), False),
    ("食品ロスの発生量", "kg", (100, 9000), False),
    ("経営相談件数", "件", (50, 1500), False),
)
CANONICAL_UNITS = {"％": "%", "万人": "人", "億円": "円", "か所": "箇所"}
MULTIPLIERS = {"万人": 10**4, "億円": 10**8}
ERAS = (("令和", 2018), ("平成", 1988))
CITIES = ("みどり市", "若葉野市", "しらかば町", "東雲市", "")
POSITIONS = ("企画部長", "市民生活部長", "総務部長", "健康福祉部長", "経済部長", "消防長")
NAMES = ("山田 太郎", "佐藤 花子", "鈴木 一郎", "高橋 恵", "緑川 浩二")

HEADER = (
    "N0.",
    "取 組 名",
    "（担当課名）",
    "取 組 内 容  達 成 目 標",
    "取組結果",
    "今後の取組の方向性",
    "目標達成状況",
)

FULL_WIDTH = str.maketrans("0123456789,.", "０１２３４５６７８９，．")


# --- the generated report ------------------------------------------------------------------


@dataclass
class Bullet:
    """One bullet as written (before layout) and what it holds."""

    text: str
    figures: list[Figure] = field(default_factory=list)
    # A narrow-column bullet with a label and its figure: strong evidence of its column.
    label_value: bool = False


@dataclass
class Goal:
    number: int
    title: str
    sections: list[str]
    content: list[Bullet]
    targets: list[Bullet]
    results: list[Bullet]
    directions: list[Bullet]
    statuses: list[Bullet]
    number_shown: str  # "number", "blank" (number lost, blank kept) or "none"


@dataclass
class Report:
    era: str
    year: int
    city: str
    position: str
    name: str
    goals: list[Goal]
    style: str  # "desu", "dearu", "taigen"
    full_width: bool
    widths: tuple[int, int, int, int]  # title, wide, target, status
    breaks: list[int]  # page breaks after these goal indexes
    footer: str  # "dash" or "slash"
    blank_lines: bool
    trailing_blank: bool
    encoding: str
    newline: str

    @property
    def fiscal_year(self) -> int:
        return dict(ERAS)[self.era] + self.year


def _digits(text: str, full: bool) -> str:
    return text.translate(FULL_WIDTH) if full else text


def _amount(value: Decimal, unit: str) -> str:
    """Write ``value`` (in the unit as written) with commas from 1,000 on."""
    text = f"{value:,}" if value >= 1000 else f"{value}"
    return text


def _figure_text(draw: st.DrawFn, unit: str, low: int, high: int, decimals: bool) -> tuple[str, Decimal]:
    whole = draw(st.integers(low, high))
    value = Decimal(whole)
    if decimals and draw(st.booleans()):
        value = Decimal(f"{whole}.{draw(st.integers(1, 9))}")
    return _amount(value, unit) + unit, value


def _canonical(unit: str, value: Decimal) -> tuple[Decimal, str]:
    return value * MULTIPLIERS.get(unit, 1), CANONICAL_UNITS.get(unit, unit)


def _plan(draw: st.DrawFn, style: str, *, past: bool, lead: str = "") -> str:
    obj, verb = draw(st.sampled_from(ACTIONS))
    clauses = "".join(draw(st.lists(st.sampled_from(CLAUSES), max_size=2, unique=True)))
    if style == "desu":
        tail = f"{obj}を{verb}" + ("しました。" if past else "します。")
    elif style == "dearu":
        tail = f"{obj}を{verb}" + ("した。" if past else "する。")
    else:
        tail = f"{obj}を{verb}" if past else f"{obj}の{verb}"
    return "・" + lead + clauses + tail


@st.composite
def _figure_bullet(draw: st.DrawFn, style: str, *, actual: bool, full: bool) -> Bullet:
    """A target or actual with its figure, in one of the forms documents use."""
    indicator, unit, (low, high), decimals = draw(st.sampled_from(INDICATORS))
    written, value = _figure_text(draw, unit, low, high, decimals)
    value, canonical = _canonical(unit, value)
    forms = ["plain", "approximate", "provisional", "label_note", "decrease", "increase", "negative"]
    forms += ["forecast", "planned"] if actual else [] if unit in MULTIPLIERS else ["range"]
    if style != "taigen":
        forms += ["sentence"]
    form = draw(st.sampled_from(forms))
    label: str | None = indicator
    approximate = provisional = False
    figures = None
    if form == "plain":
        text = f"・{indicator}  {_digits(written, full)}"
    elif form == "approximate":
        text, approximate = f"・{indicator}  約{_digits(written, full)}", True
    elif form == "provisional":
        note_text = draw(st.sampled_from(["（見込）", "（見込み）"]))
        text, provisional = f"・{indicator}  {_digits(written, full)}{note_text}", True
    elif form == "label_note":
        text, provisional = f"・{indicator}（見込）  {_digits(written, full)}", True
        label = f"{indicator}(見込)"
    elif form == "decrease":
        text, value = f"・{indicator}  {_digits(written, full)}減", -value
    elif form == "increase":
        text = f"・{indicator}  {_digits(written, full)}増"
    elif form == "negative":
        text, value = f"・{indicator}  ▲{_digits(written, full)}", -value
    elif form == "range":
        upper_text, upper = _figure_text(draw, unit, high + 1, high * 2 + 1, False)
        upper, _ = _canonical(unit, upper)
        lower_text = written.removesuffix(unit)
        tilde = draw(st.sampled_from(["～", "〜"]))
        text = f"・{indicator}  {_digits(lower_text, full)}{tilde}{_digits(upper_text, full)}"
        figures = [Figure(value, canonical, label=label), Figure(upper, canonical, label=label)]
    elif form in ("forecast", "planned"):
        word = "見込み" if form == "forecast" else "予定"
        ending = {"desu": f"となる{word}です。", "dearu": f"となる{word}である。", "taigen": f"となる{word}"}[
            style
        ]
        text, provisional, label = f"・{indicator}は、{_digits(written, full)}{ending}", True, None
    else:  # a sentence
        verb = {"desu": "にします。", "dearu": "にする。"}[style]
        if actual:
            verb = {"desu": "となりました。", "dearu": "となった。"}[style]
        particle = "は" if actual else "を"
        text, label = f"・{indicator}{particle}{_digits(written, full)}{verb}", None
    if figures is None:
        figures = [Figure(value, canonical, approximate, provisional, label)]
    return Bullet(text, figures, label_value=label is not None)


@st.composite
def _goal(draw: st.DrawFn, number: int, style: str, full: bool) -> Goal:
    title = draw(st.sampled_from(TITLES))
    sections = draw(st.lists(st.sampled_from(SECTIONS), min_size=1, max_size=2, unique=True))
    content = [Bullet(_plan(draw, style, past=False)) for _ in range(draw(st.integers(1, 2)))]
    targets = draw(st.lists(_figure_bullet(style, actual=False, full=full), min_size=0, max_size=3))
    if not targets or draw(st.booleans()):
        targets.append(Bullet(_plan(draw, style, past=False)))
    results = [Bullet(_plan(draw, style, past=True)) for _ in range(draw(st.integers(1, 3)))]
    directions = [
        Bullet(_plan(draw, style, past=False, lead=draw(st.sampled_from(["", "引き続き、", "今後も、"]))))
        for _ in range(draw(st.integers(1, 2)))
    ]
    kind = draw(st.sampled_from(["figures", "figures", "figures", "blank", "dash", "counting"]))
    if kind == "figures":
        statuses = draw(st.lists(_figure_bullet(style, actual=True, full=full), min_size=1, max_size=3))
    elif kind == "blank":
        statuses = []
    elif kind == "dash":
        statuses = [Bullet("―")]
    else:
        indicator = draw(st.sampled_from(INDICATORS))[0]
        statuses = [Bullet(f"・{indicator}  集計中（公表予定）")]
    shown = draw(st.sampled_from(["number"] * 4 + ["blank", "none"])) if number > 1 else "number"
    return Goal(number, title, sections, content, targets, results, directions, statuses, shown)


@st.composite
def reports(draw: st.DrawFn) -> Report:
    style = draw(st.sampled_from(["desu", "dearu", "taigen"]))
    full = draw(st.booleans())
    count = draw(st.integers(1, 7))
    goals = [draw(_goal(number, style, full)) for number in range(1, count + 1)]
    wide = draw(st.integers(40, 62))
    widths = (
        draw(st.integers(18, 30)),
        wide,
        draw(st.integers(24, wide - 8)),
        draw(st.integers(24, wide - 8)),
    )
    breaks = sorted(draw(st.sets(st.integers(0, count - 2), max_size=2))) if count > 1 else []
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp932"]))
    if encoding == "cp932":  # no 〜 (U+301C) in CP932: its documents write ～
        for goal in goals:
            for bullet in goal.targets + goal.statuses:
                bullet.text = bullet.text.replace("〜", "～")
    era = draw(st.sampled_from([e for e, _ in ERAS]))
    return Report(
        era=era,
        year=draw(st.integers(2, 30 if era == "平成" else 8)),
        city=draw(st.sampled_from(CITIES)),
        position=draw(st.sampled_from(POSITIONS)),
        name=draw(st.sampled_from(NAMES)),
        goals=goals,
        style=style,
        full_width=full,
        widths=widths,
        breaks=breaks,
        footer=draw(st.sampled_from(["dash", "slash"])),
        blank_lines=draw(st.booleans()),
        trailing_blank=draw(st.booleans()),
        encoding=encoding,
        newline=draw(st.sampled_from(["\n", "\r\n"])),
    )


# --- the layout, as a PDF-to-text tool gives it ------------------------------------------

# Characters a line never starts with (禁則): they hang at the end of the line before.
NO_LINE_START = "。、）」・％"
_ATOM = re.compile(r"[0-9０-９][0-9０-９,，.．]*|[A-Za-z]+|  +|.", re.S)


def _width(text: str) -> int:
    return sum(2 if is_wide(ch) else 1 for ch in text)


def wrap(text: str, width: int) -> list[str]:
    """Wrap a cell's text at ``width`` as a PDF table cell does: numbers and words stay whole."""
    lines: list[str] = []
    line = ""
    for atom in _ATOM.findall(text):
        if line and _width(line + atom.rstrip()) > width and atom[0] not in NO_LINE_START:
            lines.append(line)
            line = "" if atom.isspace() else atom
        else:
            line += atom
    if line:
        lines.append(line)
    return lines


def _cell(bullets: list[Bullet], width: int) -> list[str]:
    return [line for bullet in bullets for line in wrap(bullet.text, width)]


def render(report: Report) -> str:
    title_width, wide, target_width, status_width = report.widths
    full = report.full_width
    pages = len(report.breaks) + 1
    lines = [
        f" {report.era}{_digits(str(report.year), full)}年度 {report.city}{report.position}の目標宣言 達成状況報告",
        f"{report.position} {report.name}",
        " " * 44,
        *HEADER,
    ]
    for index, goal in enumerate(report.goals):
        number = _digits(str(goal.number), full)
        head = {"number": f"{number} ", "blank": " ", "none": ""}[goal.number_shown]
        title = wrap(goal.title, title_width) if goal.number_shown != "none" else [goal.title]
        lines += [head + title[0], *title[1:]]
        lines.append("（" + "・".join(goal.sections) + "）")
        lines += _cell(goal.content, wide)
        lines.append("[目標値] ")
        lines += _cell(goal.targets, target_width)
        lines += _cell(goal.results, wide)
        lines.append("［今後の取組の方向性］ ")
        lines += _cell(goal.directions, wide)
        lines += _cell(goal.statuses, status_width)
        if index in report.breaks:
            page = report.breaks.index(index) + 1
            lines.append(f"- {page} -" if report.footer == "dash" else f"{page} / {pages}")
            lines += [" " + HEADER[0], *HEADER[1:]]
    end = " " if report.trailing_blank else ""
    separator = end + report.newline + (report.newline if report.blank_lines else "")
    return separator.join(lines) + end + report.newline


# --- what the reading must be ----------------------------------------------------------------


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _texts(bullets: list[Bullet]) -> str:
    return _squash(normalize("".join(bullet.text for bullet in bullets)))


def _figures(bullets: list[Bullet]) -> list[Figure]:
    return [figure for bullet in bullets for figure in bullet.figures]


def _facts(goal: Goal) -> dict[str, object]:
    return {
        "number": goal.number,
        "title": _squash(normalize(goal.title)),
        "sections": [normalize(name) for name in goal.sections],
        "content": _texts(goal.content),
        "target_text": _texts(goal.targets),
        "result_text": _texts(goal.results),
        "direction_text": _texts(goal.directions),
        "status_text": _texts(goal.statuses),
        "targets": _figures(goal.targets),
        "actuals": _figures(goal.statuses),
    }


def _read_facts(document: ParsedGoalDeclaration, index: int) -> dict[str, object]:
    goal = document.goals[index]
    return {
        "number": goal.number,
        "title": _squash(goal.title),
        "sections": goal.sections,
        **{
            key: _squash(getattr(goal, key))
            for key in ("content", "target_text", "result_text", "direction_text", "status_text")
        },
        "targets": [_plain(f) for f in goal.targets],
        "actuals": [_plain(f) for f in goal.actuals],
    }


def _plain(figure: Figure) -> Figure:
    label = _squash(figure.label) if figure.label else None
    return Figure(figure.value.normalize(), figure.unit, figure.approximate, figure.provisional, label)


def _expected_figures(facts: dict[str, object]) -> dict[str, object]:
    for key in ("targets", "actuals"):
        facts[key] = [_plain(f) for f in facts[key]]  # type: ignore[attr-defined]
    return facts


def _strong(report: Report, index: int) -> bool:
    """Every bullet of the unmarked columns shows its column by position or by a label–value.

    The next goal's title must carry its number (or its blank): a bare title may be the
    end of this goal's status, and the reader says so. The document must show the width
    of its wide column somewhere it is certain: a 取組内容 bullet that wraps.
    """
    goal = report.goals[index]
    following = report.goals[index + 1 : index + 2]
    _, wide, target_width, status_width = report.widths
    if not any(len(wrap(b.text, wide)) > 1 for g in report.goals for b in g.content):
        return False

    def wide_bullets(bullets: list[Bullet]) -> bool:
        return all(_width(wrap(b.text, wide)[0].rstrip()) >= wide - 3 for b in bullets)

    def narrow_bullets(bullets: list[Bullet], width: int) -> bool:
        return all(b.label_value or len(wrap(b.text, width)) > 1 for b in bullets)

    return (
        wide_bullets(goal.results + goal.directions)
        and narrow_bullets(goal.targets, target_width)
        and narrow_bullets(goal.statuses, status_width)
        and goal.number_shown != "none"
        and all(later.number_shown != "none" for later in following)
    )


@only_in_the_sqlite_pass()
@settings(
    max_examples=GENERATED_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(reports())
def test_a_generated_report_is_read_as_written(report: Report) -> None:
    text = render(report)
    note(text)
    data = text.encode(report.encoding)
    document = parse_bytes(data, source="generated.txt")
    assert isinstance(document, ParsedGoalDeclaration)
    assert document.fiscal_year == report.fiscal_year
    assert document.declarer_position == report.position
    assert document.declarer_name == report.name
    assert document.unplaced == []
    assert len(document.goals) == len(report.goals)
    assert {i.why for i in document.ignored} <= {"page_header", "repeated_header", "page_footer"}
    codes = {w.code for w in document.warnings}
    assert codes <= {"uncertain_column", "number_inferred", "truncated"}, document.warnings
    for index, goal in enumerate(report.goals):
        expected = _expected_figures(_facts(goal))
        read = _read_facts(document, index)
        first = document.goals[index].line
        last = document.goals[index + 1].line if index + 1 < len(document.goals) else 10**9
        # A goal's warnings: from its first line to the next goal's first (where they part).
        warned = [w for w in document.warnings if w.code == "uncertain_column" and first <= w.line <= last]
        if read != expected:
            note(f"goal {goal.number}: expected {expected}\nread {read}")
            assert warned, f"goal {goal.number} read wrong without a warning"
            event("goal read wrong, with a warning")
        elif _strong(report, index):
            assert not warned, warned
            event("goal with strong evidence read exactly")
        else:
            event("goal read exactly, with a warning" if warned else "goal read exactly")
        assert document.goals[index].number_inferred == (goal.number_shown != "number")
    if "number_inferred" in codes:
        assert any(goal.number_shown != "number" for goal in report.goals)
