"""The Korean interface (issue 17, item 8): help texts, errors, tables and CSV headings in Korean when the locale,
GIROK_LANG or the archive's girok.toml says so; English otherwise. The catalog covers every marked message.

The rest of the suite runs in English (conftest sets GIROK_LANG=en); the tests here set their own environment
for real `girok` processes.
"""

from __future__ import annotations

import json
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest

from girok import i18n
from girok.locale import build

HANGUL = re.compile(r"[\uac00-\ud7a3]")
LOCALE_VARS = ("GIROK_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")


def korean_share(text: str) -> float:
    """Hangul syllables among the letters: English help texts hold a few Korean examples (서초구, 민원실), not more."""
    letters = [c for c in text if c.isalpha()]
    return sum(1 for c in letters if HANGUL.match(c)) / max(1, len(letters))


def environment(**lang: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    return {**env, **lang, "COLUMNS": "120"}


def girok(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "girok.cli", *args], capture_output=True, text=True, env=env,
                          timeout=120)


KO = {"LANG": "ko_KR.UTF-8"}
EN = {"LANG": "C.UTF-8", "GIROK_LANG": "en"}


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """A fresh `girok init` archive (girok.toml says language = "ko"), made in English."""
    root = tmp_path_factory.mktemp("ui") / "archive"
    proc = girok("--archive", str(root), "init", env=environment(**EN))
    assert proc.returncode == 0, proc.stderr
    return root


# --- the acceptance: help, an error and a table, in Korean and in English ------------------------------------


def test_help_is_korean_under_a_korean_locale():
    top = girok("--help", env=environment(**KO))
    search = girok("search", "--help", env=environment(**KO))
    assert top.returncode == search.returncode == 0, top.stderr + search.stderr
    assert "새 기록관을 만듭니다" in top.stdout and "옵션:" in top.stdout and "명령:" in top.stdout, top.stdout
    assert "기록관 전문 검색" in search.stdout and "찾을 낱말" in search.stdout, search.stdout
    assert korean_share(top.stdout) > 0.4 and korean_share(search.stdout) > 0.4


def test_help_is_english_with_girok_lang_en():
    top = girok("--help", env=environment(**EN))
    search = girok("search", "--help", env=environment(**EN))
    assert "Create a new archive" in top.stdout and "Options:" in top.stdout and "Commands:" in top.stdout
    assert "Full-text search of the archive" in search.stdout and "Words to find" in search.stdout
    # only the Korean examples (girok (기록), 서초구, 민원실, 주민등록번호) are Hangul
    assert korean_share(top.stdout) < 0.05 and korean_share(search.stdout) < 0.1
    assert not HANGUL.search(girok("status", "--help", env=environment(**EN)).stdout)


def test_girok_lang_wins_over_the_locale():
    assert "Create a new archive" in girok("--help", env=environment(LANG="ko_KR.UTF-8", GIROK_LANG="en")).stdout
    assert "새 기록관을 만듭니다" in girok("--help", env=environment(LANG="C.UTF-8", GIROK_LANG="ko")).stdout


def test_an_error_is_korean_and_keeps_its_exit_code(archive, tmp_path):
    shown = girok("--archive", str(archive), "show", "GR-2026-999999", env=environment(**KO))
    assert shown.returncode == 6
    assert "girok: 오류: 등록번호 'GR-2026-999999'인 문서가 없습니다" in shown.stderr, shown.stderr
    assert "`girok search`로 찾으세요" in shown.stderr, "the hint too"
    nowhere = girok("--archive", str(tmp_path / "nowhere"), "status", env=environment(**KO))
    assert nowhere.returncode == 4
    assert "girok 기록관이 아닙니다" in nowhere.stderr and "만들거나" in nowhere.stderr, nowhere.stderr


def test_an_error_is_english_with_girok_lang_en(archive, tmp_path):
    shown = girok("--archive", str(archive), "show", "GR-2026-999999", env=environment(**EN))
    assert shown.returncode == 6
    assert "girok: error: no document with registration number 'GR-2026-999999'" in shown.stderr
    assert not HANGUL.search(shown.stderr), shown.stderr
    nowhere = girok("--archive", str(tmp_path / "nowhere"), "status", env=environment(**EN))
    assert nowhere.returncode == 4 and "is not a girok archive" in nowhere.stderr


