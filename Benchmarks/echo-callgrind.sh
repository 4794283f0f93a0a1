#!/usr/bin/env bash
# Instructions per echoed message of `wamp echo-server`, counted by valgrind's callgrind, for two
# builds of `wamp` in one run: what a change costs on the hot path, as a count that does not
# depend on the machine's load.
#
#   Benchmarks/echo-callgrind.sh BEFORE_WAMP AFTER_WAMP
#
# For each build and each path (typed: every message deserialized and serialized again;
# opaque: `--opaque`, payloads sent back as received), the server runs under callgrind twice,
# echoing N1 and then N2 messages (MessagePack EVENTs, one in flight, sent by BEFORE_WAMP's
# `wamp bench`); (instructions of run 2 - instructions of run 1) / (N2 - N1) is the cost of one
# message, without start-up, handshake and shutdown. REPS rounds (default 3), alternating the
# builds; the median is printed. N1 and N2 default to 2000 and 6000.
#
# Both builds need the hidden `echo-server --exit-after-connections` option (ConnectionCountdown):
# to measure a commit from before it, apply Examples/wamp/ConnectionCountdown.swift and its uses
# there first (git cherry-pick of the commit that added it).
#
# valgrind 3.19 (Debian 12) cannot read the DWARF 5 debug information of a Swift build, so
# each build runs as a copy without it (strip --strip-debug); the instructions are the same.
set -euo pipefail
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
strip --strip-debug -o "$OUT/wamp-before" "$1"
strip --strip-debug -o "$OUT/wamp-after" "$2"
BEFORE="$OUT/wamp-before" AFTER="$OUT/wamp-after"
N1="${N1:-2000}" N2="${N2:-6000}" REPS="${REPS:-3}"
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Prints the instructions the server executed while echoing $3 messages (build $1, flags $2).
instructions() {
  local wamp=$1 flags=$2 n=$3 port pid
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  rm -f "$OUT/callgrind.out" "$OUT/server.log"
  # shellcheck disable=SC2086
  valgrind --tool=callgrind --callgrind-out-file="$OUT/callgrind.out" \
    "$wamp" echo-server --listen "rs://127.0.0.1:$port" --serializers msgpack --exit-after-connections 1 $flags \
    > "$OUT/server.log" 2>&1 &
  pid=$!
  for _ in $(seq 600); do grep -q listening "$OUT/server.log" 2>/dev/null && break; sleep 0.1; done
  "$BEFORE" bench --connect "rs://127.0.0.1:$port" --serializer msgpack --window 1 --count "$n" --warmup 0 > /dev/null
  # The server exits by itself once the bench's connection has ended (no signal: callgrind
  # crashes in libdispatch's signal thread, and writes its counts only on a normal exit).
  wait "$pid"
  awk '/^summary:/ {print $2}' "$OUT/callgrind.out"
}

per_message() { # build flags
  local a b
  a=$(instructions "$1" "$2" "$N1"); b=$(instructions "$1" "$2" "$N2")
  echo $(( (b - a) / (N2 - N1) ))
}

printf "%-8s %14s %14s %8s\n" path "before (Ir)" "after (Ir)" change
for path in typed opaque; do
  flags=""; [ "$path" = opaque ] && flags="--opaque"
  alternate_rounds per_message "$BEFORE" "$AFTER" "$flags"
  b=$(median < "$OUT/before"); a=$(median < "$OUT/after")
  printf "%-8s %14s %14s %7.2f%%   (rounds: before %s; after %s)\n" "$path" "$b" "$a" \
    "$(echo "($a - $b) * 100 / $b" | bc -l)" "$(tr '\n' ' ' < "$OUT/before")" "$(tr '\n' ' ' < "$OUT/after")"
done
echo "(instructions per echoed MessagePack EVENT in the server, all threads; window 1; median of $REPS rounds)"
