#!/usr/bin/env bash
# Instructions per call or event in the client, `wamp bench-router` (both of its sessions, one
# process), counted by valgrind's callgrind, for two builds of `wamp` in one run: what a change
# to `WAMPSession` or to the bench client costs or saves.
#
#   Benchmarks/client-callgrind.sh BEFORE_WAMP AFTER_WAMP
#
# AFTER_WAMP's `wamp router` runs natively on CPU 0; each build's `bench-router` (MessagePack,
# small arguments) runs under callgrind for D1 and then D2 seconds; (instructions of run 2 -
# instructions of run 1) / (operations of run 2 - operations of run 1) is the cost of one call
# or event, without start-up and joins. REPS rounds (default 1), the builds alternating; the
# median is printed.
#
# Environment: D1 and D2 (default 3 and 9 seconds), REPS, WINDOW (default 64), WORKLOADS
# (default "rpc pubsub").
#
# The clients run as copies without debug information (strip --strip-debug): valgrind 3.19
# (Debian 12) cannot read the DWARF 5 of a Swift build. The instructions are the same.
set -euo pipefail
D1="${D1:-3}" D2="${D2:-9}" REPS="${REPS:-1}" WINDOW="${WINDOW:-64}" WORKLOADS="${WORKLOADS:-rpc pubsub}"
OUT="$(mktemp -d)"
ROUTER_PID=""
trap '[ -n "$ROUTER_PID" ] && kill "$ROUTER_PID" 2>/dev/null; rm -rf "$OUT"' EXIT
strip --strip-debug -o "$OUT/wamp-before" "$1"
strip --strip-debug -o "$OUT/wamp-after" "$2"
ROUTER="$2"
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source Benchmarks/common.sh

PORT=$(free_port)
setsid taskset -c 0 "$ROUTER" router --listen "rs://127.0.0.1:$PORT" --realm realm1 > "$OUT/router.log" 2>&1 &
ROUTER_PID=$!
for _ in $(seq 100); do grep -q listening "$OUT/router.log" 2>/dev/null && break; sleep 0.1; done

# Prints "instructions operations" for the client of build $1, workload $2, $3 seconds.
measure() {
  local key=calls
  [ "$2" = pubsub ] && key=events
  rm -f "$OUT/callgrind.out"
  local count
  count=$(valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
    "$1" bench-router --url "rs://127.0.0.1:$PORT" --serializer msgpack --workload "$2" --window "$WINDOW" \
    --warmup 0 --duration "$3" --join-timeout 120 2>/dev/null \
    | python3 -c "import json, sys; print(json.load(sys.stdin)['$key'])")
  echo "$(awk '/^summary:/ {print $2}' "$OUT/callgrind.out") $count"
}

per_operation() { # build workload
  local ia ca ib cb
  read -r ia ca < <(measure "$1" "$2" "$D1")
  read -r ib cb < <(measure "$1" "$2" "$D2")
  echo $(( (ib - ia) / (cb - ca) ))
}

printf "| %-8s | %14s | %14s | %8s |\n" workload "before (Ir)" "after (Ir)" change
printf "|%s|%s|%s|%s|\n" ---------- ---------------- ---------------- ----------
for workload in $WORKLOADS; do
  alternate_rounds per_operation "$OUT/wamp-before" "$OUT/wamp-after" "$workload"
  b=$(median < "$OUT/before"); a=$(median < "$OUT/after")
  printf "| %-8s | %14s | %14s | %7.1f%% |\n" "$workload" "$b" "$a" "$(echo "($a - $b) * 100 / $b" | bc -l)"
done
echo "(instructions per call or event in the bench-router client process, all threads; MessagePack, window $WINDOW; median of $REPS rounds)"
