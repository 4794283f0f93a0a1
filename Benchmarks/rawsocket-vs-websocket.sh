#!/usr/bin/env bash
# RawSocket against WebSocket: the same echo workload (`wamp bench`: EVENT messages, a window
# in flight, every echo checked) over both transports, alternating, in one run, against one
# `wamp echo-server --universal` process that serves both on the same port (after the first
# octet the two pipelines are the ordinary RawSocket and WebSocket ones).
#
# Prints one line per run and, per serializer, the median messages/s of each transport and
# the ratio RawSocket / WebSocket.
#
#   Benchmarks/rawsocket-vs-websocket.sh                 # release build of wamp, 5 rounds
#   ROUNDS=3 COUNT=50000 SERIALIZERS=msgpack Benchmarks/rawsocket-vs-websocket.sh
#   WAMP_CLI=/path/to/wamp Benchmarks/rawsocket-vs-websocket.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ROUNDS=${ROUNDS:-5}
COUNT=${COUNT:-100000}
WINDOW=${WINDOW:-64}
PAYLOAD=${PAYLOAD:-5}
SERIALIZERS=${SERIALIZERS:-"msgpack json"}
WAMP=${WAMP_CLI:-.build/release/wamp}
if [[ -z "${WAMP_CLI:-}" ]]; then
    swift build -c release --product wamp >&2
fi

log=$(mktemp)
"$WAMP" echo-server --listen ws://127.0.0.1:0/ws --universal >"$log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -f "$log" "$results"' EXIT
results=$(mktemp)
for _ in $(seq 100); do
    grep -q "listening on" "$log" && break
    sleep 0.1
done
line=$(grep "listening on" "$log") || { echo "the echo server did not start:" >&2; cat "$log" >&2; exit 1; }
# "listening on rs://127.0.0.1:PORT and ws://127.0.0.1:PORT/ws"
rs=$(echo "$line" | awk '{print $3}')
ws=$(echo "$line" | awk '{print $5}')
echo "server: $rs and $ws (one process, one port); count=$COUNT window=$WINDOW payload=$PAYLOAD bytes, $ROUNDS rounds" >&2

for round in $(seq "$ROUNDS"); do
    for serializer in $SERIALIZERS; do
        # Alternate the order so that neither transport always runs first.
        if (( round % 2 )); then order="$rs $ws"; else order="$ws $rs"; fi
        for url in $order; do
            out=$("$WAMP" bench --connect "$url" --serializer "$serializer" --count "$COUNT" --window "$WINDOW" --payload-bytes "$PAYLOAD")
            echo "round $round $out" >&2
            echo "$out" >>"$results"
        done
    done
done

python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault((r["serializer"], r["transport"]), []).append(r["messages_per_second"])
print("| serializer | RawSocket msgs/s (median) | WebSocket msgs/s (median) | RawSocket / WebSocket |")
print("|---|---:|---:|---:|")
for s in sorted({k[0] for k in by}):
    rs = statistics.median(by[(s, "rawsocket")])
    ws = statistics.median(by[(s, "websocket")])
    print(f"| {s} | {rs:,.0f} | {ws:,.0f} | {rs / ws:.2f} |")
PY
