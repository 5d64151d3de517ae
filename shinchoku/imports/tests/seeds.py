"""Where the tests find the seed documents (never copied into the repository).

The two published reports live in ``../shared/seeds`` next to the repository, in
development and in CI alike; tests read them at run time.
"""

from __future__ import annotations

from pathlib import Path

import shinchoku

SEEDS_DIR = Path(shinchoku.__file__).resolve().parents[2] / "shared" / "seeds"
GOAL_DECLARATION = "000_258841814ba200c7.txt"  # 平成28年度 企画部長の目標宣言 達成状況報告
GUIDELINE_PROGRESS = "004_6a6d05d201dcec27.txt"  # 『伊勢原市市民参加推進指針』…進捗状況等


def seed_path(name: str) -> Path:
    path = SEEDS_DIR / name
    if not path.exists():
        raise FileNotFoundError(f"seed document {path} is missing: the tests read ../shared/seeds")
    return path


def read_seed(name: str) -> str:
    """The text of a seed document, as the importer would read it (UTF-8)."""
    return seed_path(name).read_text(encoding="utf-8")


def cut(text: str, fraction: float) -> str:
    """The first ``fraction`` of ``text``, as a truncated upload would hold."""
    return text[: int(len(text) * fraction)]


# Binary junk as a careless decoder would hand it over: every byte, decoded with
# replacement characters, plus the start of a PNG file.
JUNK = (bytes(range(256)) * 4 + b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR").decode("utf-8", errors="replace")
