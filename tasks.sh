#!/usr/bin/env bash
# The project's two entry points. Each sets up a local virtual environment first (only
# Python >= 3.11 and pip are needed on the machine), then:
#   bash tasks.sh demo [ARGS]   simulate a small operator world, run fraudwall on it, open the report
#   bash tasks.sh test          install the test servers (Debian packages), then lint, type-check
#                               and run the whole test suite
set -euo pipefail
cd "$(dirname "$0")"

python_bin() {
  for p in python3.13 python3.12 python3.11 python3; do
    if command -v "$p" >/dev/null && "$p" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
      echo "$p"; return
    fi
  done
  echo "fraudwall needs Python >= 3.11 on PATH" >&2; exit 1
}

setup() {
  if [ ! -x .venv/bin/python ]; then
    "$(python_bin)" -m venv .venv
  fi
  # Reinstall only when the dependency list changed.
  stamp=.venv/.fraudwall-deps
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[dev]"
    echo "$want" > "$stamp"
  fi
}

# The real servers the tests start on loopback (PostgreSQL, Redis, Kamailio + SIPp, Unbound),
# from Debian's packages: installed when missing, with sudo when not root.
system_packages() {
  local missing=() pkg
  while read -r pkg; do
    [ -n "$pkg" ] || continue
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$pkg")
  done < .ci/system-packages
  [ ${#missing[@]} -gt 0 ] || return 0
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  echo "installing system packages: ${missing[*]}" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

case "${1:-}" in
  demo)
    setup
    shift
    .venv/bin/fraudwall demo "$@"
    ;;
  test)
    system_packages
    setup
    .venv/bin/ruff check fraudwall tests benchmarks
    .venv/bin/ruff format --check fraudwall tests benchmarks
    .venv/bin/mypy fraudwall
    .venv/bin/pytest -n 2 --durations=15 "${@:2}"
    ;;
  *)
    echo "usage: bash tasks.sh demo|test" >&2
    exit 2
    ;;
esac
