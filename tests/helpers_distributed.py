"""Real services for the distributed tests: a private redis-server, a private PostgreSQL server, and an archive
worked by a watcher, `girok worker` processes and an indexer, each in its own process group (a stand-in for a
machine).

Redis: GIROK_TEST_REDIS_URL when set (./girok.sh test starts a private one), else a private redis-server
started here when the program is installed; otherwise the tests skip, saying so. PostgreSQL (``catalog``:
the archive's catalog on SQLite, then on PostgreSQL): GIROK_TEST_POSTGRES_URL when set (./girok.sh test
starts a private one), else a private server (initdb, pg_ctl) started here when PostgreSQL's server programs
are installed; otherwise the PostgreSQL runs skip, saying so. Each PostgreSQL run gets a database of its own.
Nothing is mocked.

The catalog is read the way girok reads it, whatever its backend: SQLAlchemy on the archive's catalog URL.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from conftest import CORPUS, PG_ENV, _pg_database, _pg_database_url, girok_cmd, json_lines, render_korean, run_girok, wait_for

REDIS_SERVER = shutil.which("redis-server") or "/usr/sbin/redis-server"
NO_REDIS = ("needs Redis: set GIROK_TEST_REDIS_URL, or install redis-server (apt-get install redis-server); "
            "./girok.sh test does both")
# small one-page files of the shared corpus (forms and an article; none splits into several documents)
CORPUS_FILES = ("form-11-03.png", "form-11-05.png", "form-11-00.tif", "article-11-02.tif")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """A private redis-server on 127.0.0.1 with a password, no persistence (a restart loses everything)."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.port = port or free_port()
        self.password = secrets.token_hex(16)
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def start(self) -> RedisServer:
        conf = self.folder / "redis.conf"
        conf.write_text(f'port {self.port}\nbind 127.0.0.1\nrequirepass {self.password}\nsave ""\n'
                        f'appendonly no\ndir {self.folder}\ndaemonize no\nloglevel warning\n')
        conf.chmod(0o600)
        log = (self.folder / "redis.log").open("ab")
        self.proc = subprocess.Popen([REDIS_SERVER, str(conf)], stdout=log, stderr=log, start_new_session=True)
        import redis

        client = redis.Redis.from_url(self.url, socket_timeout=2)

        def up():
            try:
                return client.ping()
            except Exception:
                return False

        wait_for(up, timeout=30, what="redis-server to answer")
        client.close()
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        self.stop()
        self.start()


def redis_url(tmp_path_factory):
    """The body of a ``redis_url`` fixture (a generator): the CI Redis, else a private one, else skip."""
    url = os.environ.get("GIROK_TEST_REDIS_URL")
    if url:
        yield url
        return
    if not Path(REDIS_SERVER).exists():
        pytest.skip(NO_REDIS)
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server.url
    finally:
        server.stop()


def pg_bindir() -> Path | None:
    """The newest PostgreSQL server programs (Debian: /usr/lib/postgresql/VERSION/bin), None when not installed."""
    dirs = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda d: [int(x) for x in d.parent.name.split(".")
                                                                           if x.isdigit()])
    dirs = [d for d in dirs if (d / "initdb").exists() and (d / "pg_ctl").exists()]
    return dirs[-1] if dirs else None


NO_POSTGRES = (f"needs PostgreSQL: set {PG_ENV}, or install the server programs (apt-get install postgresql); "
               "./girok.sh test does both")


