"""The vendored design assets (docs/design.md) are what the pinned packages and licences say.

``make run`` must work without npm, so the DADS tokens are copied into our static files; this
test holds the copy to the package that package-lock.json pins (``make test`` runs ``npm ci``).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
STATIC = ROOT / "shinchoku" / "static"
PACKAGE = "@digital-go-jp/design-tokens"
INSTALLED = ROOT / "node_modules" / PACKAGE


def _installed_package() -> Path:
    if not (INSTALLED / "package.json").exists():
        message = f"{PACKAGE} is not installed in node_modules (make test runs npm ci)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return INSTALLED


def _pinned_version() -> str:
    version = json.loads((ROOT / "package.json").read_text())["devDependencies"][PACKAGE]
    assert re.fullmatch(r"\d+\.\d+\.\d+", version), f"{PACKAGE} must be pinned exactly, not {version!r}"
    return version


def test_vendored_tokens_are_the_pinned_package_file() -> None:
    package = _installed_package()
    version = _pinned_version()
    assert json.loads((package / "package.json").read_text())["version"] == version
    lock = json.loads((ROOT / "package-lock.json").read_text())
    assert lock["packages"][f"node_modules/{PACKAGE}"]["version"] == version
    vendored = (STATIC / "css" / "tokens.css").read_text(encoding="utf-8")
    header, separator, body = vendored.partition(" */\n")
    assert separator and f"{PACKAGE} {version}" in header, "tokens.css names the package and its version"
    assert body == (package / "dist" / "tokens.css").read_text(encoding="utf-8")


def test_our_css_uses_only_tokens_that_exist() -> None:
    css = {p.name: p.read_text(encoding="utf-8") for p in (STATIC / "css").glob("*.css")}
    defined = {m for text in css.values() for m in re.findall(r"(--[a-z0-9-]+)\s*:", text)}
    used = {(name, m) for name, text in css.items() for m in re.findall(r"var\((--[a-z0-9-]+)", text)}
    assert sorted((name, token) for name, token in used if token not in defined) == []


def test_the_font_is_served_from_our_static_files_with_its_licence() -> None:
    fonts = STATIC / "fonts" / "biz-ud-pgothic"
    base = (STATIC / "css" / "base.css").read_text(encoding="utf-8")
    for weight, name in ((400, "BIZUDPGothic-Regular.woff2"), (700, "BIZUDPGothic-Bold.woff2")):
        data = (fonts / name).read_bytes()
        assert data[:4] == b"wOF2", name
        assert 1_000_000 < len(data) < 3_000_000, (name, len(data))
        assert f"../fonts/biz-ud-pgothic/{name}" in base
        assert f"font-weight: {weight};" in base
    assert base.count("font-display: swap;") == 2
    licence = (fonts / "OFL.txt").read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert "The BIZ UDGothic Project Authors" in licence
    # No CDN and no other host anywhere in our CSS (closed networks).
    for path in (STATIC / "css").glob("*.css"):
        assert not re.search(r"url\(\s*['\"]?(https?:)?//", path.read_text(encoding="utf-8")), path.name
