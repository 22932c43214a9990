"""The records officer's settings in ARCHIVE/girok.toml: ``[records]`` (the office code, how long paper is kept
after inspection) and ``[files]`` (which unit task each document type is filed under, volume size).

```toml
[records]
office_code = "1234567"       # 처리과기관코드 (7 characters)
paper_keep_months = 6         # paper originals may be destroyed this long after inspection passed

[files]
volume_size = 100             # a new volume (권) after this many items
[files.types]                 # document type -> unit task code (단위과제, 8 characters)
"전입신고서" = "00890120"
[files.titles]                # unit task -> file title (else the 기록관리기준표's name, else the types)
"00890120" = "전입신고"
```

Read like ``[retention]`` (retention.schedule): errors name the file and the key (exit 3).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from ..config import CONFIG_NAME, read_toml
from ..errors import ConfigError
from ..i18n import _

OFFICE_CODE = re.compile(r"[0-9A-Za-z]{7}")
UNIT_TASK = re.compile(r"[0-9A-Za-z]{8}")
DEFAULT_VOLUME_SIZE = 100
DEFAULT_PAPER_MONTHS = 6


@dataclass(frozen=True)
class RecordsConfig:
    office_code: str = ""  # "": not set (no standard numbers, no filing)
    paper_keep_months: int = DEFAULT_PAPER_MONTHS
    volume_size: int = DEFAULT_VOLUME_SIZE
    types: dict[str, str] = field(default_factory=dict)  # document type -> unit task code
    titles: dict[str, str] = field(default_factory=dict)  # unit task code -> file title
    path: Path | None = None

    def need_office_code(self) -> str:
        if not self.office_code:
            raise ConfigError(_("{path} [records]: 'office_code' (처리과기관코드, 7 characters) is not set").format(
                                  path=self.path or CONFIG_NAME),
                              hint=_("Add [records] office_code = \"1234567\" to girok.toml: files and registration "
                                     "numbers are made of it."))
        return self.office_code


def _table(raw: dict, key: str, path: Path) -> dict:
    table = raw.get(key, {})
    if not isinstance(table, dict):
        raise ConfigError(_("{path}: '{key}' must be a table ([{key}])").format(path=path, key=key))
    return table


def _unknown(table: dict, known: set[str], where: str) -> None:
    bad = sorted(set(table) - known)
    if bad:
        raise ConfigError(_("{where}: unknown key {value!r} (known: {known})").format(
                              where=where, value=bad[0], known=", ".join(sorted(known))))


def _int(table: dict, key: str, default: int, where: str, low: int) -> int:
    value = table.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(_("{where}: '{key}' must be a whole number of at least {low}, got {value!r}").format(
                              where=where, key=key, low=low, value=value))
    return value


def unit_task_code(value: object, where: str) -> str:
    if not isinstance(value, str) or not UNIT_TASK.fullmatch(value.strip()):
        raise ConfigError(_("{where}: a unit task code (단위과제) is 8 letters or digits, got {value!r}").format(
                              where=where, value=value))
    return value.strip()


def load_records_config(root: Path) -> RecordsConfig:
    """``[records]`` and ``[files]`` of ROOT/girok.toml, validated (both optional)."""
    path = root / CONFIG_NAME
    raw = read_toml(path)
    rec, files = _table(raw, "records", path), _table(raw, "files", path)
    _unknown(rec, {"office_code", "paper_keep_months"}, f"{path} [records]")
    _unknown(files, {"volume_size", "types", "titles"}, f"{path} [files]")
    office = rec.get("office_code", "")
    if not isinstance(office, str) or (office and not OFFICE_CODE.fullmatch(office)):
        raise ConfigError(_("{path} [records]: 'office_code' (처리과기관코드) is 7 letters or digits, got {value!r}").format(
                              path=path, value=office))
    types, titles = _table(files, "types", path), _table(files, "titles", path)
    return RecordsConfig(
        office_code=office,
        paper_keep_months=_int(rec, "paper_keep_months", DEFAULT_PAPER_MONTHS, f"{path} [records]", 0),
        volume_size=_int(files, "volume_size", DEFAULT_VOLUME_SIZE, f"{path} [files]", 1),
        types={str(t): unit_task_code(c, f"{path} [files.types] {t!r}") for t, c in types.items()},
        titles={unit_task_code(c, f"{path} [files.titles]"): str(v) for c, v in titles.items()},
        path=path,
    )