class PostgresServer:
    """A private PostgreSQL server: initdb into a folder of its own, 127.0.0.1 on a free port, a role girok_test
    (CREATEDB, a random password), no fsync (a throwaway cluster), as girok.sh's start_test_postgres does.

    As root it runs as Debian's ``postgres`` user (initdb refuses root), so its folder is made under the
    system's temporary folder (pytest's tmp_path is not open to that user) and removed by ``stop()``."""

    def __init__(self, port: int | None = None):
        bindir = pg_bindir()
        if bindir is None:
            pytest.skip(NO_POSTGRES)
        self.bindir = bindir
        self.port = port or free_port()
        self.password = secrets.token_hex(16)
        self.folder = Path(tempfile.mkdtemp(prefix="girok-test-pg."))
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")
            self.as_user = ["runuser", "-u", "postgres", "--"]

    @property
    def admin_url(self) -> str:
        """An admin URL (a role that may create databases) in the form GIROK_TEST_POSTGRES_URL takes."""
        return f"postgresql://girok_test:{self.password}@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str, timeout: float = 120) -> None:
        res = subprocess.run([*self.as_user, *args], capture_output=True, text=True, timeout=timeout)
        if res.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise AssertionError(f"{' '.join(args[:2])} failed ({res.returncode}): {res.stdout}{res.stderr}\n{log}")

    def _pg_ctl(self, *args: str) -> None:
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-w", "-t", "60", *args)

    def start(self) -> PostgresServer:
        import psycopg

        made = self.data.exists()
        if not made:
            self._run(str(self.bindir / "initdb"), "-D", str(self.data), "--auth-local=trust",
                      "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8", "--no-sync", "--no-instructions")
        self._pg_ctl("-o", f"-c listen_addresses=127.0.0.1 -c port={self.port} -c unix_socket_directories={self.folder} "
                           "-c fsync=off -c synchronous_commit=off -c full_page_writes=off", "start")
        if not made:  # over the Unix socket (trust), the password as a parameter: never in a command line
            with psycopg.connect(host=str(self.folder), port=self.port, user="postgres", dbname="postgres",
                                 autocommit=True) as conn:
                conn.execute(f"CREATE ROLE girok_test LOGIN CREATEDB PASSWORD '{self.password}'")
        return self

    def restart(self, mode: str = "fast", *, down: float = 0.0) -> None:
        """``pg_ctl restart -m MODE``: every connection is cut (mid-transaction too), the server starts again;
        with ``down``, it stays stopped that many seconds first (connections refused meanwhile)."""
        if not down:
            self._pg_ctl("-m", mode, "restart")
            return
        self._pg_ctl("-m", mode, "stop")
        time.sleep(down)
        self.start()

    def stop(self) -> None:
        if self.data.exists():
            subprocess.run([*self.as_user, str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate",
                            "-w", "stop"], capture_output=True, timeout=120)
        shutil.rmtree(self.folder, ignore_errors=True)


def postgres_admin_url():
    """The body of the ``pg_admin_url`` fixture (a generator): GIROK_TEST_POSTGRES_URL, else a private server's
    admin URL, else skip (no PostgreSQL server programs)."""
    url = os.environ.get(PG_ENV, "").strip()
    if url:
        yield url
        return
    server = PostgresServer().start()
    try:
        yield server.admin_url
    finally:
        server.stop()


BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgresql)]


def catalog_backend(request, monkeypatch):
    """The body of the ``archive_catalog`` fixture, parametrized over BACKENDS (a generator): the archives made in the test
    keep their catalog in their own catalog.sqlite, or in a new PostgreSQL database of their own (given to girok
    as a deployment gives it: GIROK_CATALOG_URL, inherited by every girok process the test starts). Yields the
    backend's name. Not parametrized: SQLite."""
    if getattr(request, "param", "sqlite") == "sqlite":
        monkeypatch.delenv("GIROK_CATALOG_URL", raising=False)
        yield "sqlite"
        return
    admin = request.getfixturevalue("pg_admin_url")
    with _pg_database(admin) as name:
        monkeypatch.setenv("GIROK_CATALOG_URL", _pg_database_url(admin, name))
        yield "postgresql"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def catalog_engine(url: str) -> sa.Engine:
    """An engine on a girok catalog URL, for the tests' reads behind girok's back: SQLite read-only, no pool (a
    connection per read: nothing is held open across a server restart, nor keeps a database from being dropped)."""
    from girok.catalog.dialect import engine_url, sqlite_path

    path = sqlite_path(url)
    target = f"sqlite:///file:{path}?mode=ro&uri=true" if path is not None else engine_url(url)
    return sa.create_engine(target, poolclass=sa.pool.NullPool)


