#!/usr/bin/env bash
# The main demo: an embedded WAMP router and two sessions, RawSocket/MessagePack and WebSocket/JSON (see `wamp demo --help`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/ensure-deps.sh
swift run wamp demo "$@"
