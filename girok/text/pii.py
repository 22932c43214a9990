"""Personal data in text: 주민등록번호 (resident registration numbers); phone numbers and address details.

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

Phone numbers and the details of a street or lot address (building and lot
numbers, 동·호수) are kept in the stored text (searching by them is
allowed), but a piece of text shown to someone who searched
(``mask_contacts``, for search snippets) masks them too: ``010-****-****``,
``서울특별시 서초구 서초대로 ***``.
"""

from __future__ import annotations

import functools
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


# --- phone numbers and address details (for text shown around a search hit) -------------------------------

_TEL_SEP = r"(?:\s?[-‐‑‒–—―−－.]\s?|\)\s?|\s)?"
# mobile 01X, Seoul 02, an area code 0[3-6][1-5], 070, 050(X); groups apart or run together (0212345678)
_PHONE = (rf"(?<![0-9A-Za-z-])(\(?(?:01[016789]|02|0[3-6][1-5]|070|050\d?){_TEL_SEP})(\d{{3,4}})"
          rf"({_TEL_SEP})(\d{{4}})(?![0-9-])")
_NUMBER = r"(?:산\s?)?\d{1,5}(?:-\d{1,5})?"  # a building or lot number: 123, 10-3, 산 12-1
_END = r"(?![0-9\-가-힣A-Za-z.])"  # not a date (2024-05-01, 2024.5.1), a year (2024년) or a count (3개)
# what follows the number: 101동 1203호, N동 3층, 지하 1층, 201호 (an apartment's name before them too)
_UNIT, _FLOOR, _ROOM = r"(?:[A-Za-z]|[A-Za-z]?\d{1,4})\s*동", r"(?:지하\s*)?\d{1,3}\s*층", r"[A-Za-z]?\d{1,5}\s*호"
_DETAIL = (rf"(?:\s*,?\s*(?:[가-힣A-Za-z]+\s*)?(?:{_UNIT}(?:\s*{_FLOOR})?(?:\s*{_ROOM})?|{_FLOOR}(?:\s*{_ROOM})?"
           rf"|{_ROOM}))?")
# 도로명주소: 서초대로 123, 서초대로74길 10-3, 반포대로 58길 7
_ROAD_ADDRESS = (rf"(?<![가-힣0-9])([가-힣][가-힣0-9]*(?:로|길)(?:\s?\d{{1,4}}번?길)?)\s?{_NUMBER}{_END}"
                 rf"{_DETAIL}")
# 지번주소: 서초동 1234-5번지, or 서초구 서초동 1234-5 (a district before the 동·리·가, no 번지)
_LOT_ADDRESS = (
    rf"(?<![가-힣0-9])((?:[가-힣]+\d*(?:동|리|가)\d*)\s?){_NUMBER}\s?번지{_DETAIL}"
    rf"|(?<![가-힣0-9])([가-힣]+(?:시|군|구|읍|면)\s+[가-힣]+\d*(?:동|리|가)\d*\s?){_NUMBER}{_END}{_DETAIL}"
)
_UNIT_ROOM = rf"(?<![0-9A-Za-z]){_UNIT}\s*{_ROOM}"  # 101동 1203호 on its own


@functools.cache
def _rx(pattern: str) -> re.Pattern:
    """These patterns are compiled when a snippet first needs them (~7 ms), not when girok starts."""
    return re.compile(pattern)


def mask_phones(text: str) -> str:
    """Phone numbers with all but the area code masked: 010-1234-5678 -> 010-****-****, 0212345678 ->
    02********. Receipt numbers, dates and registration numbers do not look like one (no leading 0 group
    after a hyphen or a digit)."""
    return _rx(_PHONE).sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3) + "*" * len(m.group(4)), text)


def mask_addresses(text: str) -> str:
    """The details of street and lot addresses: the city, district and road (or 동·리) stay, the building or lot
    number and the 동·호수 after it go (서울특별시 서초구 서초대로 123, 101동 1203호 -> 서울특별시 서초구 서초대로 ***;
    서초동 1234-5번지 -> 서초동 ***)."""
    text = _rx(_ROAD_ADDRESS).sub(lambda m: m.group(1).rstrip() + " ***", text)
    text = _rx(_LOT_ADDRESS).sub(lambda m: (m.group(1) or m.group(2)).rstrip() + " ***", text)
    return _rx(_UNIT_ROOM).sub("***", text)


def mask_contacts(text: str) -> str:
    """Text as it may be shown around a search hit: RRNs, phone numbers and address details masked."""
    return mask_addresses(mask_phones(mask_rrn(text)))
