"""Fill msgstr of a .po file from a {(context, msgid): msgstr} table and clear their fuzzy flags.

Usage: python scripts/po_fill.py shinchoku/locale/ja/LC_MESSAGES/django.po table.py
(table.py defines TRANSLATIONS). A small stand-in for polib, which the project does not need at run time.
"""

import re
import runpy
import sys
from pathlib import Path


def unquote(block: str) -> str:
    return (
        "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', block))
        .encode()
        .decode("unicode_escape")
        .encode("latin-1")
        .decode()
    )


def quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def fill(po: str, table: dict[tuple[str | None, str], str]) -> tuple[str, int]:
    done = 0
    out = []
    for entry in po.split("\n\n"):
        ctx = re.search(r'^msgctxt ((?:".*"\n)+)', entry + "\n", re.M)
        mid = re.search(r'^msgid ((?:".*"\n)+)', entry + "\n", re.M)
        if mid:
            key = (unquote(ctx.group(1)) if ctx else None, unquote(mid.group(1)))
            if key in table:
                lines = [ln for ln in entry.split("\n") if not ln.startswith("#|")]
                lines = [ln.replace("#, fuzzy, ", "#, ").replace("#, fuzzy", "") for ln in lines]
                lines = [ln for ln in lines if ln != ""]
                text = "\n".join(lines)
                text = re.sub(
                    r'^msgstr (?:".*"\n?)+', "msgstr " + quote(table[key]), text + "\n", flags=re.M
                ).rstrip("\n")
                entry = text
                done += 1
        out.append(entry)
    return "\n\n".join(out), done


if __name__ == "__main__":
    path, table_path = sys.argv[1], sys.argv[2]
    table = runpy.run_path(table_path)["TRANSLATIONS"]
    po_path = Path(path)
    text, count = fill(po_path.read_text(encoding="utf-8"), table)
    po_path.write_text(text, encoding="utf-8")
    print(f"{count} entries filled")
