"""girok.config: scanner profiles and girok.toml, from TOML files written to tmp_path."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from girok.config import (
    BUILTIN_PROFILES,
    CONFIG_NAME,
    PROFILE_DIR,
    OcrSettings,
    Profile,
    load_archive_config,
    load_profile,
    load_profiles,
)
from girok.errors import ArchiveNotFound, ConfigError

REPO = Path(__file__).resolve().parent.parent
REAL_PROFILES = sorted((REPO / "scanner_profiles").glob("*.toml"))


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def make_archive(root: Path, config: str, profiles: dict[str, str] | None = None) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    write(root / CONFIG_NAME, config)
    (root / PROFILE_DIR).mkdir(exist_ok=True)
    for name, text in (profiles or {}).items():
        write(root / PROFILE_DIR / f"{name}.toml", text)
    return root.resolve()


def message(exc_info) -> str:
    return str(exc_info.value.args[0])


# --- profiles -----------------------------------------------------------


def test_empty_profile_takes_every_default_and_its_name_from_the_file(tmp_path):
    prof = load_profile(write(tmp_path / "scanner-3.toml", ""))
    assert prof == Profile(name="scanner-3")
    assert prof.ocr == OcrSettings()
    assert prof.ocr.languages == ("kor", "eng")
    assert prof.ocr.pagesegmode == 4
    assert prof.ocr.existing_text == "skip"
    assert prof.ocr.output_type == "pdfa-2"
    assert prof.stable_seconds == 2.0 and prof.assume_dpi == 300


def test_profile_values_are_read_and_typed(tmp_path):
    prof = load_profile(write(tmp_path / "p.toml", """
name = "counter-2"
description = "민원실 2번 창구"
[capture]
stable_seconds = 5
assume_dpi = 200
[ocr]
languages = ["kor"]
pagesegmode = 6
rotate_pages = false
rotate_pages_threshold = 5
deskew = false
clean = true
existing_text = "force"
output_type = "pdfa-3"
oversample = 400
timeout_seconds = 90
[document]
default_type = "전입신고"
"""))
    assert prof.name == "counter-2"
    assert prof.description == "민원실 2번 창구"
    assert prof.stable_seconds == 5.0 and isinstance(prof.stable_seconds, float)
    assert prof.assume_dpi == 200
    assert prof.ocr == OcrSettings(
        languages=("kor",), pagesegmode=6, rotate_pages=False, rotate_pages_threshold=5.0, deskew=False,
        clean=True, existing_text="force", output_type="pdfa-3", oversample=400, timeout_seconds=90.0,
    )
    assert isinstance(prof.ocr.timeout_seconds, float)
    assert prof.default_doc_type == "전입신고"


@pytest.mark.parametrize("value", ["14", "-1", '"4"', "true", "4.0"])
def test_bad_pagesegmode_names_file_and_field(tmp_path, value):
    path = write(tmp_path / "scanner.toml", f"[ocr]\npagesegmode = {value}\n")
    with pytest.raises(ConfigError) as ei:
        load_profile(path)
    assert str(path) in message(ei)
    assert "pagesegmode" in message(ei)
    assert "[ocr]" in message(ei)


@pytest.mark.parametrize("value", ["0", "13"])
def test_pagesegmode_bounds_are_accepted(tmp_path, value):
    assert load_profile(write(tmp_path / "p.toml", f"[ocr]\npagesegmode = {value}\n")).ocr.pagesegmode == int(value)


@pytest.mark.parametrize("value", ['"sometimes"', '"SKIP"', "1"])
def test_bad_existing_text_names_file_field_and_choices(tmp_path, value):
    path = write(tmp_path / "scanner.toml", f"[ocr]\nexisting_text = {value}\n")
    with pytest.raises(ConfigError) as ei:
        load_profile(path)
    msg = message(ei)
    assert str(path) in msg and "existing_text" in msg
    if value.startswith('"'):
        assert "skip, redo, force" in msg  # says what is allowed


@pytest.mark.parametrize("body, field", [
    ('[ocr]\noutput_type = "pdf"\n', "output_type"),
    ('[ocr]\nlanguages = []\n', "languages"),
    ('[ocr]\nlanguages = ["Korean!"]\n', "languages"),
    ('[ocr]\nlanguages = "kor"\n', "languages"),
    ('[ocr]\ndeskew = "yes"\n', "deskew"),
    ('[ocr.tesseract_variables]\n"Bad Name" = 1\n', "tesseract_variables"),
    ('[ocr.tesseract_variables]\ntextord_use_cjk_fp_model = "1; rm"\n', "tesseract_variables"),
    ('[ocr.tesseract_variables]\ntextord_use_cjk_fp_model = [1]\n', "textord_use_cjk_fp_model"),
    ('[ocr]\ntesseract_variables = 1\n', "tesseract_variables"),
    ('name = "has space"\n', "name"),
    ('[capture]\nassume_dpi = 30\n', "assume_dpi"),
    ('[capture]\nstable_seconds = -1\n', "stable_seconds"),
    ('capture = 3\n', "capture"),
])
def test_other_bad_profile_fields_name_file_and_field(tmp_path, body, field):
    path = write(tmp_path / "scanner.toml", body)
    with pytest.raises(ConfigError) as ei:
        load_profile(path)
    assert str(path) in message(ei)
    assert field in message(ei)


def test_invalid_toml_profile_names_the_file(tmp_path):
    path = write(tmp_path / "broken.toml", "[ocr\npagesegmode = 4\n")
    with pytest.raises(ConfigError) as ei:
        load_profile(path)
    assert str(path) in message(ei)
    assert "TOML" in message(ei)
    assert "README" in str(ei.value)  # the hint says where to look


def test_missing_profile_file_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_profile(tmp_path / "nope.toml")


def test_load_profiles_adds_builtin_default_and_rejects_duplicate_names(tmp_path):
    write(tmp_path / "a.toml", 'name = "counter"\n')
    profiles = load_profiles(tmp_path)
    assert set(profiles) == {"counter", "default"}
    assert profiles["default"].assume_dpi == 300

    write(tmp_path / "b.toml", 'name = "counter"\n')
    with pytest.raises(ConfigError) as ei:
        load_profiles(tmp_path)
    assert "counter" in message(ei) and str(tmp_path / "b.toml") in message(ei)


# --- archive config -------------------------------------------------------


def test_archive_config_defaults(tmp_path):
    root = make_archive(tmp_path / "서초구청 기록관", "")
    cfg = load_archive_config(root)
    assert cfg.root == root
    assert cfg.name == "서초구청 기록관"
    assert cfg.id_prefix == "GR"
    assert cfg.workers == 0 and cfg.effective_workers() >= 1
    assert cfg.rescan_seconds == 30.0
    assert cfg.hot_folders == ()
    assert set(cfg.profiles) == {"default"}


def test_archive_config_hot_folders_resolve_and_map_to_profiles(tmp_path):
    outside = tmp_path / "share" / "scans"
    root = make_archive(tmp_path / "arch", f"""
