"""Archive settings and scanner profiles: TOML in, validated dataclasses out.

An archive folder holds ``girok.toml`` (which hot folder uses which scanner
profile) and ``profiles/*.toml`` (one per scanner or counter). Errors name
the file and the field, and say what is allowed.
"""

from __future__ import annotations

import dataclasses
import importlib
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ArchiveNotFound, ConfigError
from .i18n import LANGUAGES, _

CONFIG_NAME = "girok.toml"
PROFILE_DIR = "profiles"

# Scanner profiles shipped with girok (the repository's scanner_profiles/).
BUILTIN_PROFILES = Path(__file__).resolve().parent.parent / "scanner_profiles"

EXISTING_TEXT_MODES = ("skip", "redo", "force")
# Form titles girok recognizes unless girok.toml lists the office's own.
DEFAULT_DOCUMENT_TYPES = ("전입신고서", "혼인신고서", "위임장", "건축허가신청서", "식품위생 영업신고서",
                          "통신판매업 신고서", "주민등록표 등본 교부 신청서")
PDF_RENDERERS = ("auto", "fpdf2", "sandwich", "hocr")
OUTPUT_TYPES = ("pdfa-1", "pdfa-2", "pdfa-3")


@dataclass(frozen=True)
class OcrSettings:
    engine: str = "tesseract"  # girok.ocr.engines: which OCR engine reads the pages
    languages: tuple[str, ...] = ("kor", "eng")
    pagesegmode: int | None = 4
    rotate_pages: bool = True
    rotate_pages_threshold: float = 2.0
    deskew: bool = True
    clean: bool = False
    existing_text: str = "skip"
    output_type: str = "pdfa-2"
    oversample: int = 0
    timeout_seconds: float = 300.0
    pdf_renderer: str = "sandwich"
    rescan_below: float = 50.0  # a page whose confidence (words x share of ink read, girok.ocr.coverage) is below this is flagged "re-scan suggested"
    # tesseract variables for recognition (-c NAME=VALUE), as (name, value) pairs; README "Choices, with reasons"
    tesseract_variables: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SplitSettings:
    separators: bool = True  # separator sheets (QR "GIROK-SEPARATOR", PATCH-T) end a document
    blank_threshold: float | None = 1e-5  # ink fraction at or below which a page is a blank back; None: keep all


@dataclass(frozen=True)
class Profile:
    name: str
    description: str = ""
    stable_seconds: float = 2.0
    assume_dpi: int = 300
    ocr: OcrSettings = field(default_factory=OcrSettings)
    split: SplitSettings = field(default_factory=SplitSettings)
    default_doc_type: str = ""


@dataclass(frozen=True)
class FieldSettings:
    """[fields] in girok.toml: how the worker checks and re-reads a form's fields (girok.metadata.validate,
    girok.ingest.fields). Receipt patterns as the numbers look (``YYYY-서초-NNNNN``); empty: girok's default."""

    receipt_patterns: tuple[str, ...] = ()
    receipt_patterns_by_office: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (office, patterns), 서초구 first
    reread: bool = True  # a missing or invalid field's value is cut out of the page and read again, larger
    reread_height: int = 40  # pixels: the crop is enlarged until its letters are this tall (and 1.5, 1.25 times)


@dataclass(frozen=True)
class HotFolder:
    path: Path
    profile: str


@dataclass(frozen=True)
class WorkersSettings:
    """[workers]: documents prepared by `girok worker` processes on any machine, through a Redis broker
    (README, "Several machines"). Empty ``broker``: the local process pool, as on one machine."""

    broker: str = ""  # redis://host:6379/0; GIROK_REDIS_URL (which may hold the password) takes its place
    visibility_timeout: float = 7200.0  # seconds: longer than the slowest document, else it is handed out twice
    result_expires: float = 86400.0  # seconds a worker's answer waits in Redis for the claiming process

    @property
    def distributed(self) -> bool:
        return bool(self.broker)


