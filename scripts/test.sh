#!/usr/bin/env bash
# Every test: installs what is missing (libmsgpack-dev, libcbor-dev, the Python test peers in .venv), runs the
# whole Swift test suite, interoperability tests with real peers included, then the suite again
# under AddressSanitizer + LeakSanitizer (scripts/sanitize.sh address: about 6 minutes from a
# fresh clone, 1 once built). WAMP_SKIP_SANITIZER=1 skips that. ThreadSanitizer runs by hand:
# scripts/sanitize.sh thread (README, "Fuzzing and sanitizers", says why). Arguments (e.g.
# --filter X) go to the first `swift test` only. The tests' time guards (hang guards, never
# assertions on speed) are multiplied by WAMP_TEST_TIME_SCALE, 3 here unless set: this suite runs
# beside other builds on 2 cores, and again under AddressSanitizer.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
export WAMP_TEST_TIME_SCALE="${WAMP_TEST_TIME_SCALE:-3}"
scripts/ensure-deps.sh --peers
export WAMP_TEST_PYTHON="$PWD/${WAMP_TEST_VENV:-.venv}/bin/python"
swift build --build-tests
swift test --skip-build "$@"
if [ "${WAMP_SKIP_SANITIZER:-0}" != 1 ]; then
  scripts/sanitize.sh address
fi
