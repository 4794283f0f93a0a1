#!/usr/bin/env bash
# Builds and runs the test suite under a sanitizer:
#
#   scripts/sanitize.sh address     # AddressSanitizer + LeakSanitizer
#   scripts/sanitize.sh thread      # ThreadSanitizer
#   scripts/sanitize.sh             # both, one after the other
#
# Each sanitizer has its own build folder (.build-addresssan, .build-threadsan): the first build
# compiles SwiftNIO and BoringSSL instrumented (about 10 minutes of CPU; later builds are
# incremental). Any sanitizer report, and any failing test, fails the run (non-zero exit).
#
# What differs from scripts/test.sh, and why:
# - The interoperability tests (Tests/InteropTests) are skipped. They start Python peers
#   (Autobahn|Python, Crossbar.io) from a virtual environment and spend their time waiting on
#   those uninstrumented processes; the Swift code they drive (client, server, channel handler,
#   both serializers) is the code the loopback, channel-handler and serializer suites run here
#   under the sanitizer.
# - The tests run one at a time (--no-parallel). Instrumented code runs several times slower,
#   and with every test in parallel on two cores the networking tests' deadlines (5 to 10 s,
#   there to turn a hang into a failure) expire while CPU-heavy serializer tests hold the
#   threads. One at a time they pass; the sanitizers check the same code either way.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
scripts/ensure-deps.sh

SUPP="$PWD/scripts"
kinds=("$@")
[ ${#kinds[@]} -eq 0 ] && kinds=(address thread)

for kind in "${kinds[@]}"; do
  case "$kind" in
    address)
      # detect_leaks=1: LeakSanitizer checks at exit; scripts/lsan.supp lists the toolchain
      # leaks it ignores (none in this package's code).
      export ASAN_OPTIONS="detect_leaks=1:malloc_context_size=50:halt_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1:check_initialization_order=1"
      export LSAN_OPTIONS="suppressions=$SUPP/lsan.supp:print_suppressions=0"
      ;;
    thread)
      # halt_on_error=1: the first race ends the run with a failure (exit code 66).
      export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$SUPP/tsan.supp"
      ;;
    *)
      echo "usage: $0 [address|thread]..." >&2
      exit 2
      ;;
  esac
  scratch=".build-${kind}san"
  echo "== $kind sanitizer: building in $scratch" >&2
  start=$SECONDS
  # gold warns about every local ASan symbol it cannot export; harmless, and thousands of lines.
  swift build --build-tests --sanitize="$kind" --scratch-path "$scratch" 2>&1 \
    | { grep -v "Cannot export local symbol" || true; }
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "== $kind sanitizer: build failed" >&2; exit 1; }
  echo "== $kind sanitizer: build took $((SECONDS - start)) s; running the tests" >&2
  start=$SECONDS
  swift test --skip-build --sanitize="$kind" --scratch-path "$scratch" --no-parallel --skip InteropTests
  echo "== $kind sanitizer: tests passed in $((SECONDS - start)) s" >&2
done
