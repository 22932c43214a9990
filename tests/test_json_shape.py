"""One JSON shape per kind of thing (issue 17, item 5; README "JSON output"): every command that takes --json
is run against one small real archive (real OCR for ingest and watch), and everything it prints is checked:

- a document is the same object everywhere: ``id`` (never ``reg_no``), ``type``, ``date``, ``captured_at``,
  ``source`` as an object, ``qr`` as an object, ``applicant`` masked; hits, ingest lines, holds and exports
  carry the whole summary;
- every time is ISO 8601 in Korean time with its offset (+09:00), never UTC without a zone, never ``Z``;
- no string holds JSON; no 주민등록번호 in clear;
- ``documents`` is always a list of document objects (a list of bare registration numbers is ``ids``).

The commands are read from the typer app: a command given --json and not run here fails the test.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import typer.main

from conftest import PG_ENV, _pg_database, _pg_database_url, json_lines, render_korean, run_girok
from helpers_records import add_document, girok, sql

RRN = "870501-1234567"
REG_NO = re.compile(r"^[A-Z]{2,}-\d{4}-\d{6}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?\+09:00$")  # Korean time, with its offset
TIMELIKE = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{1,2}:\d{2}")
CLEAR_RRN = re.compile(r"(?<![0-9A-Za-z])\d{6}\s*-?\s*[1-8]\d{6}(?![0-9A-Za-z])")  # not inside a hash
SHA256 = re.compile(r"^[0-9a-f]{64}$")
OLD_KEYS = {"reg_no", "reg_nos", "doc_type", "doc_date", "captured", "pages_in_original", "first_page_in_original"}
NEEDS_POSTGRESQL = {("catalog", "migrate")}  # run when GIROK_TEST_POSTGRES_URL names a server (./girok.sh test)


# --- the schema of the document object -----------------------------------------------------------


def _text(v) -> bool:
    return isinstance(v, str)


def _int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _date_or_null(v) -> bool:
    return v is None or (isinstance(v, str) and bool(DATE.match(v)))


def _time(v) -> bool:
    return isinstance(v, str) and bool(TIME.match(v))


def _retention(v) -> bool:
    return v is None or (isinstance(v, dict) and _text(v.get("class")) and _date_or_null(v.get("completed_on"))
                         and v.get("completed_on") is not None and _date_or_null(v.get("due_on")))


def _source(v) -> bool:
    if not isinstance(v, dict) or not _text(v.get("name")):
        return False
    optional = {"sha256": lambda s: isinstance(s, str) and bool(SHA256.match(s)),
                "pages_in_file": lambda p: isinstance(p, list) and all(_int(i) and i >= 1 for i in p),
                "path": _text, "size": _int, "media_type": _text, "profile": _text,
                "hot_folder": lambda h: h is None or _text(h)}
    return all(check(v[k]) for k, check in optional.items() if k in v)


def _applicant(v) -> bool:
    return isinstance(v, str) and (v == "" or "*" in v)  # masked as on every console: 홍*동


def _file(v) -> bool:
    return isinstance(v, dict) and isinstance(v.get("sha256"), str) and bool(SHA256.match(v["sha256"]))


# What each key of a document means, and its format: checked in every document (any object whose id is a
# registration number) of every command, and the keys of GLOBAL wherever they appear.
KEYS = {
    "title": _text, "type": _text, "office": _text, "receipt_no": _text, "applicant": _applicant,
    "date": _date_or_null, "pages": _int, "captured_at": _time, "retention": _retention, "source": _source,
    "qr": lambda v: v is None or isinstance(v, dict),
    "phones": lambda v: isinstance(v, list) and all(map(_text, v)),
    "rrn_masked": lambda v: isinstance(v, list) and all(_text(r) and "*" in r for r in v),
    "original": _file, "archival": _file, "text": lambda v: isinstance(v, list) and all(map(_text, v)),
    "disposed": lambda v: isinstance(v, bool), "rank": _int, "total": _int,
    "score": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool), "snippet": _text,
}
SUMMARY = ("id", "title", "type", "date", "office", "receipt_no", "applicant", "pages", "captured_at", "retention",
           "source")
FULL = SUMMARY + ("qr", "phones", "rrn_masked", "pdfa", "original", "archival", "conversion", "indexed",
                  "rescan_suggested", "page_confidence")
TOMBSTONE = ("id", "disposed", "disposed_at", "type", "title", "date", "captured_at", "pages", "retention",
             "original", "archival", "decision", "certificate")


GLOBAL = ("captured_at", "date", "source", "qr", "applicant", "rrn_masked")  # no other meaning anywhere
VERBATIM = ("detail", "conversion", "qr")  # records kept as written: an audit event's detail, the conversion
# record, the e-form's own QR payload; their keys are not girok's vocabulary, their strings are still checked


def problems(value, where: str = "$", *, keys: bool = True) -> list[str]:
    """What in one printed JSON value breaks the rules above (an empty list: nothing). ``keys``: check key
    names and formats (not inside a record kept verbatim)."""
    found: list[str] = []
    if isinstance(value, dict):
        document = isinstance(value.get("id"), str) and bool(REG_NO.match(value["id"]))
        for k, v in value.items():
            at = f"{where}.{k}"
            if keys:
                if k in OLD_KEYS:
                    found.append(f"{at}: the old key {k!r} (a document says id, type, date, captured_at)")
                if k in KEYS and (document or k in GLOBAL) and not KEYS[k](v):
                    found.append(f"{at}: {v!r} is not a {k} as the document object has it")
                if (k == "at" or k.endswith("_at")) and v is not None and not _time(v):
                    found.append(f"{at}: {v!r} is not a time in Korean time with its offset")
                if k == "documents" and isinstance(v, list) and not all(
                        isinstance(d, dict) and isinstance(d.get("id"), str) for d in v):
                    found.append(f"{at}: 'documents' lists document objects (bare numbers are 'ids')")
                if k == "id" and isinstance(v, str) and not REG_NO.match(v):
                    found.append(f"{at}: {v!r} is not a registration number")
            found += problems(v, at, keys=keys and k not in VERBATIM)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += problems(v, f"{where}[{i}]", keys=keys)
    elif isinstance(value, str):
        if TIMELIKE.match(value) and not _time(value):
            found.append(f"{where}: {value!r} is a time without Korea's offset")
        if value.strip()[:1] in ("{", "["):
            try:
                inner = json.loads(value)
            except ValueError:
                inner = None
            if isinstance(inner, (dict, list)):
                found.append(f"{where}: JSON inside a string: {value[:60]!r}")
        if CLEAR_RRN.search(value):
            found.append(f"{where}: a 주민등록번호 in clear")
    return found


def a_document(d: dict, keys=SUMMARY) -> None:
    assert isinstance(d, dict), d
    missing = [k for k in keys if k not in d]
    assert not missing, f"{d.get('id')}: no {missing}"
    assert REG_NO.match(d["id"]), d["id"]


# --- every command with --json ---------------------------------------------------------------------


def json_commands() -> set[tuple[str, ...]]:
    """Every command of `girok` (sub-commands as ("hold", "add")) that takes --json, read from the typer app."""
    from girok.cli.main import app

    def walk(cmd, path):  # typer's own click: groups have .commands, options .opts
        if hasattr(cmd, "commands"):
            for name, sub in cmd.commands.items():
                yield from walk(sub, (*path, name))
        elif any("--json" in getattr(p, "opts", ()) for p in cmd.params):
            yield path

    return set(walk(typer.main.get_command(app), ()))


FORM = ["전입신고서", "접수번호 2024-서초-00123", "성명 홍길동", f"주민등록번호 {RRN}", "신고일 2024년 3월 5일",
        "신고인 홍길동 (서명 또는 인)", "서초구청장 귀하"]


@dataclass
class Printed:
    ids: dict[str, str]  # the documents made: ingested, watched, qr, held, gone (disposed of)
    by_command: dict[tuple[str, ...], list]  # ("hold", "add") -> every JSON line it printed, parsed


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """Run every --json command once or more on one archive; what each printed."""
    with contextlib.ExitStack() as stack:
        yield _outputs(tmp_path_factory, stack)


def _outputs(tmp_path_factory, stack: contextlib.ExitStack) -> Printed:
    from girok.archive.layout import Archive

    tmp = tmp_path_factory.mktemp("json-shape")
    root = tmp / "archive"
    Archive.create(root, name="test archive").close()
    with (root / "girok.toml").open("a", encoding="utf-8") as fh:  # records management (issue 16)
        fh.write('\n[records]\noffice_code = "3210000"\npaper_keep_months = 0\n\n[files]\n[files.types]\n'
                 '"전입신고서" = "00890120"\n"위임장" = "00890120"\n')
    for prof in (root / "profiles").glob("*.toml"):
        prof.write_text(re.sub(r"stable_seconds = [0-9.]+", "stable_seconds = 0.3", prof.read_text()))
    got: dict[tuple[str, ...], list] = {}

    def run(cmd: tuple[str, ...], *args: str, code: int = 0, real: bool = False, input: str | None = None) -> list:
        proc = run_girok(root, *cmd, *args, "--json") if real else girok(root, *cmd, *args, "--json", input=input)
        assert proc.returncode == code, f"girok {' '.join(cmd + args)}: exit {proc.returncode}\n{proc.stderr}"
        assert RRN not in proc.stdout and "1234567" not in proc.stdout, f"girok {' '.join(cmd)}: a clear RRN"
        lines = json_lines(proc.stdout)
        assert len(lines) == len([x for x in proc.stdout.splitlines() if x.strip()]), "every line is JSON"
        got.setdefault(cmd, []).extend(lines)
        return lines

    # real OCR: one file through ingest, one through a hot folder
    scan = render_korean(tmp / "전입 신고.png", FORM, size=(1240, 1100))
    [ingested] = run(("ingest",), str(scan), real=True)
    with Archive.open(root) as arch:
        hot = arch.config.hot_folders[0].path
    render_korean(hot / "위임장.png", ["위임장", "서초구 민원실 토지대장 발급 위임"], size=(1240, 400))
    [watched] = run(("watch",), "--once", real=True)
    # documents without OCR: one with an e-form QR payload, one to hold, one to dispose of
    qr_doc = add_document(root, ["혼인신고서\n서초구 민원실 접수"], name="qr.png")
    payload = json.dumps({"form": "혼인신고서", "receipt_no": "2024-0009", "applicant": "김지훈",
                          "rrn": "870501-1******"}, ensure_ascii=False)
    sql(root, "UPDATE documents SET metadata_json=?, applicant='김지훈' WHERE reg_no=?",
        params=(json.dumps({"qr": payload, "pages_in_original": [1]}, ensure_ascii=False), qr_doc))
    held = add_document(root, ["토지대장\n서초구 민원실 열람"], name="held.png")
    gone = add_document(root, ["개인정보 동의서\n민원실 보관"], name="gone.png")
    sql(root, "UPDATE documents SET rescan_suggested=1 WHERE reg_no=?", params=(qr_doc,))  # for status

    run(("show",), ingested["id"])
    run(("show",), qr_doc, "--text")
    run(("search",), "민원실")
    run(("search",), "--rrn", RRN)
    assert run(("search",), "없는낱말", code=1) == []  # no hits: exit 1, as without --json
    run(("status",))
    run(("retention", "schedule"))
    run(("retention", "classify"), gone, "--class", "10년", "--completed", "2010-06-30", "--reason", "시험")
    run(("hold", "add"), "--id", held, "--reason", "소송 2026가합1")
    run(("hold", "add"), "--query", "토지대장", "--reason", "감사", "--dry-run")
    run(("retention", "review"))
    review = tmp / "review.json"
    run(("retention", "review"), "--out", str(review))
    data = json.loads(review.read_text(encoding="utf-8"))
    for g in data["groups"]:
        for d in g["documents"]:
            d["decision"] = "dispose" if d["id"] == gone else ""
    review.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    run(("retention", "decide"), str(review), "--meeting", "제1차 심의회", "--meeting-date", "2026-01-15")
    run(("retention", "dispose"), "--dry-run")
    run(("retention", "dispose"))
    run(("show",), gone, code=6)  # the tombstone
    run(("hold", "list"), "--all")
    run(("hold", "release"), "1", "--reason", "취하")
    bag = tmp / "bag"
    run(("export",), "--id", ingested["id"], "--id", qr_doc, "--out", str(bag))
    run(("import",), str(bag))
    run(("restore",), str(bag))
    # records management (issue 16): cases, files, the 기록관리기준표, inspection, paper, registers, report
    run(("case",), "2024-서초-00123")
    run(("file", "auto"))
    run(("file", "list"))
    run(("file", "show"), "1")
    run(("file", "create"), "--unit-task", "00890999", "--year", "2026", "--title", "기타", "--reason", "시험")
    run(("file", "move"), qr_doc, "--to", "2", "--reason", "시험")
    run(("file", "close"), "2", "--reason", "시험")
    table = tmp / "기준표.csv"
    table.write_text("단위과제코드,단위과제명,보존기간,보존기간 책정사유\n00890120,전입신고,10년,예시\n", encoding="utf-8")
    run(("schedule", "load"), str(table), "--reason", "시험")
    run(("schedule", "show"))
    run(("retention", "apply"), "--dry-run")
    run(("retention", "apply"))
    run(("inspect", "pass"), ingested["id"], "--reason", "이상 없음")
    run(("inspect", "fail"), watched["id"], "--reason", "흐림")
    run(("inspect", "supersede"), watched["id"], "--by", held, "--reason", "재스캔")
    run(("inspect", "list"), "--state", "all")
    run(("paper", "due"))
    run(("paper", "destroyed"), ingested["id"], "--reason", "파쇄")
    run(("registry", "export"), "--year", "2024", "--out", str(tmp / "registry"))
    run(("report", "production"), "--year", "2024", "--out", str(tmp / "report"))
    run(("fixity", "check"))
    run(("doctor",), "--quick")
    run(("audit", "verify"))
    run(("audit", "log"))
    copy = tmp / "backup"
    run(("backup",), str(copy))
    run(("backup",), "verify", str(copy))
    run(("restore-archive",), str(copy), str(tmp / "restored"))
    # girok serve's users, and a file girok quarantined (no scan at all), tried again: quarantined again
    run(("user", "add"), "kim", "--role", "admin", "--password-stdin", input="correct horse 말\n")
    run(("user", "list"))
    from girok.ingest.quarantine import quarantine

    junk = tmp / "junk.pdf"
    junk.write_bytes(b"%PDF-1.4 nothing a reader reads")
    with Archive.open(root) as arch:
        quarantine(junk, arch.quarantine_dir, stage="detect", reason="not a readable PDF", advice="scan it again",
                   move=True, hot_folder=None, profile="default")
    [q] = run(("quarantine", "list"))
    run(("quarantine", "retry"), q["name"], "--reason", "다시 시도", code=10)
    admin = os.environ.get(PG_ENV, "").strip()
    if admin:  # last: the archive's catalog moves to the server
        url = _pg_database_url(admin, stack.enter_context(_pg_database(admin)))
        run(("catalog", "migrate"), "--to", url)
    return Printed({"ingested": ingested["id"], "watched": watched["id"], "qr": qr_doc, "held": held,
                    "gone": gone}, got)


def test_every_command_with_json_is_covered(outputs):
    missing = json_commands() - set(outputs.by_command)
    if not os.environ.get(PG_ENV, "").strip():
        missing -= NEEDS_POSTGRESQL
    assert not missing, f"--json commands this test does not run (add them to the `outputs` fixture): {missing}"
    assert len(json_commands()) >= 20


def test_every_json_output_keeps_the_rules(outputs):
    bad = [f"girok {' '.join(cmd)}: {p}" for cmd, lines in outputs.by_command.items()
           for line in lines for p in problems(line)]
    assert not bad, "\n".join(bad[:40])


def test_the_document_is_the_same_object_in_every_command(outputs):
    ids, printed = outputs.ids, outputs.by_command
    [shown, shown_qr, tomb] = printed[("show",)]
    a_document(shown, FULL)
    assert shown["captured_at"].endswith("+09:00") and shown["applicant"] == "홍*동"
    assert shown["source"]["name"] == "전입 신고.png" and shown["source"]["pages_in_file"] == [1]
    a_document(shown_qr, FULL)
    assert shown_qr["qr"] == {"form": "혼인신고서", "receipt_no": "2024-0009", "applicant": "김지훈",
                              "rrn": "870501-1******"}, "the QR payload is an object, not a string of JSON"
    assert shown_qr["applicant"] == "김*훈" and "text" in shown_qr
    a_document(tomb, TOMBSTONE)
    assert tomb["id"] == ids["gone"] and tomb["disposed"] is True and tomb["retention"]["class"] == "10년"

    hits = printed[("search",)]
    rrn_hits, word_hits = [h for h in hits if h["id"] == ids["ingested"] and "score" not in h], \
        [h for h in hits if "score" in h]
    for h in word_hits:
        a_document(h, SUMMARY + ("rank", "total", "score", "snippet"))
    assert [h["rank"] for h in word_hits] == list(range(1, len(word_hits) + 1))
    [rrn] = rrn_hits
    a_document(rrn, SUMMARY + ("rank", "total"))
    assert (rrn["rank"], rrn["total"]) == (1, 1)

    summary = {k: shown[k] for k in SUMMARY}
    summary["source"] = {k: shown["source"][k] for k in ("name", "sha256", "pages_in_file")}
    assert {k: rrn[k] for k in SUMMARY} == summary, "a hit is the document object show gives (its summary)"
    [line] = printed[("ingest",)]
    assert {k: line[k] for k in SUMMARY} == summary, "so is an ingest line"
    assert line["status"] == "archived" and line["file"].endswith("전입 신고.png")
    [watched] = printed[("watch",)]
    a_document(watched)
    assert watched["status"] == "archived" and watched["source"]["name"] == "위임장.png"

    hold, dry = printed[("hold", "add")]
    [d] = hold["documents"]
    a_document(d)
    assert d["id"] == ids["held"] and hold["placed_at"].endswith("+09:00")
    assert dry["dry_run"] is True and dry["documents"]
    for x in dry["documents"]:
        a_document(x)
    [status] = printed[("status",)]
    [flagged] = status["rescan"]["newest"]
    a_document(flagged)
    assert flagged["id"] == ids["qr"] and flagged["rescan_pages"] == []
    [item] = printed[("retention", "review")][0]["groups"][0]["documents"]
    assert item["id"] == ids["gone"] and item["captured_on"] == tomb["captured_at"][:10], "the day in Korea"
    exported = printed[("export",)][0]["documents"]
    assert [x["id"] for x in exported] == [ids["ingested"], ids["qr"]]
    assert {k: exported[0][k] for k in SUMMARY} == summary, "so is an exported document"


def test_the_rules_catch_what_the_issue_names():
    """The checker itself: the shapes issue 17 complained of are each caught."""
    assert problems({"reg_no": "GR-2026-000001"})
    assert problems({"id": "GR-2026-000001", "captured": "2026-03-01T00:30:00"})
    assert problems({"captured_at": "2026-03-01T00:30:00Z"})
    assert problems({"at": "2026-03-01 00:30:00"})
    assert problems({"source": "scan.png"})
    assert problems({"qr": json.dumps({"form": "위임장"})})
    assert problems({"note": json.dumps({"form": "위임장"})})
    assert problems({"documents": ["GR-2026-000001"]})
    assert problems({"applicant": "홍길동"})
    assert problems({"id": "GR-2026-000001", "pages": "3"}) and not problems({"pages": [1, 2]})
    assert problems({"detail": {"at": "2026-03-01 00:30:00"}}) and not problems({"detail": {"reg_no": "x"}})
    assert problems({"snippet": f"신청인 {RRN}"})
    assert not problems({"id": "GR-2026-000001", "captured_at": "2026-03-01T09:30:00+09:00", "date": None,
                         "source": {"name": "a.png"}, "qr": None, "applicant": "홍*동", "ids": ["GR-2026-000001"]})


def test_readme_documents_the_json_output():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    assert "## JSON output" in readme
    section = readme.split("## JSON output", 1)[1].split("\n## ", 1)[0]
    example = json.loads(section.split("```json", 1)[1].split("```", 1)[0])
    a_document(example, FULL)
    assert not problems(example)
    for cmd in sorted(json_commands()):
        assert f"`girok {' '.join(cmd)}" in section, f"README's JSON output does not name girok {' '.join(cmd)}"


@pytest.mark.parametrize("query", [["없는낱말"], ["--rrn", RRN]])
def test_no_hits_exit_1_with_and_without_json(make_archive, query):
    """As README says: nothing found is exit 1 for search and --rrn alike, and --json then prints nothing."""
    root = make_archive()
    add_document(root, ["민원실 서류"], name="a.png")
    for mode in ([], ["--json"]):
        r = girok(root, "search", *query, *mode)
        assert r.returncode == 1 and r.stdout.strip() == "", (mode, r.stdout, r.stderr)