def captured_shas(engine: sa.Engine) -> list[str] | None:
    """The SHA-256 of every capture in the catalog, sorted (one per capture: a duplicate shows twice); None while
    the catalog cannot be read (not made yet, its server restarting)."""
    try:
        with engine.connect() as conn:
            return sorted(conn.execute(sa.text("select sha256 from captures")).scalars())
    except sa.exc.DBAPIError:
        return None


def inputs(folder: Path, n: int, *, corpus: bool = True) -> list[Path]:
    """``n`` small one-page scans: files of the shared corpus when it is there, else rendered Korean scans."""
    folder.mkdir(parents=True, exist_ok=True)
    made: list[Path] = []
    if corpus and (CORPUS / "MANIFEST.json").exists():
        for name in CORPUS_FILES[:n]:
            shutil.copy2(CORPUS / name, folder / name)
            made.append(folder / name)
    for i in range(len(made), n):
        made.append(render_korean(folder / f"민원 {i}.png", ["민원실 전입신고서", f"접수 번호 {5510 + i}"], dpi=120,
                                  size=(620, 220), fmt="PNG"))
    return made


def drop(files: list[Path], hot: Path) -> None:
    """Into the hot folder the way a scanner does: written aside, renamed in."""
    for f in files:
        tmp = hot / f".{f.name}.part"
        shutil.copy2(f, tmp)
        tmp.rename(hot / f.name)