@dataclass(frozen=True)
class ArchiveConfig:
    root: Path
    name: str
    id_prefix: str
    workers: int
    rescan_seconds: float
    hot_folders: tuple[HotFolder, ...]
    profiles: dict[str, Profile]
    document_types: tuple[str, ...] = ()
    offices: tuple[str, ...] = ()
    search_engine: str = "whoosh"  # for new indexes; `girok reindex --engine` moves an archive
    # the catalog database ([archive] catalog, GIROK_CATALOG_URL); "": ROOT/catalog.sqlite. Not in repr():
    # from GIROK_CATALOG_URL it may hold a password.
    catalog_url: str = field(default="", repr=False)
    timezone: str = "Asia/Seoul"  # times are shown and typed in this zone (stored in UTC)
    backup_max_age_days: int = 7  # [backup] max_age_days: `status` warns when the last verified backup is older
    language: str = ""  # [interface] language: "ko" or "en" (girok.i18n); "": GIROK_LANG or the locale decides
    distributed: WorkersSettings = field(default_factory=WorkersSettings)  # [workers]: several machines
    fields: FieldSettings = field(default_factory=FieldSettings)  # [fields]: receipt patterns, re-reads

    def profile(self, name: str) -> Profile:
        try:
            return self.profiles[name]
        except KeyError:
            known = ", ".join(sorted(self.profiles)) or "none"
            raise ConfigError(_("no scanner profile named {name!r} (known: {known})").format(name=name, known=known)) from None

    def effective_workers(self) -> int:
        return self.workers if self.workers > 0 else max(1, os.cpu_count() or 1)


# --- validation helpers -------------------------------------------------


class _Fields:
    """Reads typed values out of one TOML table, naming file and key on error."""

    def __init__(self, data: dict[str, Any], where: str):
        self.data, self.where = data, where

    def get(self, key: str, kind: type | tuple[type, ...], default: Any) -> Any:
        if key not in self.data:
            return default
        value = self.data[key]
        kinds = kind if isinstance(kind, tuple) else (kind,)
        if isinstance(value, bool) and bool not in kinds:
            value = None  # bool is an int in Python; don't accept it as a number
        if float in kinds and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        if not isinstance(value, kinds):
            names = " or ".join(k.__name__ for k in kinds)
            raise ConfigError(_("{where}: '{key}' must be {names}, got {value!r}").format(
                                  where=self.where, key=key, names=names, value=self.data[key]))
        return value

    def choice(self, key: str, allowed: tuple[str, ...], default: str) -> str:
        value = self.get(key, str, default)
        if value not in allowed:
            raise ConfigError(_("{where}: '{key}' must be one of {allowed}, got {value!r}").format(
                                  where=self.where, key=key, allowed=', '.join(allowed), value=value))
        return value

    def table(self, key: str) -> "_Fields":
        return _Fields(self.get(key, dict, {}), f"{self.where} [{key}]")


def read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(_("{path}: file not found").format(path=path)) from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("{path}: not valid TOML ({exc})").format(path=path, exc=exc)) from None


def load_profile(path: Path) -> Profile:
    data = _Fields(read_toml(path), str(path))
    name = data.get("name", str, path.stem)
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", name):
        raise ConfigError(_("{path}: 'name' may use letters, digits, '-', '_' and '.', got {name!r}").format(
                              path=path, name=name))
    capture, ocr, doc = data.table("capture"), data.table("ocr"), data.table("document")
    split = data.table("split")
    blank = split.get("blank_threshold", (float, bool), 1e-5)
    if blank is True or (isinstance(blank, float) and not 0 <= blank < 0.5):
        raise ConfigError(_("{path} [split]: 'blank_threshold' must be an ink fraction 0..0.5 or false, got {blank!r}").format(
                              path=path, blank=blank))
    langs = tuple(ocr.get("languages", list, ["kor", "eng"]))
    psm = ocr.get("pagesegmode", int, 4)
    settings = OcrSettings(
        engine=ocr.get("engine", str, "tesseract"),
        languages=langs,
        pagesegmode=psm,
        rotate_pages=ocr.get("rotate_pages", bool, True),
        rotate_pages_threshold=ocr.get("rotate_pages_threshold", float, 2.0),
        deskew=ocr.get("deskew", bool, True),
        clean=ocr.get("clean", bool, False),
        existing_text=ocr.choice("existing_text", EXISTING_TEXT_MODES, "skip"),
        output_type=ocr.choice("output_type", OUTPUT_TYPES, "pdfa-2"),
        oversample=ocr.get("oversample", int, 0),
        timeout_seconds=ocr.get("timeout_seconds", float, 300.0),
        pdf_renderer=ocr.choice("pdf_renderer", PDF_RENDERERS, "sandwich"),
        rescan_below=ocr.get("rescan_below", float, 50.0),
        tesseract_variables=_variables(ocr, "tesseract_variables", OcrSettings.tesseract_variables),
    )
    for problem in _ocr_problems(settings):  # the engine judges its own options (languages, psm, ...)
        raise ConfigError(_("{path} [ocr]: {problem}").format(path=path, problem=problem))
    stable = capture.get("stable_seconds", float, 2.0)
    dpi = capture.get("assume_dpi", int, 300)
    if stable < 0 or not 50 <= dpi <= 2400:
        raise ConfigError(_("{path} [capture]: need stable_seconds >= 0 and 50 <= assume_dpi <= 2400").format(
                              path=path))
    return Profile(
        name=name,
        description=data.get("description", str, ""),
        stable_seconds=stable,
        assume_dpi=dpi,
        ocr=settings,
        split=SplitSettings(separators=split.get("separators", bool, True),
                            blank_threshold=None if blank is False else blank),
        default_doc_type=doc.get("default_type", str, ""),
    )


