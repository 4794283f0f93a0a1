#!/usr/bin/env bash
# Installs what the build and the tests need when it is missing:
#   - msgpack-c and libcbor (Debian packages libmsgpack-dev and libcbor-dev), through apt-get
#     as root;
#   - with --peers: a Python virtual environment in .venv with the test peers from PyPI
#     (Autobahn|Python with msgpack and cbor2, and the Crossbar.io router).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! pkg-config --exists msgpack 2>/dev/null || ! pkg-config --exists libcbor 2>/dev/null; then
  echo "== installing libmsgpack-dev and libcbor-dev" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libmsgpack-dev libcbor-dev pkg-config >/dev/null
fi

if [ "${1:-}" = "--peers" ]; then
  VENV="${WAMP_TEST_VENV:-.venv}"
  if ! "$VENV/bin/python" -c 'import autobahn, msgpack, cbor2, crossbar' 2>/dev/null || [ ! -x "$VENV/bin/crossbar" ]; then
    echo "== creating $VENV with the test peers (autobahn, msgpack, cbor2, crossbar)" >&2
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check autobahn msgpack cbor2 crossbar
  fi
fi
