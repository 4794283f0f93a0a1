#!/usr/bin/env bash
# Instructions per routed call (CALL -> INVOCATION -> YIELD -> RESULT) or routed event (PUBLISH
# -> EVENT, WORKLOAD=pubsub) in `wamp router`, counted by valgrind's callgrind, for two builds of
# `wamp` in one run: what a change to the router's hot path costs or saves, as a count that does
# not depend on the machine's load.
#
#   Benchmarks/router-callgrind.sh BEFORE_WAMP AFTER_WAMP
#
# The router runs under callgrind twice per case, while AFTER_WAMP's `wamp bench-router` (WORKLOAD,
# WINDOW in flight) calls or publishes through it for D1 and then D2 seconds; (instructions of run 2 - instructions
# of run 1) / (calls of run 2 - calls of run 1) is the cost of one call (or event), without start-up,
# joins and shutdown. The router exits by itself when the bench's two sessions have left (the
# hidden `--exit-after-connections 2`: no signal, which callgrind needs). Cases: the caller
# (publisher) and callee (subscriber) both MessagePack, and a MessagePack caller with a JSON callee; each with the
# small arguments (Args ["hello", 42, 3.14], Kw {"k": "v"}) and with one 64 KiB binary. REPS
# rounds (default 1), the builds alternating; the median is printed.
#
# Environment: D1 and D2 (default 4 and 12 seconds), REPS, WORKLOAD (rpc, the default, or pubsub),
# WINDOW (calls or unreceived events in flight, default 1), CLIENT (bench-router's --client:
# session, the default, or transport), ROUTER_CPU (pins the router, e.g. 0: one event loop, as
# in router-vs-crossbar.sh, where caller and callee share it; default: not pinned, an event loop
# per CPU, and the two sessions on different loops),
# CASES (default "msgpack:msgpack:small msgpack:msgpack:binary64k msgpack:json:small msgpack:json:binary64k",
# each caller:callee:arguments).
#
# The routers run as copies without debug information (strip --strip-debug): valgrind 3.19
# (Debian 12) cannot read the DWARF 5 of a Swift build. The instructions are the same.
set -euo pipefail
D1="${D1:-4}" D2="${D2:-12}" REPS="${REPS:-1}" WINDOW="${WINDOW:-1}" WORKLOAD="${WORKLOAD:-rpc}"
CLIENT="${CLIENT:-session}" ROUTER_CPU="${ROUTER_CPU:-}"
PIN_ROUTER=()
if [ -n "$ROUTER_CPU" ]; then PIN_ROUTER=(taskset -c "$ROUTER_CPU"); fi
case "$WORKLOAD" in
  rpc) UNIT=calls ;;
  pubsub) UNIT=events ;;
  *) echo "WORKLOAD must be rpc or pubsub" >&2; exit 2 ;;
esac
CASES="${CASES:-msgpack:msgpack:small msgpack:msgpack:binary64k msgpack:json:small msgpack:json:binary64k}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
strip --strip-debug -o "$OUT/wamp-before" "$1"
strip --strip-debug -o "$OUT/wamp-after" "$2"
BEFORE="$OUT/wamp-before" AFTER="$OUT/wamp-after"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source Benchmarks/common.sh

# Prints "instructions operations" for the router of build $1 while bench-router runs $5 seconds
# with caller serializer $2, callee serializer $3 and arguments $4.
measure() {
  local wamp=$1 caller=$2 callee=$3 arguments=$4 seconds=$5 port pid operations
  port=$(free_port)
  rm -f "$OUT/callgrind.out" "$OUT/router.log"
  "${PIN_ROUTER[@]}" valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
    "$wamp" router --listen "rs://127.0.0.1:$port" --realm realm1 --exit-after-connections 2 \
    > "$OUT/router.log" 2>&1 &
  pid=$!
  for _ in $(seq 1200); do grep -q listening "$OUT/router.log" 2>/dev/null && break; sleep 0.1; done
  operations=$("$AFTER" bench-router --url "rs://127.0.0.1:$port" --serializer "$caller" --peer-serializer "$callee" \
    --arguments "$arguments" --workload "$WORKLOAD" --window "$WINDOW" --client "$CLIENT" --warmup 0 --duration "$seconds" --join-timeout 120 \
    | python3 -c "import json, sys; print(json.load(sys.stdin)['$UNIT'])")
  wait "$pid"
  echo "$(awk '/^summary:/ {print $2}' "$OUT/callgrind.out") $operations"
}

per_call() { # build caller callee arguments
  local ia ca ib cb
  read -r ia ca < <(measure "$1" "$2" "$3" "$4" "$D1")
  read -r ib cb < <(measure "$1" "$2" "$3" "$4" "$D2")
  echo $(( (ib - ia) / (cb - ca) ))
}

printf "| %-10s | %-10s | %-9s | %14s | %14s | %8s |\n" caller callee arguments "before (Ir)" "after (Ir)" change
printf "|%s|%s|%s|%s|%s|%s|\n" ------------ ------------ ----------- ---------------- ---------------- ----------
for case in $CASES; do
  IFS=: read -r caller callee arguments <<< "$case"
  alternate_rounds per_call "$BEFORE" "$AFTER" "$caller" "$callee" "$arguments"
  b=$(median < "$OUT/before"); a=$(median < "$OUT/after")
  printf "| %-10s | %-10s | %-9s | %14s | %14s | %7.1f%% |\n" "$caller" "$callee" "$arguments" "$b" "$a" \
    "$(echo "($a - $b) * 100 / $b" | bc -l)"
  echo "  $case rounds: before $(tr '\n' ' ' < "$OUT/before"); after $(tr '\n' ' ' < "$OUT/after")" >&2
done
echo "(instructions per routed ${UNIT%s} in the router process, all threads; $WORKLOAD, window $WINDOW; median of $REPS rounds)"
