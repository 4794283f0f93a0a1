#!/usr/bin/env bash
# Our echo servers against the C floor, with the server as the bottleneck: every server is driven
# by the C client (Benchmarks/rawsocket-echo-client.c, one thread, small MessagePack EVENTs,
# WINDOW in flight), which outruns all of them, so messages/s measure the server's own work:
#   - `wamp echo-server` (typed: every message deserialized into a WAMPMessage and serialized)
#     against the C typed echo (`rawsocket-echo --typed`: msgpack-c unpack into a msgpack_object
#     with a reused zone, check, pack into a reused buffer);
#   - `wamp echo-server --opaque` (payloads echoed as received) against the opaque C echo.
#
#   Benchmarks/echo-floor.sh                        # about a minute once `wamp` is built
#   REPS=5 SECONDS_PER_RUN=3 Benchmarks/echo-floor.sh
#
# Environment: REPS (rounds, default 3; servers alternate within each round, the table shows
# medians), SECONDS_PER_RUN (default 2), WINDOW (default 64), PIN (see Benchmarks/servers.sh),
# WAMP_CLI (a `wamp` tool already built: skips the release build), KEEP (keep logs there).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REPS="${REPS:-3}"
SECONDS_PER_RUN="${SECONDS_PER_RUN:-2}"
WINDOW="${WINDOW:-64}"
scripts/ensure-deps.sh
if [ -z "${WAMP_CLI:-}" ]; then
  swift build -c release --product wamp
  WAMP_CLI="$PWD/.build/release/wamp"
fi

WORK="${KEEP:-$(mktemp -d)}"
mkdir -p "$WORK"
cc -O2 -o "$WORK/rawsocket-echo" Benchmarks/rawsocket-echo.c -lmsgpackc
cc -O2 -o "$WORK/rawsocket-echo-client" Benchmarks/rawsocket-echo-client.c -lmsgpackc

source Benchmarks/servers.sh

start typed "$WAMP_CLI" echo-server --listen "rs://127.0.0.1:$(free_port)" --serializers msgpack
start opaque "$WAMP_CLI" echo-server --listen "rs://127.0.0.1:$(free_port)" --serializers msgpack --opaque
start c_typed "$WORK/rawsocket-echo" --host 127.0.0.1 --port "$(free_port)" --typed
start c_opaque "$WORK/rawsocket-echo" --host 127.0.0.1 --port "$(free_port)"
SERVERS=(typed c_typed opaque c_opaque)

echo "# $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), PIN=$PIN, REPS=$REPS, ${SECONDS_PER_RUN}s per run, window $WINDOW" >&2
RAW="$WORK/results.tsv"
: > "$RAW"
for rep in $(seq "$REPS"); do
  for server in "${SERVERS[@]}"; do
    url_variable="URL_$server"
    port="${!url_variable##*:}"
    if ! line=$("${CLIENT_CPU[@]}" "$WORK/rawsocket-echo-client" --port "$port" --window "$WINDOW" \
        --seconds "$SECONDS_PER_RUN" 2> "$WORK/client.err"); then
      echo "the C client against $server failed:" >&2
      cat "$WORK/client.err" "$WORK/$server.log" >&2
      exit 1
    fi
    printf '%s\t%s\t%s\n' "$rep" "$server" "$line" >> "$RAW"
    echo "round $rep, $server: $line" >&2
  done
done

python3 - "$RAW" "$WINDOW" <<'EOF'
import collections
import json
import statistics
import sys

rates = collections.defaultdict(list)
for row in open(sys.argv[1]):
    _, server, result = row.rstrip("\n").split("\t")
    rates[server].append(json.loads(result)["messages_per_second"])
median = {server: statistics.median(values) for server, values in rates.items()}
print("| small MsgPack EVENT, W=%s, C client | ours (msgs/s) | C (msgs/s) | ours / C |" % sys.argv[2])
print("|---|---:|---:|---:|")
for name, ours, c in (("typed echo", "typed", "c_typed"), ("opaque echo", "opaque", "c_opaque")):
    print(f"| {name} | {median[ours]:,.0f} | {median[c]:,.0f} | {median[ours] / median[c]:.0%} |")
print(f"\nMedian of {len(rates['typed'])} rounds; servers alternate within each round.")
EOF
