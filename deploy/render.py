#!/usr/bin/env python3
"""Fill a deploy/ template's @NAME@ placeholders: from --set NAME=VALUE, an environment file, or defaults.

    deploy/render.py deploy/nginx/shinchoku.conf.in --env /etc/shinchoku/shinchoku.env > /etc/nginx/sites-available/shinchoku

Defaults: STATIC_ROOT from DJANGO_STATIC_ROOT, ARTEFACT_ROOT from SHINCHOKU_ARTEFACT_ROOT, and
MAX_BODY_MB from SHINCHOKU_UPLOAD_MAX_MB plus 1 (the form around the file), CACHE_DIR (nginx's
cache of citizens' pages) /var/cache/nginx/shinchoku. A placeholder left
without a value is an error that names it: a half-filled configuration is never written.
Standard library only: it runs before the virtual environment exists.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

PLACEHOLDER = re.compile(r"@([A-Z_]+)@")


def read_env(path: Path) -> dict[str, str]:
    values = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if "=" not in line:
            raise SystemExit(f"{path}:{number}: expected NAME=VALUE, got {line!r}")
        name, value = line.split("=", 1)
        values[name.strip()] = value.strip().strip('"').strip("'")
    return values


def defaults(values: dict[str, str]) -> dict[str, str]:
    derived = {
        "STATIC_ROOT": values.get("DJANGO_STATIC_ROOT", ""),
        "ARTEFACT_ROOT": values.get("SHINCHOKU_ARTEFACT_ROOT", ""),
        "MAX_BODY_MB": str(int(values.get("SHINCHOKU_UPLOAD_MAX_MB", "20")) + 1),
        "NGINX_WORKERS": "auto",
        "NGINX_USER": "user www-data;",
        "LOG_DIR": "/var/log/nginx",
        "CACHE_DIR": "/var/cache/nginx/shinchoku",
    }
    return {k: v for k, v in derived.items() if v} | values


def render(template: str, values: dict[str, str]) -> str:
    missing = sorted({name for name in PLACEHOLDER.findall(template) if name not in values})
    if missing:
        raise SystemExit(
            f"no value for {', '.join(missing)} (give --set NAME=VALUE or put it in the --env file)"
        )
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("template", type=Path)
    parser.add_argument("--env", type=Path, help="an environment file (deploy/shinchoku.env.example)")
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE")
    args = parser.parse_args(argv)
    values = read_env(args.env) if args.env else {}
    for item in args.set:
        name, _, value = item.partition("=")
        values[name] = value
    sys.stdout.write(render(args.template.read_text(encoding="utf-8"), defaults(values)))


if __name__ == "__main__":
    main()
