#!/usr/bin/env bash
# Installs what the build and the tests need when it is missing:
#   - msgpack-c (Debian package libmsgpack-dev; libmsgpack-c-dev where that is what Debian has,
#     msgpack-c 6 and later), through apt-get as root;
#   - with --peers: a Python virtual environment in .venv with the test peers from PyPI
#     (Autobahn|Python with msgpack and cbor2, and the Crossbar.io router).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! pkg-config --exists msgpack 2>/dev/null && ! pkg-config --exists msgpack-c 2>/dev/null; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  PACKAGE=libmsgpack-dev
  apt-cache show libmsgpack-dev >/dev/null 2>&1 || PACKAGE=libmsgpack-c-dev
  echo "== installing $PACKAGE" >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$PACKAGE" pkg-config >/dev/null
fi

if [ "${1:-}" = "--peers" ]; then
  VENV="${WAMP_TEST_VENV:-.venv}"
  if ! "$VENV/bin/python" -c 'import autobahn, msgpack, cbor2, crossbar' 2>/dev/null || [ ! -x "$VENV/bin/crossbar" ]; then
    echo "== creating $VENV with the test peers (autobahn, msgpack, cbor2, crossbar)" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check autobahn msgpack cbor2 crossbar
  fi
fi