class Cluster:
    """One archive and its processes: watcher, workers, indexer; each in its own process group."""

    def __init__(self, archive: Path, url: str, logs: Path, *, visibility: int = 120):
        from girok.config import load_archive_config

        self.archive, self.url, self.logs = archive, url, logs
        logs.mkdir(parents=True, exist_ok=True)
        self.env = {**os.environ, "GIROK_REDIS_URL": url}  # GIROK_CATALOG_URL too, when the catalog fixture set it
        self.env.pop("GIROK_FAULT", None)
        self.catalog_url = load_archive_config(archive).catalog_url  # SQLite or PostgreSQL: read the same way
        self.catalog = catalog_engine(self.catalog_url)
        cfg = archive / "girok.toml"
        cfg.write_text(cfg.read_text() + f"\n[workers]\nvisibility_timeout_seconds = {visibility}\n")
        self.procs: list[subprocess.Popen] = []
        self._n = 0

    def girok(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(girok_cmd(self.archive, *args), capture_output=True, text=True, timeout=timeout,
                              env=self.env)

    def _start(self, name: str, *args: str, env: dict | None = None) -> subprocess.Popen:
        self._n += 1
        out = (self.logs / f"{self._n:02d}-{name}.out").open("w")
        err = (self.logs / f"{self._n:02d}-{name}.err").open("w")
        proc = subprocess.Popen(girok_cmd(self.archive, *args), stdout=out, stderr=err, text=True,
                                env={**self.env, **(env or {})}, start_new_session=True)
        proc.out_path, proc.err_path = Path(out.name), Path(err.name)  # type: ignore[attr-defined]
        self.procs.append(proc)
        return proc

    def watcher(self, *args: str, env: dict | None = None) -> subprocess.Popen:
        proc = self._start("watch", "watch", "--json", "--poll", "0.3", *args, env=env)

        def started():  # --json prints no banner: its lock names it, and the archive's id is made
            lock = self.archive / "watch.lock"
            return proc.poll() is not None or (
                lock.exists() and lock.read_text().strip() == f"pid {proc.pid}"
                and (self.archive / ".girok-archive-id").exists())

        wait_for(started, timeout=120, what="the watcher to start")
        assert proc.poll() is None, proc.err_path.read_text()[-3000:]
        return proc

    def worker(self, concurrency: int = 1) -> subprocess.Popen:
        proc = self._start("worker", "worker", "--concurrency", str(concurrency))
        wait_for(lambda: "process(es) on archive" in proc.err_path.read_text() or proc.poll() is not None,
                 timeout=120, what="a worker to start")
        assert proc.poll() is None, proc.err_path.read_text()[-3000:]
        return proc

    def indexer(self) -> subprocess.Popen:
        return self._start("indexer", "indexer", "--poll", "0.5")

    @staticmethod
    def kill(proc: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        """The whole process group (a machine switched off, with SIGKILL)."""
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            pass
        if sig == signal.SIGKILL:
            proc.wait(timeout=60)

    def stop(self, proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 300) -> int:
        """Stop one process the way systemd does (SIGTERM to it), then make sure its group is gone."""
        if proc.poll() is None:
            proc.send_signal(sig)
        try:
            code = proc.wait(timeout=timeout)
        finally:
            self.kill(proc)
        return code

    def stop_all(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT if "watch" in proc.args else signal.SIGTERM)
        for proc in self.procs:
            try:
                proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                pass
            self.kill(proc)
        self.catalog.dispose()

    def captured_shas(self) -> list[str]:
        """The SHA-256 of every capture, sorted ([] while the catalog cannot be read)."""
        return captured_shas(self.catalog) or []

    def status(self) -> dict:
        res = self.girok("status", "--json")
        assert res.returncode == 0, res.stderr
        return json_lines(res.stdout)[0]

    def outcomes(self, proc: subprocess.Popen) -> list[dict]:
        return json_lines(proc.out_path.read_text())

    def wait_archived(self, shas: list[str], hot: Path, *, timeout: float = 900,
                      watcher: subprocess.Popen | None = None) -> None:
        """Every input in the catalog, the hot folder empty (and the watcher has said so for each)."""
        want = sorted(shas)
        wait_for(lambda: sorted(set(self.captured_shas())) == want and not any(hot.iterdir())
                 and (watcher is None or len(self.outcomes(watcher)) >= len(want)),
                 timeout=timeout, interval=1.0, what=f"{len(want)} inputs archived and the hot folder empty")

    def wait_indexed(self, timeout: float = 300) -> None:
        wait_for(lambda: self.status()["unindexed"] == 0, timeout=timeout, interval=1.0, what="the index to catch up")

    def assert_consistent(self, shas: list[str]) -> None:
        """Every input archived exactly once; catalog == store (doctor: fixity, no orphans); index caught up;
        audit chain verifies; nothing left in the work area."""
        assert self.captured_shas() == sorted(shas), "every input archived exactly once"
        doctor = self.girok("doctor")
        assert doctor.returncode == 0 and "No problems found" in doctor.stdout, doctor.stdout + doctor.stderr
        audit = self.girok("audit", "verify")
        assert audit.returncode == 0, audit.stdout + audit.stderr
        st = self.status()
        assert st["unindexed"] == 0 and st["documents"] == len(shas), st
        assert st["in_progress"] == 0 and st["abandoned"] == 0, st
        assert not [p for p in (self.archive / "work").iterdir() if p.is_dir()], "nothing left in work/"
        with self.catalog.connect() as conn:
            counts = conn.execute(sa.text("select count(*), count(distinct sha256) from captures")).one()
            assert tuple(counts) == (len(shas),) * 2
            captures = conn.execute(sa.text("select count(*) from events where action = 'capture'")).scalar()
            assert captures == len(shas), "one capture event per input"
        if self.catalog.dialect.name == "postgresql":  # the whole run on the server: no SQLite catalog was made
            assert not (self.archive / "catalog.sqlite").exists()


def worker_node(proc: subprocess.Popen) -> str:
    """The Celery node name a `girok worker` process runs as (girok.distributed.worker.node_name)."""
    return f"girok-{proc.pid}@{socket.gethostname()}"


def running_on(url: str, archive: Path) -> dict[str, str]:
    """job -> node, for the jobs being prepared right now (the workers' notes in Redis)."""
    import redis

    from girok.distributed.broker import Keys
    from girok.distributed.share import archive_id

    aid = archive_id(archive)
    if aid is None:
        return {}
    r = redis.Redis.from_url(url, decode_responses=True, socket_timeout=5)
    try:
        return {job: json.loads(raw)["node"] for job, raw in r.hgetall(Keys(aid).running).items()}
    except Exception:
        return {}
    finally:
        r.close()


__all__ = ["BACKENDS", "Cluster", "PostgresServer", "RedisServer", "captured_shas", "catalog_backend", "drop",
           "inputs", "postgres_admin_url", "redis_url", "run_girok", "running_on", "sha", "worker_node"]
