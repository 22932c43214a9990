"""An archive on disk: where everything lives, creating one, and opening one.

    ARCHIVE/
      girok.toml        hot folders -> scanner profiles, archive settings
      profiles/         scanner profiles (TOML), copied from scanner_profiles/ at init
      catalog.sqlite    the catalog (SQLite, WAL)
      store/            originals/ and archival/, content-addressed by SHA-256
      index/            the search index (derived; `girok reindex` rebuilds it)
      work/             one folder per document in progress
      quarantine/       inputs that could not be archived, each with a reason
      hot/              default hot folders (others may be anywhere, e.g. on a share)
      logs/girok.log
"""

from __future__ import annotations

import logging
import os
import shutil
from functools import cached_property
from pathlib import Path

from ..config import BUILTIN_PROFILES, CONFIG_NAME, PROFILE_DIR, ArchiveConfig, load_archive_config
from ..errors import ConfigError, UsageError
from ..i18n import _, use_archive_language
from ..search.index import SearchIndex
from .lexicon import CatalogLexicon
from ..catalog.repository import Catalog
from .store import Store

DEFAULT_CONFIG = """\
# girok archive settings. Paths are relative to this folder unless absolute.
[archive]
name = "{name}"
# Registration numbers look like {prefix}-2026-000001.
id_prefix = "{prefix}"
# Documents OCRed in parallel; 0 = one per CPU core.
workers = 0
# Full rescan of every hot folder this often (seconds): network shares send no change events.
rescan_seconds = 30
# Times are stored in UTC and shown (with their offset) and typed (--since) in this time zone.
timezone = "Asia/Seoul"
# Form titles recognized as document types (matched robustly against OCR errors; anything
# else stays unknown). Add the office's own forms here.
document_types = ["전입신고서", "혼인신고서", "위임장", "건축허가신청서", "식품위생 영업신고서",
                  "통신판매업 신고서", "주민등록표 등본 교부 신청서"]
# Offices that forms are addressed to (…청장 귀하), to correct OCR misreadings; empty: any.
offices = []
# Search engine for new indexes: "whoosh" (pure Python: a small archive, up to a few thousand
# documents) or "tantivy" (anything larger: 100,000 documents answer in tens of milliseconds; see README). `girok reindex --engine NAME` moves an existing archive from one to the other.
search_engine = "whoosh"
# The catalog database: a SQLite file, relative to this folder, or a PostgreSQL database that
# several machines share, e.g. "postgresql://girok@dbhost/girok" (never its password here: that
# comes from PGPASSWORD or ~/.pgpass). The environment variable GIROK_CATALOG_URL, if set, takes
# this setting's place. `girok catalog migrate` moves an SQLite catalog to PostgreSQL.
# catalog = "sqlite:///catalog.sqlite"

# The language of girok's messages, tables and CSV headings: "ko" (한국어) or "en" (English).
# The environment variable GIROK_LANG, if set, takes its place; without this setting the locale
# (LANG) decides. Help texts (--help) are made before an archive is opened: GIROK_LANG or the locale.
# 메시지·표·CSV 머리글의 언어: "ko"(한국어) 또는 "en"(영어). 환경 변수 GIROK_LANG이 있으면 그것을
# 따르고, 이 설정이 없으면 로캘(LANG)을 따릅니다. 도움말(--help)은 GIROK_LANG이나 로캘을 따릅니다.
[interface]
language = "ko"

# One [[hotfolder]] per scanner or counter. `profile` names a file in profiles/.
[[hotfolder]]
path = "hot/counter"
profile = "counter-flatbed"

[[hotfolder]]
path = "hot/backlog"
profile = "backlog-duplex"

[[hotfolder]]
path = "hot/default"
profile = "default"

# Retention schedule (보존기간): which class each document gets when it is archived.
# Classes: 영구, 준영구, 30년, 10년, 5년, 3년, 1년. The period counts from 1 January
# after the business was completed. Without this table every document is 영구
# (never due). See README, "Retention, holds and disposal".
# [retention]
# default = "10년"                 # documents whose type and profile are not listed below
# [retention.types]                # by document type (from the scanner profile's [document] default_type)
# "전입신고서" = "5년"
# "여권발급신청서" = "10년"
# [retention.profiles]             # by scanner profile, for documents without a listed type
# "counter-flatbed" = "5년"
"""


