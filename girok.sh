#!/usr/bin/env bash
# girok set-up and the two everyday jobs, on a fresh Debian (or Ubuntu) machine.
#
#   ./girok.sh run    install what is missing, create ./archive (SQLite catalog, Whoosh index,
#                     local store) if it does not exist, archive what already waits in its
#                     hot folders, and keep watching them (Ctrl-C to stop)
#   ./girok.sh test   install what is missing, then run the whole test suite; the PostgreSQL
#                     catalog tests and the tests of several machines run against a private
#                     PostgreSQL server and a private redis-server started for the run (127.0.0.1,
#                     free ports, throwaway passwords) and removed after it (GIROK_TEST_POSTGRES_URL
#                     names a PostgreSQL server to use instead)
#   ./girok.sh lint   ruff (pyflakes, pycodestyle) and import-linter (the layer contracts in
#                     pyproject.toml); fails on any violation. CI runs it before the tests.
#
# Environment: GIROK_ARCHIVE (default ./archive), PYTHON (default python3),
# GIROK_TEST_POSTGRES_URL (test: an existing server's admin URL; empty or unset: a private one).
set -euo pipefail
cd "$(dirname "$0")"

DEBIAN_PACKAGES=(
  tesseract-ocr tesseract-ocr-kor tesseract-ocr-eng  # OCR, Korean + English
  ghostscript            # PDF/A fallback and rasterizing for OCRmyPDF
  unpaper pngquant qpdf  # optional OCRmyPDF helpers (cleaning, optimizing)
  poppler-utils          # pdftotext, used by the peer baseline in bench/
  fonts-nanum            # Korean fonts: tests render their own Korean scans
  libzbar0               # barcode reading
  python3 python3-venv python3-pip
)
# Only for `./girok.sh test`: the browser tests of the web front end (tests/test_web_browser.py) drive
# Debian's chromium through its chromedriver (Selenium; nothing is downloaded at test time).
TEST_PACKAGES=(chromium chromium-driver)

# Only for `test`: the server the PostgreSQL catalog tests run against (`run` needs none: its catalog is
# the archive's SQLite file; psycopg, the client, comes with the Python packages), and the Redis the tests
# of several machines run against (one machine, `./girok.sh run`, needs none).
TEST_DEBIAN_PACKAGES=(postgresql redis-server)

