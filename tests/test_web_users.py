"""Users of `girok serve`: the users table and its migration, scrypt hashes with salt and parameters, roles,
lock-out after failed log-ins, and `girok user add|passwd|disable|enable|role|list`, every change audited."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from girok.app import users
from girok.errors import NotFound, UsageError
from helpers_retention import BACKENDS, cli, env, sql  # noqa: F401  (the env fixture)

PW = "correct horse 말"


@pytest.fixture(params=BACKENDS)
def env_backend(request):
    """Users on SQLite and on PostgreSQL (migration 0009 after 0008's types there)."""
    return request.param


def test_the_users_model_matches_the_migrations(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from girok.catalog.models import Base
    from girok.catalog.repository import HEAD_REVISION, Catalog

    c = Catalog(tmp_path / "c.sqlite")
    with c.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert c.current_revision() == HEAD_REVISION  # migrated to the newest (0009 made the users table)
    c.close()
    assert [d for d in diff if "'users'" in repr(d) or "users." in repr(d)] == []


def test_the_migration_uses_portable_types_only():
    from pathlib import Path

    import girok.catalog

    text = (Path(girok.catalog.__file__).parent / "migrations/versions/0009_users.py").read_text()
    assert "sqlite" not in text.lower().replace("sqlite and postgresql", "")
    assert "sa.dialects" not in text and "JSON" not in text


def test_a_password_hash_has_its_own_salt_and_parameters():
    a, b = users.hash_password(PW), users.hash_password(PW)
    assert a != b  # a salt per hash
    scheme, n, r, p, salt, digest = a.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", users.SCRYPT_N, users.SCRYPT_R, users.SCRYPT_P)
    assert users.verify_password(a, PW) and not users.verify_password(a, PW + "x")
    cheap = users.hash_password(PW, n=2 ** 10)  # hashes made with other parameters stay verifiable
    assert users.verify_password(cheap, PW)
    assert not users.verify_password("garbage", PW) and not users.verify_password("md5$1$1$1$YQ==$YQ==", PW)


def test_add_list_disable_and_roles_are_audited(env):  # noqa: F811
    info = users.add_user(env.arch, "김민원", "clerk", PW)
    assert (info.name, info.role, info.disabled) == ("김민원", "clerk", False)
    users.add_user(env.arch, "officer1", "Officer", PW)
    with pytest.raises(UsageError):
        users.add_user(env.arch, "officer1", "officer", PW)
    with pytest.raises(UsageError):
        users.add_user(env.arch, "x", "superuser", PW)
    with pytest.raises(UsageError):
        users.add_user(env.arch, "bad name", "clerk", PW)
    with pytest.raises(UsageError):
        users.add_user(env.arch, "short", "clerk", "short")
    assert [u.name for u in users.list_users(env.arch)] == ["officer1", "김민원"]
    users.set_disabled(env.arch, "김민원")
    assert users.active_user(env.arch, "김민원") is None
    users.set_disabled(env.arch, "김민원", False)
    users.set_role(env.arch, "김민원", "officer")
    assert users.active_user(env.arch, "김민원").role == "officer"
    with pytest.raises(NotFound):
        users.set_password(env.arch, "nobody", PW)
    actions = [(e.action, json.loads(e.detail)["user"]) for e in env.events() if e.action.startswith("user-")]
    assert actions == [("user-add", "김민원"), ("user-add", "officer1"), ("user-disable", "김민원"),
                       ("user-enable", "김민원"), ("user-role", "김민원")]
    [(stored,)] = sql(env.root, "select password from users where name='officer1'")
    assert stored.startswith("scrypt$") and PW not in stored
    assert all(PW not in e.detail for e in env.events())


def test_names_are_unique_ignoring_case_and_listed_in_the_same_order_on_every_backend(env):  # noqa: F811
    for name in ("Bob", "김민원", "admin", "Élise", "carol"):
        users.add_user(env.arch, name, "clerk", PW)
    for clash in ("bob", "ADMIN", "élise"):
        with pytest.raises(UsageError, match="already a user"):
            users.add_user(env.arch, clash, "clerk", PW)
    assert [u.name for u in users.list_users(env.arch)] == ["admin", "Bob", "carol", "Élise", "김민원"]
    assert users.login(env.arch, "Bob", PW).ok and not users.login(env.arch, "bob", PW).ok  # the name as added
    [(disabled,)] = sql(env.root, "select disabled from users where name='Bob'")
    assert disabled is False if env.backend == "postgresql" else disabled == 0  # girok reads both as False


def test_five_failed_logins_lock_the_user_out_for_fifteen_minutes(env):  # noqa: F811
    users.add_user(env.arch, "clerk1", "clerk", PW)
    for _ in range(users.LOCK_AFTER - 1):
        assert users.login(env.arch, "clerk1", "wrong").outcome == "bad"
    assert users.login(env.arch, "clerk1", "wrong").outcome == "locked"
    assert users.login(env.arch, "clerk1", PW).outcome == "locked"  # the right password too, while locked
    assert [e.action for e in env.events("login-locked")] == ["login-locked"]
    env.clock.now += users.LOCK_FOR + timedelta(seconds=1)
    ok = users.login(env.arch, "clerk1", PW)
    assert ok.ok and ok.role == "clerk"
    assert env.events("login")[-1].actor == "clerk1 (web)"
    assert users.login(env.arch, "nobody", PW).outcome == "bad"
    failed = [json.loads(e.detail) for e in env.events("login-failed")]
    assert [f["why"] for f in failed] == ["wrong password"] * 4 + ["locked out", "unknown user"]


def test_a_new_password_ends_a_lock_out(env):  # noqa: F811
    users.add_user(env.arch, "clerk1", "clerk", PW)
    for _ in range(users.LOCK_AFTER):
        users.login(env.arch, "clerk1", "wrong")
    users.set_password(env.arch, "clerk1", PW + "2")
    assert users.login(env.arch, "clerk1", PW + "2").ok


def test_roles_and_rights():
    assert users.may("clerk", "search") and not users.may("clerk", "download") and not users.may("clerk", "hold")
    assert users.may("officer", "hold") and users.may("officer", "quarantine") and not users.may("officer", "users")
    assert users.may("committee", "review") and not users.may("committee", "search")
    assert users.may("admin", "users") and not users.may("admin", "view")
    assert not users.may(None, "status")


def _girok(root, *args, input=None):
    from typer.testing import CliRunner

    from girok.cli import app

    r = CliRunner().invoke(app, ["--archive", str(root), *args], input=input)
    code = getattr(r.exception, "exit_code", r.exit_code)
    return code, r.stdout, r.stderr


def test_user_cli(env, monkeypatch):  # noqa: F811
    monkeypatch.setenv("GIROK_USER", "admin-kim")
    code, _, err = _girok(env.root, "user", "add", "officer1", "--role", "officer", "--password-stdin",
                          input=PW + "\n")
    assert code == 0 and "officer1" in err
    assert _girok(env.root, "user", "add", "clerk1", "--role", "clerk", input=f"{PW}\n{PW}\n")[0] == 0  # a prompt
    assert _girok(env.root, "user", "add", "c2", "--role", "clerk", "--password-stdin", input="short\n")[0] == 2
    assert _girok(env.root, "user", "disable", "nobody")[0] == 6
    assert _girok(env.root, "user", "disable", "clerk1")[0] == 0
    assert _girok(env.root, "user", "passwd", "officer1", "--password-stdin", input=PW + "!\n")[0] == 0
    assert users.login(env.arch, "officer1", PW + "!").ok
    code, out, _ = _girok(env.root, "user", "list", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["name"], r["role"], r["disabled"]) for r in rows] == [("clerk1", "clerk", True),
                                                                      ("officer1", "officer", False)]
    assert all("password" not in r for r in rows)
    adds = env.events("user-add")
    assert {e.actor for e in adds} == {f"admin-kim (claimed; os: {__import__('getpass').getuser()})"}
