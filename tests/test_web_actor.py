"""Who the audit trail names: the acting user of a block (the web's logged-in user), a claimed GIROK_USER
(recorded as claimed, beside the OS user), else the OS user; one request's user never leaks into another's."""

from __future__ import annotations

import threading

from girok.catalog import actor as actor_mod
from girok.catalog.actor import acting, claimed
from girok.catalog.repository import actor
from helpers_retention import cli, env  # noqa: F401  (the env fixture)


def test_an_event_written_while_acting_names_the_acting_user(env):  # noqa: F811
    with acting("officer1"):
        env.arch.catalog.add_event("test-acting", note="x")
    env.arch.catalog.add_event("test-after")
    [ev] = env.events("test-acting")
    assert ev.actor == "officer1"
    [after] = env.events("test-after")
    assert after.actor == actor_mod.os_user()  # the block ended: the OS user again


def test_a_hold_placed_while_acting_names_the_acting_user(env):  # noqa: F811
    from girok.app.retention import add_hold

    [reg] = env.add()
    with acting("officer1 (web)"):
        added = add_hold(env.arch, reason="소송 2026가합1", ids=[reg])
    assert added.info.placed_by == "officer1 (web)"
    assert [e.actor for e in env.events("hold-add")] == ["officer1 (web)"]


def test_girok_user_is_recorded_as_claimed_beside_the_os_user(env, monkeypatch):  # noqa: F811
    [reg] = env.add()
    monkeypatch.setenv("GIROK_USER", "kim")
    r = cli(env.root, "show", reg, "--text", check=True)
    assert r.returncode == 0
    [ev] = env.events("view")
    assert ev.actor == f"kim (claimed; os: {actor_mod.os_user()})"
    assert actor() == actor_mod.os_user()  # the claim ends with the command
    monkeypatch.delenv("GIROK_USER")
    cli(env.root, "show", reg, "--text", check=True)
    assert env.events("view")[-1].actor == actor_mod.os_user()


def test_a_claim_fits_the_actor_column_and_keeps_to_one_line():
    who = claimed("x" * 200 + "\nforged line")
    assert len(who) <= actor_mod.MAX_ACTOR and "\n" not in who
    with acting("a\r\nb" + "y" * 100) as name:
        assert actor() == name and len(name) <= actor_mod.MAX_ACTOR and "\n" not in name


def test_acting_is_per_thread_so_concurrent_requests_never_mix():
    seen: dict[str, str] = {}
    ready = threading.Barrier(2)

    def request(user: str) -> None:
        with acting(user):
            ready.wait(timeout=5)
            seen[user] = actor()

    threads = [threading.Thread(target=request, args=(u,)) for u in ("clerk1", "officer1")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"clerk1": "clerk1", "officer1": "officer1"}
