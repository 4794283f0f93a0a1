#!/usr/bin/env bash
# Builds the fuzz targets once (libFuzzer + address sanitizer) and runs one or all of them.
#
#   Fuzz/run.sh TARGET SECONDS     # TARGET: FuzzHandshake, FuzzFrameDecoder, FuzzJSON, FuzzMsgPack, FuzzCBOR
#   Fuzz/run.sh all SECONDS        # every target in turn, SECONDS each
#
# Each run works on a copy of Fuzz/Corpus/TARGET in a temporary folder (the checked-in seed
# corpus stays as it is). Crash inputs go to Fuzz/.build/artifacts/TARGET/. The script fails
# (exit 1) when libFuzzer reports a crash, a leak, a timeout or running out of memory.
# Extra libFuzzer options can be passed in FUZZ_OPTIONS, e.g. FUZZ_OPTIONS="-jobs=2 -workers=2".
set -euo pipefail

FUZZ="$(cd "$(dirname "$0")" && pwd)"
TARGETS=(FuzzHandshake FuzzFrameDecoder FuzzJSON FuzzMsgPack FuzzCBOR)

usage() { echo "usage: $0 {${TARGETS[*]// /|}|all} SECONDS" >&2; exit 2; }
[[ $# -eq 2 && "$2" =~ ^[0-9]+$ ]] || usage
if [[ "$1" == all ]]; then
    selected=("${TARGETS[@]}")
else
    [[ " ${TARGETS[*]} " == *" $1 "* ]] || usage
    selected=("$1")
fi
seconds="$2"

max_len() {
    case "$1" in
        FuzzHandshake) echo 8 ;;          # a handshake word and a control octet
        FuzzFrameDecoder) echo 1200 ;;    # two frames at the 512-octet limit, a handshake, and more
        FuzzJSON | FuzzMsgPack | FuzzCBOR) echo 4096 ;;
    esac
}

# Build once. The warnings of gold about ASan's local symbols are noise; drop them.
echo "building the fuzz targets (debug, -sanitize=fuzzer, address sanitizer) ..."
swift build --package-path "$FUZZ" --scratch-path "$FUZZ/.build" -c debug \
    --sanitize=address -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library \
    2>&1 | { grep -v "Cannot export local symbol" || true; }
bin="$(swift build --package-path "$FUZZ" --scratch-path "$FUZZ/.build" -c debug \
    --sanitize=address -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library --show-bin-path)"

# ASan keeps freed memory in quarantine to catch use-after-free; by default up to 256 MB,
# which shows up as RSS growing through the first minutes of a run. 64 MB still catches a
# use-after-free in a harness whose every input is handled in well under a megabyte, and
# keeps the RSS flat, so that RSS that keeps growing means a real leak.
export ASAN_OPTIONS="${ASAN_OPTIONS:-quarantine_size_mb=64}"

failed=()
summary=()
for target in "${selected[@]}"; do
    work="$(mktemp -d "${TMPDIR:-/tmp}/wamp-fuzz-$target.XXXXXX")"
    cp -R "$FUZZ/Corpus/$target" "$work/corpus"
    artifacts="$FUZZ/.build/artifacts/$target"
    mkdir -p "$artifacts"
    log="$work/fuzz.log"
    echo "== $target: $seconds s, corpus copy in $work/corpus, log $log"
    status=0
    # shellcheck disable=SC2086
    "$bin/$target" "$work/corpus" \
        -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=16 -timeout=10 -max_len="$(max_len "$target")" \
        -artifact_prefix="$artifacts/" -print_final_stats=1 ${FUZZ_OPTIONS:-} \
        >"$log" 2>&1 || status=$?
    tail -n 25 "$log"
    stat() { grep -Eo "^stat::$1: *[0-9]+" "$log" | grep -Eo '[0-9]+$' | tail -1 || true; }
    runs="$(stat number_of_executed_units)"
    figures="${runs:-?} executions, $(stat average_exec_per_sec) exec/s"
    figures+=", $(grep -Eo 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true), peak RSS $(stat peak_rss_mb) MB"
    if [[ $status -ne 0 ]] || grep -Eq '^==[0-9]+== *ERROR|ERROR: libFuzzer|SUMMARY: (Address|Leak)Sanitizer|ALARM: working on the last Unit' "$log"; then
        failed+=("$target")
        summary+=("$target: FAILED (exit $status) after $figures; artifacts in $artifacts, log $log")
    else
        summary+=("$target: ok in $seconds s: $figures")
        rm -rf "$work"
    fi
done

echo
printf '%s\n' "${summary[@]}"
[[ ${#failed[@]} -eq 0 ]] || { echo "failed: ${failed[*]}" >&2; exit 1; }
