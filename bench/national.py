"""National scale on PostgreSQL (issue 13): a shared system's data, generated fast, then measured.

    .venv/bin/python bench/national.py generate --municipalities 1741 --years 10
    .venv/bin/python bench/national.py measure [--sample 12]

``generate`` makes a scratch database (``shinchoku_national`` on a cluster of its own in
build/pg-national, started if needed, or ``--database-url``), runs ``migrate`` and fills it with
COPY, not the ORM: every table streams through its own connection at once, foreign-key
triggers off for the load (``session_replication_role = replica``: the rows are consistent by
construction), and the search indexes built after the rows. Each municipality gets a
real-looking 地方公共団体コード (prefecture, number, check digit), 10–40 departments and 30–200
sections, users of every role, a guideline plan of 30–60 initiatives and a comprehensive plan;
each fiscal year a goal declaration per department (5–15 goals, 1–4 indicators each, with
their targets and actuals), the guideline's rows with results and plans, two collection rounds
with a request per section and its steps, the published revisions of that year (with their
search entries and judged achievement) and the audit rows of what was created. Text comes
from bench/national_text.py. Deterministic for a ``--seed``.

``measure`` times each staff page and each portal page for a sample of municipalities and
users (Django's test client in this process, against the generated database), and prints
p50/p95/max milliseconds and the query count per page, and ``EXPLAIN (ANALYZE, BUFFERS)`` of
the slowest query of each page.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import national_text as text  # noqa: E402

DATABASE = "shinchoku_national"
FIRST_YEAR = 2016
BATCH = 4096


def _as_postgres(args: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _cluster_url(database: str) -> str:
    """A cluster of its own (build/pg-national, port ``SHINCHOKU_NATIONAL_PG_PORT`` or 54339):
    tens of gigabytes that the test suite's cluster and its replica should never copy. Sized
    for this data (4 GB of shared buffers), durable writes off as on the test cluster."""
    port = os.environ.get("SHINCHOKU_NATIONAL_PG_PORT", "54339")
    data = ROOT / "build" / "pg-national"
    binaries = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: int(p.parent.name))
    if not binaries:
        raise SystemExit("PostgreSQL is not installed (apt-get install postgresql)")
    bin_dir = binaries[-1]
    if not (data / "PG_VERSION").exists():
        data.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            subprocess.run(["chown", "postgres:postgres", str(data)], check=True)
        subprocess.run(
            _as_postgres(
                [
                    str(bin_dir / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "--encoding=UTF8",
                    "--locale=C.UTF-8",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    status = subprocess.run(
        _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "status"]), capture_output=True
    )
    if status.returncode != 0:
        options = (
            f"-c listen_addresses=127.0.0.1 -p {port} -k {data} -c fsync=off -c synchronous_commit=off "
            "-c full_page_writes=off -c shared_buffers=4GB -c effective_cache_size=16GB -c work_mem=64MB "
            "-c maintenance_work_mem=2GB -c max_wal_size=16GB -c checkpoint_timeout=30min"
        )
        subprocess.run(
            _as_postgres(
                [
                    str(bin_dir / "pg_ctl"),
                    "-D",
                    str(data),
                    "-l",
                    str(data / "server.log"),
                    "-w",
                    "-t",
                    "120",
                    "-o",
                    options,
                    "start",
                ]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
    return f"postgres://postgres@127.0.0.1:{port}/{database}"


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    # Files rendered for the measure stay beside the scratch database, not in the demo's store.
    os.environ.setdefault("SHINCHOKU_ARTEFACT_ROOT", str(ROOT / "build" / "national-artefacts"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shinchoku.settings")
    os.environ.setdefault("SHINCHOKU_ENV", "development")
    import django

    django.setup()


# --- COPY streams ---------------------------------------------------------------------------------


def _escape(value: Any) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    value = str(value)
    if "\\" in value or "\n" in value or "\t" in value or "\r" in value:
        value = value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r")
    return value


@dataclass
class Stream:
    """One table's COPY, on a connection of its own, fed in batches."""

    table: str
    columns: list[str]
    defaults: dict[str, str]
    copy: Any
    next_id: int
    rows: int = 0
    buffer: list[str] = field(default_factory=list)

    def add(self, values: dict[str, Any]) -> int:
        if "id" in self.columns and "id" not in values:
            values["id"] = self.next_id
            self.next_id += 1
        line = []
        for column in self.columns:
            if column in values:
                line.append(_escape(values[column]))
            else:
                line.append(self.defaults[column])
        self.buffer.append("\t".join(line) + "\n")
        self.rows += 1
        if len(self.buffer) >= BATCH:
            self.flush()
        return int(values.get("id", 0))

    def flush(self) -> None:
        if self.buffer:
            self.copy.write("".join(self.buffer))
            self.buffer.clear()


class Loader:
    """COPY into every table at once; a NOT NULL column a row leaves out gets Django's default."""

    def __init__(self, url: str, tables: list[str], stamp: str) -> None:
        self.url = url
        self.stack = contextlib.ExitStack()
        self.streams: dict[str, Stream] = {}
        self.connections: list[psycopg.Connection[Any]] = []
        with psycopg.connect(url) as connection:
            for table in tables:
                rows = connection.execute(
                    "SELECT column_name, is_nullable, data_type FROM information_schema.columns "
                    "WHERE table_name = %s ORDER BY ordinal_position",
                    (table,),
                ).fetchall()
                if not rows:
                    raise SystemExit(f"no table {table}: run migrate first")
                columns = [name for name, _nullable, _type in rows]
                defaults = {name: self._default(nullable, kind, stamp) for name, nullable, kind in rows}
                next_id = 1
                if "id" in columns:
                    next_id = (connection.execute(f"SELECT max(id) FROM {table}").fetchone() or (0,))[0] or 0
                    next_id += 1
                self.streams[table] = Stream(table, columns, defaults, None, next_id)
        for table, stream in self.streams.items():
            connection = psycopg.connect(url)
            connection.execute("SET session_replication_role = replica")
            self.connections.append(connection)
            cursor = self.stack.enter_context(connection.cursor())
            stream.copy = self.stack.enter_context(
                cursor.copy(f"COPY {table} ({', '.join(stream.columns)}) FROM STDIN")
            )

    @staticmethod
    def _default(nullable: str, kind: str, stamp: str) -> str:
        if nullable == "YES":
            return "\\N"
        if kind == "boolean":
            return "f"
        if kind in ("integer", "smallint", "bigint", "numeric"):
            return "0"
        if kind.startswith("timestamp") or kind == "date":
            return stamp
        if kind in ("jsonb", "json"):
            return "{}"
        return ""

    def __getitem__(self, table: str) -> Stream:
        return self.streams[table]

    def close(self) -> None:
        for stream in self.streams.values():
            stream.flush()
        self.stack.close()
        for connection in self.connections:
            connection.commit()
            connection.close()


