"""A private redis-server for the benches of several machines (scaleout.py, soak.py --distributed): 127.0.0.1,
a free port, a password made for the run, nothing kept on disk. GIROK_TEST_REDIS_URL, when set, is used
instead (and then cannot be restarted)."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


class PrivateRedis:
    def __init__(self, folder: Path | None = None):
        self.folder = Path(folder or tempfile.mkdtemp(prefix="girok-redis-"))
        self.folder.mkdir(parents=True, exist_ok=True)
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.password = secrets.token_hex(16)
        self.proc: subprocess.Popen | None = None
        self.given = os.environ.get("GIROK_TEST_REDIS_URL")

    @property
    def url(self) -> str:
        return self.given or f"redis://:{self.password}@127.0.0.1:{self.port}/0"

    def start(self) -> "PrivateRedis":
        if self.given:
            return self
        server = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not Path(server).exists():
            raise SystemExit("SKIP: redis-server is not installed (apt-get install redis-server)")
        conf = self.folder / "redis.conf"
        conf.write_text(f'port {self.port}\nbind 127.0.0.1\nrequirepass {self.password}\nsave ""\nappendonly no\n'
                        f"dir {self.folder}\ndaemonize no\nloglevel warning\n")
        conf.chmod(0o600)
        log = (self.folder / "redis.log").open("ab")
        self.proc = subprocess.Popen([server, str(conf)], stdout=log, stderr=log, start_new_session=True)
        import redis

        client = redis.Redis.from_url(self.url, socket_timeout=2)
        for _ in range(300):
            try:
                if client.ping():
                    break
            except Exception:
                time.sleep(0.1)
        client.close()
        return self

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
        self.proc = None

    def restart(self) -> bool:
        """Stop and start again on the same port, losing everything; False when it is not ours to restart."""
        if self.given:
            return False
        self.stop()
        self.start()
        return True