[archive]
name = "test"
id_prefix = "SC24"
workers = 3
rescan_seconds = 5
[[hotfolder]]
path = "hot/counter"
profile = "counter"
[[hotfolder]]
path = "{outside}"
""", {"counter": 'name = "counter"\n[capture]\nassume_dpi = 200\n'})
    cfg = load_archive_config(root)
    assert cfg.id_prefix == "SC24"
    assert cfg.effective_workers() == 3
    assert cfg.rescan_seconds == 5.0
    assert [(h.path, h.profile) for h in cfg.hot_folders] == [
        (root / "hot" / "counter", "counter"),
        (outside, "default"),
    ]
    assert cfg.profile("counter").assume_dpi == 200


def test_unknown_profile_lookup_lists_known_ones(tmp_path):
    cfg = load_archive_config(make_archive(tmp_path / "a", ""))
    with pytest.raises(ConfigError, match="backlog.*known: default"):
        cfg.profile("backlog")


def test_hot_folder_with_unknown_profile_names_file_entry_and_profile(tmp_path):
    root = make_archive(tmp_path / "a", """
[[hotfolder]]
path = "hot/a"
[[hotfolder]]
path = "hot/b"
profile = "flatbed-9"
""")
    with pytest.raises(ConfigError) as ei:
        load_archive_config(root)
    msg = message(ei)
    assert str(root / CONFIG_NAME) in msg
    assert "[[hotfolder]] #2" in msg
    assert "'flatbed-9'" in msg and "profile" in msg
    assert "known: default" in msg


@pytest.mark.parametrize("body", [
    '[[hotfolder]]\nprofile = "default"\n',  # no path: must not silently become the archive root
    '[[hotfolder]]\npath = ""\nprofile = "default"\n',
    'hotfolder = ["hot/a"]\n',
], ids=["missing-path", "empty-path", "not-a-table"])
def test_hot_folder_needs_a_path(tmp_path, body):
    root = make_archive(tmp_path / "a", body)
    with pytest.raises(ConfigError) as ei:
        load_archive_config(root)
    assert str(root / CONFIG_NAME) in message(ei) and "[[hotfolder]] #1" in message(ei)
    assert "path" in message(ei)


@pytest.mark.parametrize("prefix", ['"gr"', '"GR-1"', '""', '"ABCDEFGHI"', '"서초"', "7"])
def test_bad_id_prefix_names_file_and_field(tmp_path, prefix):
    root = make_archive(tmp_path / "a", f"[archive]\nid_prefix = {prefix}\n")
    with pytest.raises(ConfigError) as ei:
        load_archive_config(root)
    assert str(root / CONFIG_NAME) in message(ei)
    assert "id_prefix" in message(ei)


def test_invalid_toml_archive_config_names_the_file(tmp_path):
    root = make_archive(tmp_path / "a", 'name = "unterminated\n')
    with pytest.raises(ConfigError) as ei:
        load_archive_config(root)
    assert str(root / CONFIG_NAME) in message(ei) and "TOML" in message(ei)


def test_bad_profile_inside_archive_names_the_profile_file(tmp_path):
    root = make_archive(tmp_path / "a", "", {"counter": "[ocr]\npagesegmode = 99\n"})
    with pytest.raises(ConfigError) as ei:
        load_archive_config(root)
    assert str(root / PROFILE_DIR / "counter.toml") in message(ei) and "pagesegmode" in message(ei)


def test_folder_without_config_is_not_an_archive(tmp_path):
    with pytest.raises(ArchiveNotFound):
        load_archive_config(tmp_path)


# --- the profiles shipped with girok ----------------------------------------


def test_tesseract_variables_are_kept_as_tesseract_reads_them(tmp_path):
    prof = load_profile(write(tmp_path / "p.toml", "[ocr.tesseract_variables]\ntextord_use_cjk_fp_model = 1\n"
                                                   "textord_single_height_mode = true\nedges_max_children_per_outline = 40\n"
                                                   "textord_noise_hfract = 0.0625\n"))
    assert prof.ocr.tesseract_variables == (("textord_use_cjk_fp_model", "1"), ("textord_single_height_mode", "1"),
                                            ("edges_max_children_per_outline", "40"), ("textord_noise_hfract", "0.0625"))
    none = load_profile(write(tmp_path / "q.toml", "[ocr.tesseract_variables]\n"))
    assert none.ocr.tesseract_variables == ()  # an empty table turns the default ones off
    assert load_profile(write(tmp_path / "r.toml", "")).ocr.tesseract_variables == OcrSettings().tesseract_variables


def test_a_script_model_is_a_language(tmp_path):
    prof = load_profile(write(tmp_path / "p.toml", '[ocr]\nlanguages = ["Hangul", "eng"]\n'))
    assert prof.ocr.languages == ("Hangul", "eng")


def test_builtin_profile_folder_is_the_repository_one():
    assert BUILTIN_PROFILES == REPO / "scanner_profiles"
    assert {p.stem for p in REAL_PROFILES} >= {"default", "counter-flatbed", "backlog-duplex"}


@pytest.mark.parametrize("path", REAL_PROFILES, ids=lambda p: p.name)
def test_every_shipped_profile_parses(path):
    prof = load_profile(path)
    assert prof.name == path.stem  # profiles are looked up by name; the file name should agree
    assert prof.description
    assert "kor" in prof.ocr.languages
    assert prof.ocr.pagesegmode is not None and 0 <= prof.ocr.pagesegmode <= 13


def test_shipped_profiles_values():
    profiles = load_profiles(BUILTIN_PROFILES)
    assert profiles["counter-flatbed"].assume_dpi == 200
    assert profiles["backlog-duplex"].stable_seconds == 10.0
    assert profiles["backlog-duplex"].ocr.existing_text == "skip"
    assert profiles["backlog-duplex"].ocr.timeout_seconds == 600.0
    assert profiles["default"].ocr == OcrSettings(timeout_seconds=300.0)


def test_default_archive_config_written_by_init_loads(tmp_path):
    from girok.archive.layout import DEFAULT_CONFIG

    root = make_archive(tmp_path / "a", DEFAULT_CONFIG.format(name="서초구청", prefix="GR"))
    for p in REAL_PROFILES:
        shutil.copy(p, root / PROFILE_DIR / p.name)
    cfg = load_archive_config(root)
    assert cfg.name == "서초구청"
    assert {h.path.name: h.profile for h in cfg.hot_folders} == {
        "counter": "counter-flatbed", "backlog": "backlog-duplex", "default": "default",
    }


@pytest.mark.parametrize("hot", [".", "store/originals", "work", "quarantine/x", ".."])
def test_hot_folder_inside_archive_internals_is_refused(tmp_path, hot):
    from girok.archive.layout import Archive
    from girok.config import load_archive_config

    root = tmp_path / "arch"
    Archive.create(root).close()
    cfg = root / "girok.toml"
    cfg.write_text(cfg.read_text() + f'\n[[hotfolder]]\npath = "{hot}"\nprofile = "default"\n')
    with pytest.raises(ConfigError, match="archive's own files"):
        load_archive_config(root)