class SqliteStream(Stream):
    """One table's rows, inserted in batches (executemany) into SQLite."""

    def add(self, values: dict[str, Any]) -> int:
        if "id" in self.columns and "id" not in values:
            values["id"] = self.next_id
            self.next_id += 1
        self.buffer.append(tuple(self._value(c, values) for c in self.columns))  # type: ignore[arg-type]
        self.rows += 1
        if len(self.buffer) >= BATCH:
            self.flush()
        return int(values.get("id", 0))

    def _value(self, column: str, values: dict[str, Any]) -> Any:
        if column in values:
            value = values[column]
        else:
            value = {"\\N": None, "f": 0}.get(self.defaults[column], self.defaults[column])
        if isinstance(value, (dict, list)):
            return json.dumps(value, ensure_ascii=False)
        if isinstance(value, Decimal):
            return str(value)
        if isinstance(value, str) and len(value) == 22 and value.endswith(" 10:00:00+09"):
            # Django keeps SQLite's date-times as naive UTC text: 10:00 in Japan is 01:00 UTC.
            return value[:11] + "01:00:00"
        return value

    def flush(self) -> None:
        if self.buffer:
            marks = ", ".join("?" for _ in self.columns)
            self.copy.executemany(
                f"INSERT INTO {self.table} ({', '.join(self.columns)}) VALUES ({marks})", self.buffer
            )
            self.buffer.clear()


class SqliteLoader(Loader):
    """The same rows into a SQLite file (one large city on the embedded database)."""

    def __init__(self, path: str, tables: list[str], stamp: str) -> None:
        import sqlite3

        self.connection = sqlite3.connect(path)
        self.connection.execute("PRAGMA foreign_keys = OFF")
        self.streams = {}
        for table in tables:
            rows = self.connection.execute(f"PRAGMA table_info({table})").fetchall()
            columns = [row[1] for row in rows]
            defaults = {
                row[1]: self._default("NO" if row[3] else "YES", _sqlite_kind(row[2]), stamp) for row in rows
            }
            next_id = (
                (self.connection.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0) + 1
                if "id" in columns
                else 1
            )
            self.streams[table] = SqliteStream(table, columns, defaults, self.connection, next_id)

    def close(self) -> None:
        for stream in self.streams.values():
            stream.flush()
        self.connection.commit()
        self.connection.close()


def _sqlite_kind(declared: str) -> str:
    declared = declared.lower()
    if declared.startswith("bool"):
        return "boolean"
    if "int" in declared or declared.startswith("decimal"):
        return "integer"
    if declared.startswith("datetime") or declared == "date":
        return "timestamp"
    return "text"


TABLES = [
    "organizations_municipality",
    "organizations_fiscalyear",
    "organizations_department",
    "organizations_section",
    "auth_user",
    "organizations_membership",
    "plans_plan",
    "plans_classification",
    "plans_plannode",
    "plans_indicator",
    "plans_target",
    "plans_measurement",
    "goals_goaldeclaration",
    "goals_goal",
    "goals_goalsection",
    "goals_goal_indicators",
    "progress_initiativerow",
    "progress_progressentry",
    "progress_entryresponsible",
    "workflow_collectionround",
    "workflow_collectionround_declarations",
    "workflow_roundrequest",
    "workflow_workflowstep",
    "publishing_publication",
    "publishing_searchentry",
    "core_auditevent",
]


# --- one municipality -------------------------------------------------------------------------------


@dataclass
class Context:
    years: list[int]
    content_types: dict[str, int]
    codes: set[str]
    per_prefecture: dict[int, int]
    departments: int | None = None  # fixed counts instead of the random ranges (one large city)
    sections: int | None = None


def _stamp(year: int, month: int = 3, day: int = 31) -> str:
    # Fiscal year `year` ends in March of the next calendar year.
    return f"{year + 1 if month <= 3 else year}-{month:02d}-{day:02d} 10:00:00+09"


def _code(rng: random.Random, ctx: Context) -> tuple[str, str]:
    from shinchoku.organizations.models import local_government_code_check_digit

    while True:
        prefecture = rng.randint(1, 47)
        number = ctx.per_prefecture.get(prefecture, 201)
        ctx.per_prefecture[prefecture] = number + rng.randint(1, 3)
        first = f"{prefecture:02d}{number:03d}"
        code = f"{first}{local_government_code_check_digit(first)}"
        if code not in ctx.codes and number < 999:
            ctx.codes.add(code)
            return code, text.PREFECTURES[prefecture - 1]


def _audit(
    load: Loader, ctx: Context, municipality: int, model: str, pk: int, label: str, at: str, actor: int
) -> None:
    load["core_auditevent"].add(
        {
            "municipality_id": municipality,
            "actor_id": actor,
            "occurred_at": at,
            "content_type_id": ctx.content_types[model],
            "object_id": str(pk),
            "object_repr": label[:500],
            "action": "create",
        }
    )


def _grade(rate: Decimal) -> str:
    return "達成" if rate >= 100 else "概ね達成" if rate >= 70 else "未達成"


