#!/usr/bin/env bash
# Installs what the build and the tests need when it is missing:
#   - msgpack-c (Debian package libmsgpack-dev; libmsgpack-c-dev where that is what Debian has,
#     msgpack-c 6 and later) and libcbor (libcbor-dev), through apt-get as root;
#   - with --peers: a Python virtual environment in .venv with the test peers from PyPI
#     (Autobahn|Python with msgpack and cbor2, and the Crossbar.io router), at the exact versions
#     of scripts/requirements-peers.txt. The venv keeps the SHA-256 of the file it was made
#     from; when the file changes, the venv is made anew.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if { ! pkg-config --exists msgpack 2>/dev/null && ! pkg-config --exists msgpack-c 2>/dev/null; } \
   || ! pkg-config --exists libcbor 2>/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  PACKAGE=libmsgpack-dev
  apt-cache show libmsgpack-dev >/dev/null 2>&1 || PACKAGE=libmsgpack-c-dev
  echo "== installing $PACKAGE and libcbor-dev" >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$PACKAGE" libcbor-dev pkg-config >/dev/null
fi

if [ "${1:-}" = "--peers" ]; then
  VENV="${WAMP_TEST_VENV:-.venv}"
  REQUIREMENTS=scripts/requirements-peers.txt
  STAMP="$VENV/requirements-peers.sha256"
  WANTED=$(sha256sum "$REQUIREMENTS" | cut -d' ' -f1)
  if [ "$(cat "$STAMP" 2>/dev/null)" != "$WANTED" ] \
      || ! "$VENV/bin/python" -c 'import autobahn, msgpack, cbor2, crossbar' 2>/dev/null \
      || [ ! -x "$VENV/bin/crossbar" ]; then
    echo "== creating $VENV with the test peers of $REQUIREMENTS" >&2
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    # Every package is listed with its exact version, so pip has nothing to resolve (--no-deps);
    # pip check then confirms that the list is complete and consistent. A few packages have no
    # wheel and are built here: setuptools and NumPy go in first, and the rest build against
    # them instead of in an isolated build environment each (4 times faster; and bjdata is then
    # compiled against the NumPy it runs with, not against NumPy 1).
    PIP=("$VENV/bin/pip" --disable-pip-version-check)
    "${PIP[@]}" install -q --no-deps $(grep -E '^(setuptools|numpy)==' "$REQUIREMENTS")
    "${PIP[@]}" install -q --no-deps --no-build-isolation -r "$REQUIREMENTS"
    "${PIP[@]}" check
    echo "$WANTED" > "$STAMP"
  fi
fi