install_debian_packages() {
  local missing=()
  for p in "${DEBIAN_PACKAGES[@]}" "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "girok: installing Debian packages: ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What runs when the script exits, however it exits (each service adds its own stop).
EXIT_HOOKS=()
run_exit_hooks() {
  local hook
  for hook in "${EXIT_HOOKS[@]}"; do "$hook" || true; done
}
trap run_exit_hooks EXIT

# A private redis-server for the tests of several machines (tests/helpers_distributed.py): 127.0.0.1 on a
# free port, a password made for this run (in a file only we can read; never printed), nothing kept on
# disk; GIROK_TEST_REDIS_URL tells the tests where it is. Stopped when the script exits. An already set
# GIROK_TEST_REDIS_URL is used as it is.
start_test_redis() {
  [ -n "${GIROK_TEST_REDIS_URL:-}" ] && return 0
  local server
  server="$(command -v redis-server || true)"
  [ -z "$server" ] && [ -x /usr/bin/redis-server ] && server=/usr/bin/redis-server
  if [ -z "$server" ]; then
    echo "girok: redis-server is not installed: the tests of several machines will be skipped" >&2
    return 0
  fi
  GIROK_TEST_REDIS_DIR="$(mktemp -d)"
  EXIT_HOOKS+=(stop_test_redis)
  local port password
  port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  password="$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(24))')"
  (umask 077; printf 'port %s\nbind 127.0.0.1\nprotected-mode yes\nrequirepass %s\nsave ""\nappendonly no\ndir %s\ndaemonize no\nloglevel warning\n' \
     "$port" "$password" "$GIROK_TEST_REDIS_DIR" > "$GIROK_TEST_REDIS_DIR/redis.conf")
  "$server" "$GIROK_TEST_REDIS_DIR/redis.conf" > "$GIROK_TEST_REDIS_DIR/redis.log" 2>&1 &
  GIROK_TEST_REDIS_PID=$!
  export GIROK_TEST_REDIS_URL="redis://:${password}@127.0.0.1:${port}/0"
  local _
  for _ in $(seq 1 100); do
    if .venv/bin/python -c 'import os, redis; redis.Redis.from_url(os.environ["GIROK_TEST_REDIS_URL"], socket_timeout=1).ping()' 2>/dev/null; then
      echo "girok: private redis-server for the tests on 127.0.0.1:${port}" >&2
      return 0
    fi
    sleep 0.1
  done
  echo "girok: the private redis-server did not start:" >&2
  cat "$GIROK_TEST_REDIS_DIR/redis.log" >&2
  return 1
}

stop_test_redis() {
  if [ -n "${GIROK_TEST_REDIS_PID:-}" ]; then
    kill "$GIROK_TEST_REDIS_PID" 2>/dev/null || true
    wait "$GIROK_TEST_REDIS_PID" 2>/dev/null || true
    GIROK_TEST_REDIS_PID=""
  fi
  if [ -n "${GIROK_TEST_REDIS_DIR:-}" ]; then
    rm -rf "$GIROK_TEST_REDIS_DIR"
    GIROK_TEST_REDIS_DIR=""
  fi
}

install_python_packages() {
  local py="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    echo "girok: creating virtualenv .venv" >&2
    "$py" -m venv .venv
  fi
  # Reinstall only when the project's requirements changed.
  local stamp=.venv/.girok-installed
  if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    echo "girok: installing Python packages into .venv" >&2
    .venv/bin/python -m pip install -q --upgrade pip >/dev/null
    .venv/bin/python -m pip install -q -e ".[test]"
    touch "$stamp"
  fi
}

# A private PostgreSQL for the tests: initdb into a temporary folder (as the user running this, or as
# Debian's `postgres` user when that is root: initdb refuses root), listening on 127.0.0.1 only, on a
# free port; a role girok_test that may create databases (each test makes its own), with a random
# password; no fsync (a throwaway cluster). Stopped and removed when this script exits, however it exits.
PG_DIR=""
PG_CTL=""
PG_AS=()

start_test_postgres() {
  if [ -n "${GIROK_TEST_POSTGRES_URL:-}" ]; then
    return 0  # a server given from outside
  fi
  local bindir
  bindir="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
    echo "girok: no PostgreSQL server programs in /usr/lib/postgresql/*/bin (apt-get install postgresql)," \
      "or set GIROK_TEST_POSTGRES_URL to a server's admin URL" >&2
    return 1
  fi
  PG_CTL="$bindir/pg_ctl"
  PG_DIR="$(mktemp -d "${TMPDIR:-/tmp}/girok-test-pg.XXXXXX")"
  EXIT_HOOKS+=(stop_test_postgres)
  trap 'exit 130' INT
  trap 'exit 143' TERM
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres: "$PG_DIR"
    PG_AS=(runuser -u postgres --)
  fi
  local port password started=$SECONDS
  port="$(.venv/bin/python -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  password="$(.venv/bin/python -c 'import secrets; print(secrets.token_hex(16))')"
  "${PG_AS[@]}" "$bindir/initdb" -D "$PG_DIR/data" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 \
    --locale=C.UTF-8 --no-sync --no-instructions >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; return 1; }
  "${PG_AS[@]}" "$PG_CTL" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$PG_DIR -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off" start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; return 1; }
  # the password on stdin, not in a command line that `ps` shows
  echo "CREATE ROLE girok_test LOGIN CREATEDB PASSWORD '$password';" \
    | "${PG_AS[@]}" "$bindir/psql" -X -q -h "$PG_DIR" -p "$port" -d postgres -v ON_ERROR_STOP=1 >/dev/null
  export GIROK_TEST_POSTGRES_URL="postgresql://girok_test:$password@127.0.0.1:$port/postgres"
  echo "girok: PostgreSQL for the tests on 127.0.0.1:$port ($((SECONDS - started)) s to start)" >&2
}

stop_test_postgres() {
  if [ -n "$PG_DIR" ] && [ -d "$PG_DIR" ]; then
    "${PG_AS[@]}" "$PG_CTL" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}

cmd="${1:-}"
case "$cmd" in
  run)
    shift
    install_debian_packages
    install_python_packages
    archive="${GIROK_ARCHIVE:-archive}"
    if [ ! -f "$archive/girok.toml" ]; then
      .venv/bin/girok --archive "$archive" init
    fi
    exec .venv/bin/girok --archive "$archive" watch "$@"
    ;;
  test)
    shift
    install_debian_packages "${TEST_DEBIAN_PACKAGES[@]}" "${TEST_PACKAGES[@]}"
    install_python_packages
    start_test_postgres
    start_test_redis
    status=0
    .venv/bin/python -m pytest "$@" || status=$?
    exit $status  # not exec: the EXIT hooks stop and remove the private services
    ;;
  lint)
    shift
    install_debian_packages
    install_python_packages
    status=0
    .venv/bin/ruff check girok tests bench || status=1
    .venv/bin/lint-imports --no-cache --no-logo || status=1
    exit $status
    ;;
  install)
    install_debian_packages
    install_python_packages
    ;;
  *)
    echo "usage: ./girok.sh run|test|lint|install   (see README.md)" >&2
    exit 2
    ;;
esac
