#!/usr/bin/env bash
# The main demo: an embedded RawSocket server and client on loopback (see `wamp demo --help`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/ensure-deps.sh
swift run wamp demo "$@"