# The per-archive key for RRN lookups (HMAC). Losing it makes `search --rrn` miss; never share it.
RRN_KEY_NAME = "rrn.key"


class Archive:
    def __init__(self, config: ArchiveConfig):
        self.config = config
        self.root = config.root
        self.catalog = Catalog(config.catalog_url or self.root / "catalog.sqlite", id_prefix=config.id_prefix)
        self._refuse_a_moved_catalog()
        self.store = Store(self.root / "store")
        self.index = SearchIndex(self.root / "index", engine=config.search_engine, lexicon=CatalogLexicon(self.catalog))
        self.work_dir = self.root / "work"
        self.quarantine_dir = self.root / "quarantine"

    def _refuse_a_moved_catalog(self) -> None:
        """After `girok catalog migrate` the old SQLite file is a record of the past: writing to it again
        would split the archive's history in two (another machine writes to the new catalog)."""
        from ..catalog.transfer import moved_to

        where = moved_to(self.catalog)
        if where is None:
            return
        self.catalog.close()
        raise ConfigError(_("this archive's catalog was moved to {where} by `girok catalog migrate`; {path} is the "
                            "old copy, kept as it was then, and girok no longer uses it").format(
                                where=where, path=self.catalog.path),
                          hint=_("Set GIROK_CATALOG_URL to the new catalog's URL (with its password) for every girok "
                                 "command and service on this machine, or write it without the password as "
                                 "`catalog = \"...\"` under [archive] in girok.toml (README: \"The catalog on "
                                 "PostgreSQL\")."))

    @classmethod
    def open(cls, root: Path) -> "Archive":
        config = load_archive_config(root)
        use_archive_language(config.language)  # messages from here on: girok.toml [interface] language
        arch = cls(config)
        arch.index.ensure()
        return arch

    @classmethod
    def create(cls, root: Path, *, name: str | None = None, prefix: str = "GR") -> "Archive":
        root = root.resolve()
        if (root / CONFIG_NAME).exists():
            raise UsageError(_("{root} is already a girok archive").format(root=root),
                             hint=_("Use it as it is, or choose another folder for a new archive."))
        if root.exists() and any(p.name != "hot" for p in root.iterdir()):
            raise UsageError(_("{root} exists and is not empty").format(root=root),
                             hint=_("Choose an empty or new folder for the archive."))
        root.mkdir(parents=True, exist_ok=True)
        (root / PROFILE_DIR).mkdir()
        for prof in sorted(BUILTIN_PROFILES.glob("*.toml")):
            shutil.copy2(prof, root / PROFILE_DIR / prof.name)
        (root / CONFIG_NAME).write_text(DEFAULT_CONFIG.format(name=name or root.name, prefix=prefix),
                                        encoding="utf-8")
        for sub in ("store", "work", "quarantine", "logs", "hot/counter", "hot/backlog", "hot/default"):
            (root / sub).mkdir(parents=True, exist_ok=True)
        arch = cls.open(root)
        arch.catalog.add_event("init", archive=str(root))
        return arch

    @cached_property
    def tz(self):
        """The time zone times are shown and typed in (girok.toml ``timezone``, default Asia/Seoul)."""
        from ..text.times import zone

        return zone(self.config.timezone)

    def setup_logging(self) -> None:
        logs = self.root / "logs"
        logs.mkdir(exist_ok=True)
        handler = logging.FileHandler(logs / "girok.log", encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"))
        root = logging.getLogger()
        root.addHandler(handler)
        root.setLevel(logging.INFO)
        for noisy in ("ocrmypdf", "PIL", "pikepdf", "fontTools", "fpdf"):
            logging.getLogger(noisy).setLevel(logging.WARNING)

    def hot_folders(self):
        for hf in self.config.hot_folders:
            hf.path.mkdir(parents=True, exist_ok=True)
            yield hf

    def close(self) -> None:
        self.catalog.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def default_archive_path() -> Path:
    return Path(os.environ.get("GIROK_ARCHIVE") or "archive")