def test_tables_are_korean(archive):
    sched = girok("--archive", str(archive), "retention", "schedule", env=environment(**KO))
    assert sched.returncode == 0, sched.stderr
    assert "보존기간 기준표" in sched.stdout and "[retention]" in sched.stdout and "적용 대상" in sched.stdout
    assert "그 밖의 모든 문서" in sched.stdout, sched.stdout
    status = girok("--archive", str(archive), "status", env=environment(**KO))
    assert "문서 0건" in status.stdout and "감시 폴더" in status.stdout, status.stdout


def test_tables_are_english_with_girok_lang_en(archive):
    sched = girok("--archive", str(archive), "retention", "schedule", env=environment(**EN))
    assert "Retention schedule (girok.toml [retention])" in " ".join(sched.stdout.split())
    assert "applies to" in sched.stdout
    assert "everything else" in sched.stdout
    status = girok("--archive", str(archive), "status", env=environment(**EN))
    assert "0 documents" in status.stdout and not HANGUL.search(status.stdout)


def test_json_stays_english(archive):
    """JSON is an API: the same keys whatever the language."""
    ko = json.loads(girok("--archive", str(archive), "status", "--json", env=environment(**KO)).stdout)
    en = json.loads(girok("--archive", str(archive), "status", "--json", env=environment(**EN)).stdout)
    assert set(ko) == set(en) and "waiting" in ko


# --- the archive's own setting -------------------------------------------------------------------------------


def test_init_writes_korean_and_the_archive_setting_speaks_over_the_locale(archive, tmp_path):
    text = (archive / "girok.toml").read_text(encoding="utf-8")
    assert '[interface]\nlanguage = "ko"' in text
    assert "GIROK_LANG" in text  # the comment explains it, in both languages
    assert "메시지·표·CSV 머리글의 언어" in text and "The language of girok's messages" in text
    # a server with no Korean locale (systemd, cron: C.UTF-8), no GIROK_LANG: the archive says Korean
    status = girok("--archive", str(archive), "status", env=environment(LANG="C.UTF-8"))
    assert "문서 0건" in status.stdout, status.stdout
    # ... and an archive set to English is English under a Korean locale (help texts follow the locale)
    en_arch = tmp_path / "en"
    assert girok("--archive", str(en_arch), "init", env=environment(**EN)).returncode == 0
    cfg = en_arch / "girok.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('language = "ko"', 'language = "en"'), encoding="utf-8")
    status = girok("--archive", str(en_arch), "status", env=environment(**KO))
    assert "0 documents" in status.stdout and "문서 0건" not in status.stdout, status.stdout


def test_a_wrong_language_setting_is_a_config_error(tmp_path):
    from girok.archive.layout import Archive
    from girok.config import load_archive_config
    from girok.errors import ConfigError

    root = tmp_path / "a"
    Archive.create(root).close()
    cfg = root / "girok.toml"
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('language = "ko"', 'language = "fr"'), encoding="utf-8")
    with pytest.raises(ConfigError, match="'language' must be one of ko, en"):
        load_archive_config(root)
    cfg.write_text(cfg.read_text(encoding="utf-8").replace('language = "fr"\n', ""), encoding="utf-8")
    assert load_archive_config(root).language == "", "no setting: GIROK_LANG or the locale decides"


@pytest.mark.parametrize("env, lang", [
    ({}, "en"),
    ({"LANG": "ko_KR.UTF-8"}, "ko"),
    ({"LANG": "C.UTF-8"}, "en"),
    ({"LANG": "ko_KR.UTF-8", "LC_ALL": "C"}, "en"),
    ({"LANG": "C", "LC_MESSAGES": "ko_KR.eucKR"}, "ko"),
    ({"LANG": "C.UTF-8", "GIROK_LANG": "ko"}, "ko"),
    ({"LC_ALL": "ko_KR.UTF-8", "GIROK_LANG": "en"}, "en"),
    ({"LANG": "ko_KR.UTF-8", "GIROK_LANG": ""}, "ko"),
])
def test_language_from_the_environment(env, lang):
    assert i18n.language_from_environment(env) == lang


def test_girok_lang_decides_over_the_archive(monkeypatch):
    monkeypatch.setenv("GIROK_LANG", "en")
    i18n.use_archive_language("ko")
    assert i18n.language() == "en"


# --- CSV headings ----------------------------------------------------------------------------------------------


@pytest.fixture
def korean():
    i18n.set_language("ko")
    yield
    i18n.set_language("en")