def municipality(load: Loader, rng: random.Random, ctx: Context) -> dict[str, int]:
    code, prefecture = _code(rng, ctx)
    name = text.place_name(rng) + rng.choice(text.KINDS)
    slug = f"m{code}"
    first_stamp = _stamp(ctx.years[0], 4, 1)
    m = load["organizations_municipality"].add(
        {"code": code, "name": name, "prefecture": prefecture, "slug": slug, "created_at": first_stamp}
    )
    for year in ctx.years:
        load["organizations_fiscalyear"].add({"municipality_id": m, "year": year})

    department_names = rng.sample(
        text.DEPARTMENTS, ctx.departments or rng.randint(10, min(40, len(text.DEPARTMENTS)))
    )
    departments = [
        load["organizations_department"].add(
            {"municipality_id": m, "name": dname, "position": position, "created_at": first_stamp}
        )
        for position, dname in enumerate(department_names)
    ]
    section_count = ctx.sections or rng.randint(max(30, len(departments)), 200)
    sections: list[tuple[int, int, str]] = []  # (id, department id, name)
    for position, sname in enumerate(text.section_names(rng, section_count)):
        department = (
            departments[position % len(departments)]
            if position < len(departments)
            else rng.choice(departments)
        )
        pk = load["organizations_section"].add(
            {
                "municipality_id": m,
                "department_id": department,
                "name": sname,
                "position": position,
                "created_at": first_stamp,
            }
        )
        sections.append((pk, department, sname))
    by_department: dict[int, list[tuple[int, int, str]]] = {}
    for section in sections:
        by_department.setdefault(section[1], []).append(section)

    users = load["auth_user"]
    members = load["organizations_membership"]

    def user(role: str, number: int, department: int | None = None, section: int | None = None) -> int:
        pk = users.add(
            {
                "username": f"{slug}-{role}-{number}",
                "password": "!national-bench",
                "last_name": rng.choice("佐藤鈴木高橋田中伊藤渡辺山本中村小林加藤"),
                "first_name": rng.choice("一二三四五六七八九十"),
                "is_active": True,
                "date_joined": first_stamp,
            }
        )
        members.add(
            {
                "user_id": pk,
                "municipality_id": m,
                "role": role,
                "department_id": department,
                "section_id": section,
            }
        )
        return pk

    planner = user("planning_admin", 1)
    user("viewer", 1)
    heads = {d: user("department_head", i, department=d) for i, d in enumerate(departments, start=1)}
    staff = {s[0]: user("section_staff", i, section=s[0]) for i, s in enumerate(sections, start=1)}
    for i, s in enumerate(sections[: len(sections) // 2], start=1):
        user("section_head", i, section=s[0])

    # Plans: a guideline (指針) of initiatives and a comprehensive plan (総合計画) of policies.
    guideline_name = f"{name}{rng.choice(text.TOPICS)}推進指針"
    guideline = load["plans_plan"].add(
        {
            "municipality_id": m,
            "kind": "guideline",
            "name": guideline_name,
            "start_year": ctx.years[0],
            "created_at": first_stamp,
        }
    )
    classes = [
        load["plans_classification"].add({"plan_id": guideline, "code": c, "label": label, "position": i})
        for i, (c, label) in enumerate(text.CLASSIFICATIONS)
    ]
    nodes = load["plans_plannode"]
    initiatives: list[dict[str, Any]] = []
    chapters, total = rng.randint(3, 6), rng.randint(30, 60)
    for c in range(1, chapters + 1):
        chapter_title = f"{c} {rng.choice(text.TOPICS)}の{rng.choice(text.ACTIONS)}"
        chapter = nodes.add(
            {
                "plan_id": guideline,
                "kind": "chapter",
                "title": chapter_title,
                "position": c,
                "path": f"{c:04d}",
                "created_at": first_stamp,
            }
        )
        for i in range(1, total // chapters + (c <= total % chapters) + 1):
            title = f"{rng.choice(text.TOPICS)}{rng.choice(('の', 'に係る', 'における'))}{rng.choice(text.METHODS)}"
            body = f"{rng.choice(text.SUBJECTS)}の{rng.choice(text.TOPICS)}を{rng.choice(text.ACTIONS)}する"
            pk = nodes.add(
                {
                    "plan_id": guideline,
                    "parent_id": chapter,
                    "kind": "initiative",
                    "title": title,
                    "body": body,
                    "position": i,
                    "path": f"{c:04d}.{i:04d}",
                    "created_at": first_stamp,
                }
            )
            initiatives.append(
                {
                    "id": pk,
                    "chapter": chapter_title,
                    "title": title,
                    "body": body,
                    "section": rng.choice(sections),
                }
            )
    comprehensive = load["plans_plan"].add(
        {
            "municipality_id": m,
            "kind": "comprehensive",
            "name": f"第{rng.randint(2, 6)}次{name}総合計画",
            "start_year": ctx.years[0],
            "end_year": ctx.years[-1],
            "created_at": first_stamp,
        }
    )
    policies = []
    for c in range(1, 7):
        chapter = nodes.add(
            {
                "plan_id": comprehensive,
                "kind": "chapter",
                "title": f"第{c}章 {rng.choice(text.TOPICS)}",
                "position": c,
                "path": f"{c:04d}",
                "created_at": first_stamp,
            }
        )
        for p in range(1, 6):
            policies.append(
                nodes.add(
                    {
                        "plan_id": comprehensive,
                        "parent_id": chapter,
                        "kind": "policy",
                        "label": f"{c}-{p}",
                        "title": f"{rng.choice(text.TOPICS)}の{rng.choice(text.ACTIONS)}",
                        "position": p,
                        "path": f"{c:04d}.{p:04d}",
                        "created_at": first_stamp,
                    }
                )
            )

    # Goal slots per department: the same goals and indicators year after year, as departments do.
    slots: dict[int, list[dict[str, Any]]] = {}
    for d in departments:
        own = by_department.get(d) or [rng.choice(sections)]
        department_slots = []
        for number in range(1, rng.randint(5, 15) + 1):
            indicators = []
            for _k in range(rng.choices((1, 2, 3, 4), weights=(50, 30, 15, 5))[0]):
                unit = rng.choice(text.UNITS)
                target = Decimal(rng.choice((50, 80, 100, 120, 300, 500, 1200, 5000, 24000)))
                iname = text.indicator_name(rng, unit)
                pk = load["plans_indicator"].add(
                    {
                        "municipality_id": m,
                        "plan_node_id": rng.choice(policies),
                        "name": iname,
                        "proposed_name": iname,
                        "unit": unit,
                        "direction": "increase",
                        "formula": "ratio",
                        "weight": 1,
                        "position": number,
                        "created_at": first_stamp,
                    }
                )
                for year in ctx.years:
                    load["plans_target"].add(
                        {
                            "indicator_id": pk,
                            "fiscal_year": year,
                            "kind": "final",
                            "value": target,
                            "text": f"{target:,}{unit}",
                            "created_at": first_stamp,
                        }
                    )
                indicators.append({"id": pk, "name": iname, "unit": unit, "target": target})
            department_slots.append(
                {
                    "number": number,
                    "title": text.goal_title(rng),
                    "sections": rng.sample(own, min(len(own), rng.choice((1, 1, 2)))),
                    "indicators": indicators,
                }
            )
        slots[d] = department_slots

    for year_index, year in enumerate(ctx.years):
        _year(
            load,
            rng,
            ctx,
            m,
            name,
            year,
            year_index == len(ctx.years) - 1,
            departments,
            department_names,
            sections,
            heads,
            staff,
            planner,
            slots,
            guideline,
            guideline_name,
            classes,
            initiatives,
        )
    return {"id": m}


def _year(
    load: Loader,
    rng: random.Random,
    ctx: Context,
    m: int,
    city: str,
    year: int,
    last: bool,
    departments: list[int],
    department_names: list[str],
    sections: list[tuple[int, int, str]],
    heads: dict[int, int],
    staff: dict[int, int],
    planner: int,
    slots: dict[int, list[dict[str, Any]]],
    guideline: int,
    guideline_name: str,
    classes: list[int],
    initiatives: list[dict[str, Any]],
) -> None:
    opened, ended = _stamp(year, 4, 15), _stamp(year + 1, 6, 30) if not last else None
    declarations: list[int] = []
    publications = load["publishing_publication"]
    search = load["publishing_searchentry"]
    goal_docs_by_department: dict[int, tuple[str, list[dict[str, Any]], list[dict[str, Any]]]] = {}
    for d, dname in zip(departments, department_names, strict=True):
        position = f"{dname[:-1] if dname.endswith('部') else dname}部長"
        title = f"{year}年度 {position}の目標宣言"
        declaration = load["goals_goaldeclaration"].add(
            {
                "municipality_id": m,
                "fiscal_year": year,
                "department_id": d,
                "title": title,
                "declarer_position": position,
                "created_at": opened,
            }
        )
        declarations.append(declaration)
        goals_doc, evaluation = [], []
        for slot in slots[d]:
            content = text.paragraph(rng, (1, 3))
            target_text = text.paragraph(rng, (1, 2))
            result_text = text.paragraph(rng, (1, 3)) if not last else ""
            direction = text.paragraph(rng, (1, 2)) if not last else ""
            status = text.paragraph(rng, (1, 2)) if not last else ""
            goal = load["goals_goal"].add(
                {
                    "declaration_id": declaration,
                    "number": slot["number"],
                    "title": slot["title"],
                    "content": content,
                    "target_text": target_text,
                    "result_text": result_text,
                    "direction_text": direction,
                    "status_text": status,
                    "created_at": opened,
                }
            )
            _audit(load, ctx, m, "goals.goal", goal, f"{slot['number']}. {slot['title']}", opened, heads[d])
            for p, section in enumerate(slot["sections"]):
                load["goals_goalsection"].add({"goal_id": goal, "section_id": section[0], "position": p})
            targets, actuals = [], []
            for indicator in slot["indicators"]:
                load["goals_goal_indicators"].add({"goal_id": goal, "indicator_id": indicator["id"]})
                target = indicator["target"]
                targets.append(
                    {
                        "label": None,
                        "value": str(target),
                        "unit": indicator["unit"],
                        "approximate": False,
                        "provisional": False,
                    }
                )
                if last:
                    continue
                actual = (target * Decimal(rng.randint(40, 140)) / 100).quantize(Decimal(1))
                load["plans_measurement"].add(
                    {
                        "indicator_id": indicator["id"],
                        "fiscal_year": year,
                        "value": actual,
                        "text": f"{actual:,}{indicator['unit']}",
                        "created_at": _stamp(year + 1, 5, 31),
                    }
                )
                actuals.append(
                    {
                        "label": None,
                        "value": str(actual),
                        "unit": indicator["unit"],
                        "approximate": False,
                        "provisional": False,
                    }
                )
                rate = (actual * 100 / target).quantize(Decimal("0.1"))
                evaluation.append(
                    {
                        "goal_number": slot["number"], "goal_title": slot["title"], "department": dname,
                        "label": indicator["name"], "unit": indicator["unit"], "target": str(target), "actual": str(actual),
                        "formula": "ratio", "rate": str(rate), "grade": _grade(rate), "stated_grade": None, "state": "final",
                        "provisional": False, "reason": None, "grade_source": "computed", "weight": "1", "scale": "達成・概ね達成・未達成",
                    }
                )  # fmt: skip
            goals_doc.append(
                {
                    "number": slot["number"], "title": slot["title"], "sections": [s[2] for s in slot["sections"]],
                    "content": content, "target_text": target_text, "result_text": result_text,
                    "direction_text": direction, "status_text": status, "targets": targets, "actuals": actuals,
                }
            )  # fmt: skip
        goal_docs_by_department[d] = (position, goals_doc, evaluation)

    # The guideline's rows of the year: results of the year, plans for the next.
    initiative_docs = []
    for initiative in initiatives:
        code = rng.randrange(len(classes))
        policy = text.CLASSIFICATIONS[code][1]
        row = load["progress_initiativerow"].add(
            {
                "initiative_id": initiative["id"],
                "fiscal_year": year,
                "position": 0,
                "classification_id": classes[code],
                "policy": policy,
                "created_at": opened,
            }
        )
        row_doc: dict[str, Any] = {
            "classification": text.CLASSIFICATIONS[code][0],
            "policy": policy,
            "results": [],
            "plans": [],
        }
        for kind, entry_year, count in (
            ("result", year, 0 if last else rng.randint(1, 3)),
            ("plan", year + 1, rng.randint(1, 3)),
        ):
            for p in range(count):
                words = text.sentence(rng) if kind == "result" else text.plan_sentence(rng)
                section = initiative["section"] if rng.random() < 0.8 else rng.choice(sections)
                entry = load["progress_progressentry"].add(
                    {
                        "row_id": row,
                        "kind": kind,
                        "fiscal_year": entry_year,
                        "position": p,
                        "text": words,
                        "created_at": opened,
                    }
                )
                load["progress_entryresponsible"].add(
                    {"entry_id": entry, "position": 0, "section_id": section[0]}
                )
                _audit(load, ctx, m, "progress.progressentry", entry, words[:60], opened, staff[section[0]])
                row_doc["results" if kind == "result" else "plans"].append(
                    {"text": words, "sections": [section[2]]}
                )
        initiative_docs.append(
            {
                "chapter": initiative["chapter"],
                "subsection": "",
                "group": "",
                "title": initiative["title"],
                "guideline_text": initiative["body"],
                "rows": [row_doc],
            }
        )

    # Two rounds a year: the goals' year-end results and the guideline's progress.
    for kind, title, plan in (
        ("year_end_results", "目標宣言の達成状況の照会", None),
        ("guideline_progress", f"{guideline_name}の進捗状況の照会", guideline),
    ):
        round_pk = load["workflow_collectionround"].add(
            {
                "municipality_id": m, "fiscal_year": year, "kind": kind, "title": f"{year}年度 {title}",
                "deadline": _stamp(year + 1, 5, 31)[:10], "status": "open" if last else "closed",
                "opened_by_id": planner, "opened_at": opened, "closed_at": ended, "plan_id": plan, "created_at": opened,
            }
        )  # fmt: skip
        if plan is None:
            for declaration in declarations:
                load["workflow_collectionround_declarations"].add(
                    {"collectionround_id": round_pk, "goaldeclaration_id": declaration}
                )
        for section in sections:
            done = not last or rng.random() < 0.3
            request = load["workflow_roundrequest"].add(
                {
                    "municipality_id": m, "round_id": round_pk, "section_id": section[0],
                    "status": ("accepted" if not last else "submitted") if done else "pending",
                    "submitted_at": _stamp(year + 1, 5, 20) if done else None,
                    "submitted_by_id": staff[section[0]] if done else None,
                    "accepted_at": _stamp(year + 1, 5, 30) if done and not last else None,
                    "accepted_by_id": planner if done and not last else None, "created_at": opened,
                }
            )  # fmt: skip
            if done:
                load["workflow_workflowstep"].add(
                    {
                        "request_id": request,
                        "from_status": "pending",
                        "to_status": "submitted",
                        "actor_id": staff[section[0]],
                        "at": _stamp(year + 1, 5, 20),
                    }
                )
            if done and not last:
                load["workflow_workflowstep"].add(
                    {
                        "request_id": request,
                        "from_status": "submitted",
                        "to_status": "accepted",
                        "actor_id": planner,
                        "at": _stamp(year + 1, 5, 30),
                    }
                )

    # Each declaration is published when it is made (revision 1) and again with its results at
    # the year's end (revision 2); only the current revision is searched.
    for d, dname in zip(departments, department_names, strict=True):
        position, goals_doc, evaluation = goal_docs_by_department[d]
        title = f"{year}年度 {position}の目標宣言"
        declared = [
            {**goal, "result_text": "", "direction_text": "", "status_text": "", "actuals": []}
            for goal in goals_doc
        ]
        pub = publications.add(
            {
                "municipality_id": m, "kind": "goal_declaration", "fiscal_year": year, "department_id": d,
                "title": title, "revision": 1, "is_current": last, "published_at": _stamp(year, 5, 31), "published_by_id": planner,
                "document": {"kind": "goal_declaration", "fiscal_year": year, "title": title, "declarer": {"position": position, "name": ""}, "goals": declared, "unplaced": []},
                "evaluation": {},
            }
        )  # fmt: skip
        if last:
            _goal_search(search, pub, m, year, dname, declared, [])
    if last:
        return  # this year's results are not written yet
    published = _stamp(year + 1, 6, 30)
    for d, dname in zip(departments, department_names, strict=True):
        position, goals_doc, evaluation = goal_docs_by_department[d]
        graded = len(evaluation)
        at_or_above = sum(1 for e in evaluation if e["grade"] in ("達成", "概ね達成"))
        share = str((Decimal(at_or_above * 100) / graded).quantize(Decimal("0.1"))) if graded else None
        title = f"{year}年度 {position}の目標宣言 達成状況報告"
        pub = publications.add(
            {
                "municipality_id": m, "kind": "goal_declaration", "fiscal_year": year, "department_id": d,
                "title": title, "revision": 2, "is_current": True, "published_at": published, "published_by_id": planner,
                "document": {"kind": "goal_declaration", "fiscal_year": year, "title": title, "declarer": {"position": position, "name": ""}, "goals": goals_doc, "unplaced": []},
                "evaluation": {
                    "scale": {"name": "達成・概ね達成・未達成", "grades": ["達成", "概ね達成", "未達成"]},
                    "indicators": evaluation,
                    "rollup": {"label": dname, "threshold": "概ね達成", "indicators": graded, "graded": graded, "at_or_above": at_or_above, "share": share, "weighted_share": share, "weight_graded": str(graded), "weight_at_or_above": str(at_or_above), "not_evaluable": 0, "awaiting_person": 0},
                },
            }
        )  # fmt: skip
        _goal_search(search, pub, m, year, dname, goals_doc, evaluation)
    title = f"『{guideline_name}』の進捗状況（{year}年度）"
    pub = publications.add(
        {
            "municipality_id": m, "kind": "guideline_progress", "fiscal_year": year, "plan_id": guideline,
            "title": title, "revision": 1, "is_current": True, "published_at": published, "published_by_id": planner,
            "document": {"kind": "guideline_progress", "guideline": guideline_name, "result_year": year, "plan_year": year + 1, "classifications": [{"code": c, "label": label} for c, label in text.CLASSIFICATIONS], "initiatives": initiative_docs, "unplaced": []},
            "evaluation": {},
        }
    )  # fmt: skip
    for index, initiative in enumerate(initiative_docs, start=1):
        bullets = [b for row in initiative["rows"] for b in [*row["results"], *row["plans"]]]
        names = list(dict.fromkeys(n for b in bullets for n in b["sections"]))
        search.add(
            {
                "publication_id": pub, "municipality_id": m, "fiscal_year": year, "department_name": "",
                "section_names": "、".join(names), "grade": "", "heading": initiative["title"],
                "body": "\n".join([initiative["title"], initiative["guideline_text"], *(r["policy"] for r in initiative["rows"]), *(b["text"] for b in bullets), "、".join(names)]),
                "anchor": f"initiative-{index}",
            }
        )  # fmt: skip


def _goal_search(
    search: Stream,
    pub: int,
    m: int,
    year: int,
    department: str,
    goals: list[dict[str, Any]],
    evaluation: list[dict[str, Any]],
) -> None:
    """What publishing.services._search_entries makes of a goal declaration: one entry a goal."""
    for goal in goals:
        grades = dict.fromkeys(e["grade"] for e in evaluation if e["goal_number"] == goal["number"])
        body = "\n".join(
            t
            for t in [
                goal["title"],
                goal["content"],
                goal["target_text"],
                goal["result_text"],
                goal["direction_text"],
                goal["status_text"],
                "、".join(goal["sections"]),
            ]
            if t
        )
        search.add(
            {
                "publication_id": pub, "municipality_id": m, "fiscal_year": year, "department_name": department,
                "section_names": "、".join(goal["sections"]), "grade": "".join(f"|{g}|" for g in grades),
                "heading": f"{goal['number']}. {goal['title']}", "body": body, "anchor": f"goal-{goal['number']}",
            }
        )  # fmt: skip


# --- generate -----------------------------------------------------------------------------------------


def _secondary_indexes(url: str) -> list[tuple[str, str]]:
    """The indexes of the loaded tables that no constraint stands on (foreign keys' indexes,
    the trigram indexes…): built once after the rows, far faster than row by row."""
    with psycopg.connect(url) as connection:
        return connection.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = ANY(%s) "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
            (TABLES,),
        ).fetchall()


def _index_cost(index: tuple[str, str]) -> int:
    """A rough order of the time an index takes to build: trigram GIN indexes far the longest."""
    name, definition = index
    return (2 if "gin" in definition.lower() else 1) * (3 if "searchentry" in name or "audit" in name else 1)


def _by_size(url: str, tables: list[str]) -> list[str]:
    with psycopg.connect(url) as connection:
        sizes = dict(
            connection.execute(
                "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname = ANY(%s)", (tables,)
            ).fetchall()
        )
    return sorted(tables, key=lambda table: sizes.get(table, 0), reverse=True)


def _each_on_two_connections(url: str, statements: list[str]) -> None:
    """Run the statements two at a time, each on a connection of its own."""
    pending = list(statements)
    failed: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute("SET maintenance_work_mem = '1GB'")
                while True:
                    with lock:
                        if not pending or failed:
                            return
                        statement = pending.pop(0)
                    connection.execute(statement)
        except BaseException as error:  # raised again below, in the calling thread
            failed.append(error)

    workers = [threading.Thread(target=work) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    if failed:
        raise failed[0]


ROLLUPS_SQL = """
INSERT INTO publishing_publishedrollup
    (publication_id, municipality_id, fiscal_year, scale, threshold, indicators, graded, at_or_above, grades)
SELECT p.id, p.municipality_id, p.fiscal_year, p.evaluation -> 'scale' ->> 'name',
       p.evaluation -> 'rollup' ->> 'threshold', (p.evaluation -> 'rollup' ->> 'indicators')::int,
       (p.evaluation -> 'rollup' ->> 'graded')::int, (p.evaluation -> 'rollup' ->> 'at_or_above')::int,
       COALESCE((SELECT jsonb_object_agg(grade, n) FROM (
           SELECT i ->> 'grade' AS grade, count(*) AS n FROM jsonb_array_elements(p.evaluation -> 'indicators') i
           WHERE i ->> 'grade' IS NOT NULL GROUP BY 1) grades), '{}'::jsonb)
FROM publishing_publication p
WHERE p.is_current AND p.kind = 'goal_declaration' AND jsonb_typeof(p.evaluation -> 'rollup') = 'object'
ON CONFLICT DO NOTHING
"""


def _migrate(url: str) -> None:
    """The schema, by the project's own migrations (the demo's settings: no secret key needed)."""
    env = {**os.environ, "DATABASE_URL": url, "SHINCHOKU_ENV": "development"}
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "--no-input"],
        env=env,
        check=True,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
    )


def generate_sqlite(args: argparse.Namespace) -> None:
    """One large city on SQLite (the embedded default): the same rows, inserted in batches."""
    path = Path(args.sqlite).resolve()
    path.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{path}"
    started = time.perf_counter()
    _migrate(url)
    _django(url)
    from django.contrib.contenttypes.models import ContentType

    years = list(range(args.first_year, args.first_year + args.years))
    ctx = Context(
        years=years,
        content_types={f"{ct.app_label}.{ct.model}": ct.pk for ct in ContentType.objects.all()},
        codes=set(),
        per_prefecture={},
        departments=args.departments,
        sections=args.sections,
    )
    load = SqliteLoader(str(path), TABLES, _stamp(years[0], 4, 1))
    rng = random.Random(args.seed)
    for _number in range(args.municipalities):
        municipality(load, random.Random(rng.random()), ctx)
    load.close()
    from shinchoku.publishing.models import Publication, PublishedRollup
    from shinchoku.publishing.rollups import rollup_fields

    current = Publication.objects.filter(is_current=True, kind="goal_declaration")
    PublishedRollup.objects.bulk_create(
        PublishedRollup(
            publication_id=p.pk, municipality_id=p.municipality_id, fiscal_year=p.fiscal_year, **fields
        )
        for p in current.only("id", "municipality_id", "fiscal_year", "evaluation")
        if (fields := rollup_fields(p.evaluation)) is not None
    )
    import sqlite3

    with sqlite3.connect(path) as connection:
        connection.execute("ANALYZE")
    print(f"Generated {args.municipalities} municipality × {args.years} fiscal years into {path}:")
    for table in TABLES:
        print(f"  {table:<40} {load[table].rows:>12,} rows")
    print(f"{time.perf_counter() - started:.0f} s; {path.stat().st_size / 1e6:,.0f} MB")


def generate(args: argparse.Namespace) -> None:
    if args.sqlite:
        generate_sqlite(args)
        return
    url = args.database_url or _cluster_url(DATABASE)
    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    started = time.perf_counter()
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    _migrate(url)
    migrated = time.perf_counter()
    _django(url)
    from django.contrib.contenttypes.models import ContentType

    content_types = {f"{ct.app_label}.{ct.model}": ct.pk for ct in ContentType.objects.all()}
    dropped = _secondary_indexes(url)
    with psycopg.connect(url, autocommit=True) as connection:
        for index, _definition in dropped:
            connection.execute(f"DROP INDEX {index}")
    years = list(range(args.first_year, args.first_year + args.years))
    ctx = Context(
        years=years,
        content_types=content_types,
        codes=set(),
        per_prefecture={},
        departments=args.departments,
        sections=args.sections,
    )
    load = Loader(url, TABLES, _stamp(years[0], 4, 1))
    rng = random.Random(args.seed)
    for number in range(args.municipalities):
        municipality(load, random.Random(rng.random()), ctx)
        if (number + 1) % max(1, args.municipalities // 20) == 0:
            print(
                f"  {number + 1:>5} municipalities, {time.perf_counter() - migrated:6.0f} s", file=sys.stderr
            )
    load.close()
    loaded = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        # What publishing writes beside each current goal declaration (publishing.rollups),
        # derived here from the evaluations just loaded.
        rollups = connection.execute(ROLLUPS_SQL).rowcount
        for table in TABLES:
            connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
    # Two at a time, one per core: a GIN index (the trigram ones, most of the time) is built by
    # one process, so one connection left the other core idle (613 s for indexes and VACUUM).
    # The largest first, so that the two connections finish together.
    _each_on_two_connections(url, [d for _i, d in sorted(dropped, key=_index_cost, reverse=True)])
    _each_on_two_connections(url, [f"VACUUM (ANALYZE) {table}" for table in _by_size(url, TABLES)])
    with psycopg.connect(url, autocommit=True) as connection:
        size = connection.execute("SELECT pg_size_pretty(pg_database_size(current_database()))").fetchone()
    done = time.perf_counter()
    print(f"Generated {args.municipalities} municipalities × {args.years} fiscal years into {name}:")
    for table in TABLES:
        print(f"  {table:<40} {load[table].rows:>12,} rows")
    print(f"  {'publishing_publishedrollup (derived)':<40} {rollups:>12,} rows")
    print(f"  {'total':<40} {sum(s.rows for s in load.streams.values()) + rollups:>12,} rows")
    print(
        f"migrate {migrated - started:.0f} s, rows {loaded - migrated:.0f} s, indexes and analyse "
        f"{done - loaded:.0f} s: {done - started:.0f} s in all; database size {size[0] if size else '?'}"
    )


# --- measure -----------------------------------------------------------------------------------------


@dataclass
class Sample:
    ms: float
    queries: int
    slowest_sql: str
    slowest_ms: float


def _pages(rng: random.Random, sample: int) -> list[tuple[str, str, int | None]]:
    """(page kind, URL, user id or None for a citizen) for ``sample`` municipalities.

    The generator writes published revisions as rows, without the files publishing renders
    (index, summary, each revision's pages and downloads: 0.2 s a revision, days for the
    whole country). The sampled municipalities' files are rendered here, as publishing would
    have, so that citizens' pages are measured as they are served.
    """
    from shinchoku.goals.models import GoalDeclaration
    from shinchoku.organizations.models import Membership, Municipality
    from shinchoku.publishing.artefacts import municipality_render, revision_render
    from shinchoku.publishing.models import Publication, SearchEntry
    from shinchoku.workflow.models import CollectionRound, RoundRequest

    ids = list(Municipality.objects.values_list("id", flat=True))
    pages: list[tuple[str, str, int | None]] = []
    for municipality in Municipality.objects.filter(id__in=rng.sample(ids, min(sample, len(ids)))):
        slug = municipality.slug
        members = {m.role: m for m in Membership.objects.filter(municipality=municipality).order_by("-id")}
        staff, head, planner = members["section_staff"], members["department_head"], members["planning_admin"]
        last = CollectionRound.objects.filter(municipality=municipality).order_by("-fiscal_year").first()
        assert last is not None
        year = last.fiscal_year
        rounds = CollectionRound.objects.filter(municipality=municipality, fiscal_year=year)
        guideline_round = rounds.get(kind="guideline_progress")
        goals_round = rounds.get(kind="year_end_results")
        request = RoundRequest.objects.get(round=guideline_round, section_id=staff.section_id)
        declaration = GoalDeclaration.objects.filter(municipality=municipality, fiscal_year=year).first()
        assert declaration is not None
        published = Publication.objects.filter(municipality=municipality, is_current=True).order_by(
            "-fiscal_year"
        )
        goal_report = published.filter(kind="goal_declaration").first()
        guideline_report = published.filter(kind="guideline_progress").first()
        assert goal_report is not None and guideline_report is not None
        revision_render(goal_report)
        revision_render(guideline_report)
        municipality_render(municipality)
        entry = SearchEntry.objects.filter(municipality=municipality).order_by("?").first()
        assert entry is not None
        words = entry.body.replace("\n", "").replace("・", "")
        start = rng.randrange(max(1, len(words) - 6))
        pages += [
            ("staff: my work (section staff)", "/my/", staff.user_id),
            ("staff: my work (department head)", "/my/", head.user_id),
            ("staff: municipality home", f"/m/{slug}/", planner.user_id),
            ("staff: rounds", f"/m/{slug}/rounds/", planner.user_id),
            ("staff: round board", f"/m/{slug}/rounds/{guideline_round.pk}/", planner.user_id),
            ("staff: request (guideline)", f"/m/{slug}/rounds/{guideline_round.pk}/sections/{staff.section_id}/", staff.user_id),
            ("staff: request (goals)", f"/m/{slug}/rounds/{goals_round.pk}/sections/{staff.section_id}/", staff.user_id),
            ("staff: request history", f"/m/{slug}/rounds/{request.round_id}/sections/{staff.section_id}/history/", staff.user_id),
            ("staff: declarations", f"/m/{slug}/declarations/", head.user_id),
            ("staff: declaration", f"/m/{slug}/declarations/{declaration.pk}/", head.user_id),
            ("staff: evaluation", f"/m/{slug}/evaluation/", planner.user_id),
            ("staff: achievement year", f"/m/{slug}/evaluation/{year - 1}/", planner.user_id),
            ("staff: achievement department", f"/m/{slug}/evaluation/{year - 1}/departments/{head.department_id}/", planner.user_id),
            (CHANGED + "staff: achievement year, after a change of its actuals", f"/m/{slug}/evaluation/{year - 1}/", planner.user_id),
            (COLD + "staff: achievement year, first view in the process", f"/m/{slug}/evaluation/{year - 1}/", planner.user_id),
            ("portal: index", f"/p/{slug}/", None),
            ("portal: goal report", f"/p/{slug}/reports/{goal_report.pk}/", None),
            ("portal: guideline report", f"/p/{slug}/reports/{guideline_report.pk}/", None),
            ("portal: summary", f"/p/{slug}/summary/", None),
            ("portal: search, 2 characters", f"/p/{slug}/search/?q={words[start:start + 2]}", None),
            ("portal: search, 3 characters", f"/p/{slug}/search/?q={words[start:start + 3]}", None),
            ("portal: search, 5 characters", f"/p/{slug}/search/?q={words[start:start + 5]}", None),
            ("portal: comparison, prefectures", "/compare/", None),
            ("portal: comparison, a prefecture", f"/compare/?prefecture={municipality.prefecture}", None),
            ("portal: search, 3 characters, year and department", f"/p/{slug}/search/?q={words[start:start + 3]}&year={entry.fiscal_year}&department={entry.department_name}", None),
        ]  # fmt: skip
    return pages


# The achievement year page asked for with nothing of the municipality judged yet, or as after
# a change of an actual of the year in view: what is kept judged is dropped first.
COLD = "cold:"
CHANGED = "changed:"


def measure(args: argparse.Namespace) -> None:
    url = args.database_url or _cluster_url(DATABASE)
    os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
    _django(url)
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    from shinchoku.evaluation.summaries import KEPT
    from shinchoku.organizations.models import Municipality

    setup_test_environment()
    # As a worker is set (shinchoku/wsgi.py): full collections would otherwise add 100–160 ms
    # to a page now and then.
    from shinchoku.core import collector

    collector.tune()
    rng = random.Random(args.seed)
    pages = _pages(rng, args.sample)
    results: dict[str, list[Sample]] = {}
    clients: dict[int | None, Client] = {}
    for _round in range(args.repeat + 1):  # the first round warms caches and is not counted
        for kind, address, user in pages:
            client = clients.get(user)
            if client is None:
                client = clients[user] = Client()
                if user is not None:
                    client.force_login(User.objects.get(pk=user))
            if kind.startswith((COLD, CHANGED)):
                town = Municipality.objects.get(slug=address.split("/")[2]).pk
                if kind.startswith(COLD):  # nothing of the municipality judged yet
                    KEPT.discard(town)
                else:  # as after an actual of the year changed: it and the years after it
                    changed = int(address.split("/")[4])
                    judged = KEPT.town(town).judged
                    for kept_year in [y for y in judged if y >= changed]:
                        del judged[kept_year]
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = client.get(address)
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"{kind}: {address} answered {response.status_code}")
            if _round == 0:
                continue
            slowest = max(
                captured.captured_queries, key=lambda q: float(q["time"]), default={"sql": "", "time": "0"}
            )
            results.setdefault(kind.removeprefix(COLD).removeprefix(CHANGED), []).append(
                Sample(elapsed, len(captured.captured_queries), slowest["sql"], float(slowest["time"]) * 1000)
            )
    print(f"{'page':<52} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'queries':>8}")
    for kind, samples in results.items():
        times = sorted(s.ms for s in samples)
        p50 = times[len(times) // 2]
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        print(
            f"{kind:<52} {len(times):>4} {p50:>8.1f} {p95:>8.1f} {times[-1]:>8.1f} {max(s.queries for s in samples):>8}"
        )
    if args.explain:
        print()
        for kind, samples in results.items():
            slowest = max(samples, key=lambda s: s.slowest_ms)
            if not slowest.slowest_sql:
                continue
            with connection.cursor() as cursor:
                explain = (
                    "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
                )
                cursor.execute(explain + slowest.slowest_sql)
                plan = "\n".join(f"    {row[-1]}" for row in cursor.fetchall())
            print(
                f"== {kind}: slowest query {slowest.slowest_ms:.1f} ms\n    {slowest.slowest_sql[:300]}\n{plan}\n"
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate")
    gen.add_argument("--municipalities", type=int, default=1741)
    gen.add_argument("--years", type=int, default=10)
    gen.add_argument("--seed", type=float, default=13)
    gen.add_argument("--database-url", help=f"default: {DATABASE} on build/pg-national")
    gen.add_argument("--sqlite", help="a SQLite file instead (one large city: --municipalities 1)")
    gen.add_argument("--departments", type=int, help="departments per municipality (10–40 at random)")
    gen.add_argument("--sections", type=int, help="sections per municipality (30–200 at random)")
    gen.add_argument("--first-year", type=int, default=FIRST_YEAR)
    mes = commands.add_parser("measure")
    mes.add_argument("--sample", type=int, default=12, help="municipalities sampled (12)")
    mes.add_argument("--repeat", type=int, default=2, help="times each page is asked for (2)")
    mes.add_argument("--seed", type=float, default=7)
    mes.add_argument("--no-explain", dest="explain", action="store_false")
    mes.add_argument("--database-url", help=f"default: {DATABASE} on build/pg-national")
    args = parser.parse_args(argv)
    if args.command == "generate":
        generate(args)
    else:
        measure(args)


if __name__ == "__main__":
    main()