def _variables(section: _Fields, key: str, default: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    """A table of NAME = value (a number, a string or true/false) as (name, value-as-text) pairs, in file order;
    ``default`` when the table is absent (an empty table: none). Which names the engine knows is its own check."""
    if key not in section.data:
        return default
    table = section.table(key)
    pairs = []
    for name in table.data:
        table.get(name, (int, float, str, bool), None)  # a number, text or true/false, else ConfigError
        value = table.data[name]  # as written: get() makes an int a float, and tesseract's 1 is not "1.0"
        pairs.append((name, str(int(value)) if isinstance(value, bool) else str(value)))
    return tuple(pairs)


def _ocr_problems(settings: OcrSettings) -> list[str]:
    """The OCR engine's own checks of its options (girok.ocr.engines), looked up by name as OCRmyPDF
    looks up its plugins: config sits below the OCR layer and does not import it."""
    return importlib.import_module("girok.ocr.engines").check_options(settings)


def load_profiles(folder: Path) -> dict[str, Profile]:
    profiles: dict[str, Profile] = {}
    for path in sorted(folder.glob("*.toml")):
        prof = load_profile(path)
        if prof.name in profiles:
            raise ConfigError(_("{path}: profile name {name!r} is used by two files in {folder}").format(
                                  path=path, name=prof.name, folder=folder))
        profiles[prof.name] = prof
    if "default" not in profiles:
        profiles["default"] = Profile(name="default", description="built-in defaults")
    return profiles


# Archive folders a hot folder must never be (or be inside): files there are
# the archive's own, and a watcher would take (and remove) them.
_ARCHIVE_OWN = ("store", "work", "quarantine", "index", "profiles", "logs")


def _check_hot_folder_place(folder: Path, root: Path, where: str) -> None:
    bad = folder == root or root.is_relative_to(folder) or any(
        folder.is_relative_to(root / own) for own in _ARCHIVE_OWN)
    if bad:
        raise ConfigError(
            _("{where}: hot folder {folder} would take the archive's own files; use a folder outside {root} or under "
              "{path}").format(where=where, folder=folder, root=root, path=root / 'hot'))


def load_archive_config(root: Path) -> ArchiveConfig:
    root = root.resolve()
    path = root / CONFIG_NAME
    if not path.exists():
        raise ArchiveNotFound(_("{root} is not a girok archive (no {config_name})").format(
                                  root=root, config_name=CONFIG_NAME))
    raw = read_toml(path)
    top = _Fields(raw, str(path))
    arch = top.table("archive")
    prefix = arch.get("id_prefix", str, "GR")
    if not re.fullmatch(r"[A-Z0-9]{1,8}", prefix):
        raise ConfigError(_("{path} [archive]: 'id_prefix' must be 1-8 capital letters or digits, got {prefix!r}").format(
                              path=path, prefix=prefix))
    profiles = load_profiles(root / PROFILE_DIR)
    hot: list[HotFolder] = []
    for i, entry in enumerate(top.get("hotfolder", list, [])):
        where = f"{path} [[hotfolder]] #{i + 1}"
        if not isinstance(entry, dict):
            raise ConfigError(_("{where}: must be a table with 'path' and 'profile'").format(where=where))
        f = _Fields(entry, where)
        raw_path = f.get("path", str, "")
        if not raw_path.strip():
            raise ConfigError(_("{where}: 'path' is required").format(where=where))
        p = Path(raw_path)
        prof = f.get("profile", str, "default")
        if prof not in profiles:
            raise ConfigError(_("{where}: profile {prof!r} not found in {path} (known: {items})").format(
                                  where=where, prof=prof, path=root / PROFILE_DIR, items=', '.join(sorted(profiles))))
        folder = (root / p).resolve() if not p.is_absolute() else p
        _check_hot_folder_place(folder, root, where)
        hot.append(HotFolder(path=folder, profile=prof))
    return ArchiveConfig(
        root=root,
        name=arch.get("name", str, root.name),
        id_prefix=prefix,
        workers=arch.get("workers", int, 0),
        rescan_seconds=arch.get("rescan_seconds", float, 30.0),
        hot_folders=tuple(hot),
        profiles=profiles,
        document_types=tuple(_str_list(arch, "document_types", DEFAULT_DOCUMENT_TYPES)),
        offices=tuple(_str_list(arch, "offices", ())),
        search_engine=_engine(arch),
        catalog_url=_catalog_url(arch, root),
        timezone=_timezone(arch),
        backup_max_age_days=_max_age(top.table("backup")),
        language=_language(top.table("interface")),
        distributed=_workers(top.table("workers")),
        fields=_field_settings(top.table("fields")),
    )


BROKER_ENV = "GIROK_REDIS_URL"


def _workers(table: _Fields) -> WorkersSettings:
    """[workers]: the broker (GIROK_REDIS_URL, else ``broker``) and its timeouts. The password is read from the
    environment only: girok.toml lies on the share every machine reads."""
    env = os.environ.get(BROKER_ENV, "").strip()
    url = env or table.get("broker", str, "").strip()
    where = BROKER_ENV if env else f"{table.where}: 'broker'"
    if url:
        scheme, _, rest = url.partition("://")
        if scheme not in ("redis", "rediss") or not rest:
            raise ConfigError(f"{where} must be a Redis URL like \"redis://server:6379/0\", got a {scheme or 'bare'!r} value")
        if not env and "@" in rest.split("/", 1)[0]:
            raise ConfigError(f"{where}: girok.toml must not hold the Redis password (every machine reads it)",
                              hint="Remove it from girok.toml and give each girok service the environment variable "
                                   "GIROK_REDIS_URL=redis://:PASSWORD@server:6379/0 (README, 'Several machines').")
    visibility = table.get("visibility_timeout_seconds", float, 7200.0)
    expires = table.get("result_expires_seconds", float, 86400.0)
    if visibility < 10 or expires < 60:
        raise ConfigError(f"{table.where}: need visibility_timeout_seconds >= 10 and result_expires_seconds >= 60")
    return WorkersSettings(broker=url, visibility_timeout=visibility, result_expires=expires)


def _patterns(value, where: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list) or not values or not all(
            isinstance(v, str) and v.strip() and ("YYYY" in v or "N" in v) for v in values):
        raise ConfigError(_("{where}: a receipt pattern is written as the numbers look, with YYYY for the year and "
                            "N for each digit (e.g. \"YYYY-서초-NNNNN\"); got {value!r}").format(where=where, value=value))
    return tuple(v.strip() for v in values)


def _field_settings(table: _Fields) -> FieldSettings:
    """[fields]: ``receipt_patterns`` (a list), ``[fields.receipt_patterns_by_office]`` (office = pattern or list),
    ``reread`` and ``reread_height`` (20-120 pixels)."""
    patterns = table.get("receipt_patterns", list, [])
    by_office = table.table("receipt_patterns_by_office")
    height = table.get("reread_height", int, 40)
    if not 20 <= height <= 120:
        raise ConfigError(_("{where}: 'reread_height' must be 20 to 120 (pixels), got {height}").format(
                              where=table.where, height=height))
    return FieldSettings(
        receipt_patterns=_patterns(patterns, f"{table.where}: 'receipt_patterns'") if patterns else (),
        receipt_patterns_by_office=tuple((office.strip(), _patterns(v, f"{by_office.where}: '{office}'"))
                                         for office, v in by_office.data.items()),
        reread=table.get("reread", bool, True), reread_height=height)


def _max_age(backup: _Fields) -> int:
    days = backup.get("max_age_days", int, 7)
    if days < 1:
        raise ConfigError(f"{backup.where}: 'max_age_days' must be 1 or more, got {days}")
    return days


def _timezone(arch: _Fields) -> str:
    name = arch.get("timezone", str, "Asia/Seoul")
    try:
        from zoneinfo import ZoneInfo

        ZoneInfo(name)
        known = True
    except Exception:  # Asia/Seoul works without a zone database too (girok.text.times)
        known = name == "Asia/Seoul"
    if not known:
        raise ConfigError(_("{where}: 'timezone' must be a time zone name like \"Asia/Seoul\", got {name!r}").format(
                              where=arch.where, name=name))
    return name


def _catalog_url(arch: _Fields, root: Path) -> str:
    """The catalog URL: GIROK_CATALOG_URL, else [archive] catalog, else ROOT/catalog.sqlite.

    A relative SQLite path is relative to the archive folder. A PostgreSQL URL in girok.toml may not hold
    a password (the file is copied with the archive and into every backup): the password comes with
    GIROK_CATALOG_URL, or from PGPASSWORD or ~/.pgpass (libpq reads both)."""
    env = os.environ.get("GIROK_CATALOG_URL", "").strip()
    url = env or arch.get("catalog", str, "sqlite:///catalog.sqlite").strip()
    where = "GIROK_CATALOG_URL" if env else f"{arch.where}: 'catalog'"
    if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
        return f"sqlite:///{root / url[len('sqlite:///'):]}"  # an absolute path stays as it is
    if "://" not in url:
        raise ConfigError(_("{where} must be a database URL like \"sqlite:///catalog.sqlite\" or "
                            "\"postgresql://girok@dbhost/girok\", got {url!r}").format(where=where, url=mask_password(url)))
    if is_postgresql_url(url):
        if not env and url_has_password(url):
            raise ConfigError(_("{where}: the URL holds a password ({url}); girok.toml is copied "
                                "with the archive and into every backup, so it may not").format(
                                    where=where, url=mask_password(url)),
                              hint=_("Write the URL without the password and give the password with PGPASSWORD or "
                                     "~/.pgpass, or set the whole URL in the environment variable GIROK_CATALOG_URL."))
        return url
    raise ConfigError(_("{where}: {scheme!r} catalogs are not supported; only SQLite files "
                        "(sqlite:///catalog.sqlite) and PostgreSQL databases (postgresql://girok@dbhost/girok)").format(
                            where=where, scheme=url.split(':', 1)[0]),
                      hint=_("Remove the setting to use the archive's catalog.sqlite."))


# PostgreSQL catalog URLs (girok connects with psycopg 3 whichever of these is written).
POSTGRESQL_SCHEMES = ("postgresql", "postgresql+psycopg", "postgres")

# user:PASSWORD@ in a URL (SQLAlchemy's URL grammar: the password runs to the next @), and password=VALUE
# in a query string or a libpq connection string.
_URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*:)[^@\n]*@")
_PARAM_PASSWORD = re.compile(r"(\bpassword=)[^&\s]*", re.IGNORECASE)