def test_the_rescan_list_has_korean_headings_and_keeps_its_lines_across_languages(tmp_path, korean):
    from girok.ingest import rescan_report

    rescan_report.record(tmp_path, None, Path("a.tif"), "GR-2026-000001", 1, [5.0], 50.0, receipt_no="R-1")
    path = rescan_report.report_path(tmp_path, None)
    assert path.read_text(encoding="utf-8-sig").splitlines()[0].startswith("시각,파일,등록번호,접수번호,신청인")
    i18n.set_language("en")
    rescan_report.record(tmp_path, None, Path("b.tif"), "GR-2026-000002", 1, [5.0], 50.0, receipt_no="R-2")
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == ",".join(rescan_report.HEADER), "rewritten in the language of the day"
    assert [ln.split(",")[2] for ln in lines[1:]] == ["GR-2026-000001", "GR-2026-000002"]
    assert rescan_report.remove(tmp_path, [None], ["GR-2026-000001"]) == 1


def test_review_file_headings_are_read_back_in_either_language(korean):
    from girok.retention import reviewfile

    headings = [reviewfile.heading(c) for c in reviewfile.COLUMNS]
    assert headings[:4] == ["구분", "평가 번호", "기준일", "등록번호"] and "결정" in headings
    known = reviewfile.column_of()
    assert all(known[h] == c for h, c in zip(headings, reviewfile.COLUMNS))
    assert all(known[c] == c for c in reviewfile.COLUMNS), "English headings too"


# --- the catalog ---------------------------------------------------------------------------------------------


def _fields(text: str) -> list[tuple[str, str, str]]:
    return sorted((f, c or "", s or "") for _lit, f, s, c in string.Formatter().parse(text) if f is not None)


def test_every_marked_message_has_a_korean_translation():
    found, problems = build.extract()
    assert not problems, "marks of something other than string literals:\n" + "\n".join(problems)
    po = build.LOCALE / "ko" / "LC_MESSAGES" / "girok.po"
    entries = {e.key: e for e in build.parse_po(po.read_text(encoding="utf-8")) if not e.obsolete}
    missing = [f.msgid[:80] for f in found if f.key not in entries or not entries[f.key].translated]
    assert not missing, f"{len(missing)} message(s) without Korean (python -m girok.locale.build --update):\n" + \
        "\n".join(missing)
    assert len(found) > 500


def test_translations_keep_the_placeholders():
    po = build.LOCALE / "ko" / "LC_MESSAGES" / "girok.po"
    bad = []
    for e in build.parse_po(po.read_text(encoding="utf-8")):
        if e.msgid and e.translated and not e.obsolete:
            try:
                if _fields(e.msgid) != _fields(e.msgstr[0]):
                    bad.append(e.msgid[:70])
            except ValueError as exc:
                bad.append(f"{e.msgid[:70]} ({exc})")
    assert not bad, "\n".join(bad)


def test_the_mo_is_built_from_the_po():
    for po in build.catalogs():
        entries = build.parse_po(po.read_text(encoding="utf-8"))
        assert build.mo_path(po).read_bytes() == build.compile_mo(entries), \
            f"{po}: run python -m girok.locale.build"


def test_the_po_survives_its_own_round_trip():
    po = build.LOCALE / "ko" / "LC_MESSAGES" / "girok.po"
    text = po.read_text(encoding="utf-8")
    assert build.format_po(build.parse_po(text)) == text


def test_the_catalog_is_package_data():
    import tomllib

    data = tomllib.loads((Path(build.PACKAGE).parent / "pyproject.toml").read_text())
    assert "*/LC_MESSAGES/*.mo" in data["tool"]["setuptools"]["package-data"]["girok.locale"]


_DUMP = """
import json, typer
from girok.cli.main import app

def walk(cmd, path=()):
    yield " ".join(path), "help", cmd.help or ""
    for p in cmd.params:
        if getattr(p, "help", None):
            yield " ".join(path), p.name, p.help
    for name, sub in sorted((getattr(cmd, "commands", None) or {}).items()):
        yield from walk(sub, path + (name,))

print(json.dumps([list(t) for t in walk(typer.main.get_command(app))], ensure_ascii=False))
"""


def test_every_help_text_is_translated():
    def dump(**lang):
        out = subprocess.run([sys.executable, "-c", _DUMP], capture_output=True, text=True, env=environment(**lang),
                             check=True).stdout
        return {(c, p): h for c, p, h in json.loads(out)}

    en, ko = dump(**EN), dump(GIROK_LANG="ko")
    assert en.keys() == ko.keys() and len(en) > 100
    same = [f"{c} {p}: {h[:60]}" for (c, p), h in en.items() if h and ko[c, p] == h]
    assert not same, "still English in Korean:\n" + "\n".join(same)
    assert all(HANGUL.search(h) for h in ko.values() if h), "every Korean help text has Hangul"
