"""What a process really loads (import-linter checks the source; these check sys.modules of a fresh interpreter)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest


def loaded(module: str) -> list[str]:
    code = f"import json, sys; import {module}; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def test_the_ocr_worker_loads_no_catalog_and_no_search_engine():
    mods = loaded("girok.ingest.prepare")
    bad = [m for m in mods if m.split(".")[0] in ("sqlalchemy", "alembic", "whoosh", "tantivy", "kiwipiepy")
           or m.startswith(("girok.catalog", "girok.search"))]
    assert not bad, bad


@pytest.mark.parametrize("engine, other", [("girok.search.tantivy_engine", "whoosh"),
                                           ("girok.search.whoosh_engine", "tantivy")])
def test_a_search_engine_does_not_load_the_other(engine, other):
    assert not [m for m in loaded(engine) if m.split(".")[0] == other]


def test_the_cli_loads_no_domain_code_before_a_command_runs():
    mods = loaded("girok.cli.main")
    assert not [m for m in mods if m.split(".")[0] in ("sqlalchemy", "ocrmypdf", "numpy", "whoosh", "tantivy")]


def test_only_the_catalog_package_speaks_sql():
    """Every SQL statement is behind girok.catalog: no SQLAlchemy session, engine, statement or PRAGMA elsewhere."""
    import re
    from pathlib import Path

    girok = Path(__file__).resolve().parent.parent / "girok"
    sql = re.compile(r"sqlalchemy|\bSession\b|create_engine|catalog\.engine|\.execute\(|PRAGMA|\bselect\(")
    found = [f"{p.relative_to(girok)}:{n}: {line.strip()}"
             for p in sorted(girok.rglob("*.py")) if p.relative_to(girok).parts[0] != "catalog"
             for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1) if sql.search(line)]
    assert not found, "\n".join(found)
