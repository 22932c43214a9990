"""Personal data in text: 주민등록번호 (resident registration numbers).

An RRN is YYMMDD-GNNNNNN. OCR adds noise: spaces around the hyphen, a long
dash, full-width digits, a space inside a digit group, ``O`` for 0 and
``ㅣ``/``l``/``|`` for 1. ``find_rrns`` and ``mask_rrn`` read through that
noise (the birth date and gender digit must still be valid); ``mask_rrn``
keeps the birth date and the gender digit and masks the rest
(``YYMMDD-G******``), the form the law allows to show.

The clear number may be kept nowhere but the archival PDF itself. To find a
document by RRN, girok stores ``rrn_hmac(rrn, secret)``: HMAC-SHA256 over the
13 digits with a per-archive secret (``load_or_create_secret``), so the
catalog alone does not give the numbers back, not even by trying every
birth date.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import stat
from pathlib import Path

from ..errors import ConfigError
from .normalize import LOOKALIKE_CLASS, digits_only, fold_width
from ..i18n import _

# Strict form: 6 digits (a plausible date), a hyphen-like mark with optional spaces, 7 digits.
RRN_RE = re.compile(
    r"(?<!\d)(\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01]))\s?[-‐‑–—−~]\s?([1-8])(\d{6})(?!\d)"
)

# OCR-tolerant form: each digit may be a look-alike or full-width, one space may split a digit
# group. The match is validated afterwards (birth date, gender digit, enough real digits).
_D = rf"[0-9０-９{LOOKALIKE_CLASS}]"
_SEP = r"[-‐‑‒–—―−~－﹣]"
NOISY_RRN_RE = re.compile(
    rf"(?<![0-9０-９A-Za-z])({_D}(?: ?{_D}){{5}})[ \t]?{_SEP}[ \t]?({_D}(?: ?{_D}){{6}})(?![0-9０-９A-Za-z])"
)
_VALID = re.compile(r"\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])[1-8]\d{6}")
MIN_REAL_DIGITS = 10  # of 13: a run of look-alike letters is not a number


def _rrn_digits(m: re.Match) -> str | None:
    raw = m.group(1) + m.group(2)
    if sum(c.isdigit() for c in raw) < MIN_REAL_DIGITS:
        return None
    digits = digits_only(fold_width(raw))
    return digits if len(digits) == 13 and _VALID.fullmatch(digits) else None


def mask_rrn(text: str) -> str:
    def repl(m: re.Match) -> str:
        d = _rrn_digits(m)
        return f"{d[:6]}-{d[6]}******" if d else m.group(0)

    return NOISY_RRN_RE.sub(repl, text)


def find_rrns(text: str) -> list[str]:
    """Every RRN in ``text``, normalized to ``YYMMDD-GNNNNNN``, in order (repeats kept)."""
    out = []
    for m in NOISY_RRN_RE.finditer(text):
        d = _rrn_digits(m)
        if d:
            out.append(f"{d[:6]}-{d[6:]}")
    return out


def normalize_rrn(rrn: str) -> str:
    """The 13 digits of an RRN written any way (hyphen or not, spaces, full-width, look-alikes)."""
    digits = digits_only(fold_width(rrn))
    if len(digits) != 13:
        raise ValueError("not a resident registration number: it must have 13 digits")
    return digits


def rrn_hmac(rrn: str, secret: bytes) -> str:
    """HMAC-SHA256 (hex) of the RRN's 13 digits, keyed with the archive's secret."""
    if len(secret) < 16:
        raise ValueError("the RRN key must be at least 16 bytes")
    return hmac.new(secret, normalize_rrn(rrn).encode("ascii"), hashlib.sha256).hexdigest()


SECRET_BYTES = 32


def load_or_create_secret(path: Path) -> bytes:
    """The archive's RRN key at ``path``: read it, or create it once (32 random bytes, mode 0600).

    Creation is atomic and never overwrites: the key is written to a
    temporary file in the same folder, fsync'd, then hard-linked to ``path``;
    if another process linked first, its key is used. A key file whose mode
    lets others read it is tightened to 0600. A file of the wrong size is a
    ``ConfigError`` (a truncated key would silently make every lookup miss).
    """
    path = Path(path)
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.fchmod(fd, 0o600)  # whatever the umask
        os.write(fd, secrets.token_bytes(SECRET_BYTES))
        os.fsync(fd)
    finally:
        os.close(fd)
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass  # someone else created it first: use theirs
    finally:
        tmp.unlink()
    dfd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)
    return _read_secret(path)


def _read_secret(path: Path) -> bytes:
    st = path.stat()
    if stat.S_IMODE(st.st_mode) & 0o077:
        os.chmod(path, 0o600)
    data = path.read_bytes()
    if len(data) != SECRET_BYTES:
        raise ConfigError(_("{path}: the RRN key file must hold exactly {secret_bytes} bytes, it holds {n}").format(
                              path=path, secret_bytes=SECRET_BYTES, n=len(data)),
                          hint=_("Restore the key file from backup: without the original key, RRN lookups cannot "
                                 "find the documents already archived."))
    return data


def mask_name(name: str) -> str:
    """A person's name as it may be shown on a console or a list: the first and last letters kept,
    those between masked (홍길동 -> 홍*동, 남궁민수 -> 남**수, 김수 -> 김*); an RRN in it is masked too."""
    name = mask_rrn(" ".join(name.split()))
    if len(name) <= 1:
        return "*" if name else ""
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "".join(" " if c == " " else "*" for c in name[1:-1]) + name[-1]