def is_postgresql_url(url: str) -> bool:
    return "://" in url and url.split("://", 1)[0].lower() in POSTGRESQL_SCHEMES


def url_has_password(url: str) -> bool:
    return mask_password(url) != url


def without_password(url: str) -> str:
    """``url`` with no password in it (for girok.toml: libpq then reads it from PGPASSWORD or ~/.pgpass)."""
    url = re.sub(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^:/@\s]*):[^@\n]*@", r"\1@", url)
    url = re.sub(r"([?&])password=[^&\s]*&?", r"\1", url, flags=re.IGNORECASE)
    return url.rstrip("?&")


def mask_password(text: str) -> str:
    """``text`` (a database URL, or a message that quotes one) with every password in it shown as ***.

    Every message, log line and error that names a catalog URL goes through this."""
    return _PARAM_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", text))


def _language(interface: _Fields) -> str:
    lang = interface.get("language", str, "")
    if lang and lang not in LANGUAGES:
        raise ConfigError(_("{where}: 'language' must be one of {languages}, got {lang!r}").format(
                              where=interface.where, languages=', '.join(LANGUAGES), lang=lang))
    return lang


SEARCH_ENGINES = ("whoosh", "tantivy")


def _engine(arch: _Fields) -> str:
    name = arch.get("search_engine", str, "whoosh")
    if name not in SEARCH_ENGINES:
        raise ConfigError(_("{where}: 'search_engine' must be one of {search_engines}, got {name!r}").format(
                              where=arch.where, search_engines=', '.join(SEARCH_ENGINES), name=name))
    return name


def _str_list(table: _Fields, key: str, default) -> list[str]:
    values = table.get(key, list, list(default))
    if not all(isinstance(v, str) and v.strip() for v in values):
        raise ConfigError(_("{where}: '{key}' must be a list of names").format(where=table.where, key=key))
    return [v.strip() for v in values]


def describe_ocr(settings: OcrSettings) -> dict[str, Any]:
    return dataclasses.asdict(settings)
