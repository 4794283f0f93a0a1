#!/usr/bin/env bash
# Every test: installs what is missing (libmsgpack-dev, the Python test peers in .venv), then
# runs the whole Swift test suite, interoperability tests with real peers included.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/ensure-deps.sh --peers
export WAMP_TEST_PYTHON="$PWD/${WAMP_TEST_VENV:-.venv}/bin/python"
swift build --build-tests
swift test --skip-build "$@"
