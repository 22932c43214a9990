"""girok.text.pii: keyed hashes of RRNs for exact lookup, and the per-archive key file."""

from __future__ import annotations

import hashlib
import hmac
import os
import stat
import threading

import pytest

from girok.errors import ConfigError
from girok.text.pii import SECRET_BYTES, load_or_create_secret, normalize_rrn, rrn_hmac

KEY = bytes(range(32))


def test_hmac_is_hmac_sha256_over_the_13_digits():
    want = hmac.new(KEY, b"8705011196406", hashlib.sha256).hexdigest()
    assert rrn_hmac("870501-1196406", KEY) == want
    assert len(want) == 64 and int(want, 16) >= 0


@pytest.mark.parametrize("written", [
    "870501-1196406", "8705011196406", "870501 - 1196406", "870501–1196406", "８７０５０１－１１９６４０６",
    "87O5O1-ㅣ196406", " 870501-1196406\n",
])
def test_hmac_does_not_depend_on_how_the_number_is_written(written):
    assert normalize_rrn(written) == "8705011196406"
    assert rrn_hmac(written, KEY) == rrn_hmac("870501-1196406", KEY)


def test_hmac_depends_on_key_and_number():
    a = rrn_hmac("870501-1196406", KEY)
    assert rrn_hmac("870501-1196407", KEY) != a
    assert rrn_hmac("870501-1196406", bytes(32)) != a


def test_hmac_never_contains_the_number():
    assert "8705011196406" not in rrn_hmac("870501-1196406", KEY)


@pytest.mark.parametrize("bad", ["870501-119640", "870501-11964061", "", "전화 010-1007-5420"])
def test_hmac_refuses_what_is_not_13_digits(bad):
    with pytest.raises(ValueError):
        rrn_hmac(bad, KEY)


def test_hmac_refuses_a_short_key():
    with pytest.raises(ValueError):
        rrn_hmac("870501-1196406", b"short")


def test_secret_created_once_with_mode_0600(tmp_path):
    path = tmp_path / "keys" / "rrn.key"
    old = os.umask(0o022)
    try:
        first = load_or_create_secret(path)
    finally:
        os.umask(old)
    assert len(first) == SECRET_BYTES
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(path) == first          # read back, not re-created
    assert path.read_bytes() == first
    assert [p.name for p in path.parent.iterdir()] == ["rrn.key"]  # no temp files left
    assert load_or_create_secret(tmp_path / "other.key") != first  # random per archive


def test_secret_file_too_open_is_tightened(tmp_path):
    path = tmp_path / "rrn.key"
    key = load_or_create_secret(path)
    path.chmod(0o644)
    assert load_or_create_secret(path) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


@pytest.mark.parametrize("content", [b"", b"x" * 31, b"x" * 33])
def test_truncated_secret_is_an_error_not_a_new_key(tmp_path, content):
    path = tmp_path / "rrn.key"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match="32 bytes"):
        load_or_create_secret(path)
    assert path.read_bytes() == content  # never overwritten


def test_secret_created_by_racing_threads_is_one_key(tmp_path):
    path = tmp_path / "rrn.key"
    got: list[bytes] = []
    threads = [threading.Thread(target=lambda: got.append(load_or_create_secret(path))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(got)) == 1 and got[0] == path.read_bytes()
