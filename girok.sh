#!/usr/bin/env bash
# girok set-up and the two everyday jobs, on a fresh Debian (or Ubuntu) machine.
#
#   ./girok.sh run    install what is missing, create ./archive (SQLite catalog, Whoosh index,
#                     local store) if it does not exist, archive what already waits in its
#                     hot folders, and keep watching them (Ctrl-C to stop)
#   ./girok.sh test   install what is missing, then run the whole test suite
#   ./girok.sh lint   ruff (pyflakes, pycodestyle) and import-linter (the layer contracts in
#                     pyproject.toml); fails on any violation. CI runs it before the tests.
#
# Environment: GIROK_ARCHIVE (default ./archive), PYTHON (default python3).
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
    install_debian_packages "${TEST_PACKAGES[@]}"
    install_python_packages
    exec .venv/bin/python -m pytest "$@"
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
