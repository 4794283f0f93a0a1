#!/usr/bin/env bash
# RawSocket against WebSocket: the same echo workload (`wamp bench`: EVENT messages, a window
# in flight, every echo checked) over both transports, alternating, in one run, against one
# `wamp echo-server --universal` process that serves both on the same port (after the first
# octet the two pipelines are the ordinary RawSocket and WebSocket ones).
#
# Prints one line per run and, per serializer: the median messages/s of each transport, the
# median of the per-round ratios RawSocket / WebSocket (each pair ran back to back), and the
# CPU time per message of the server and of the client. CPU time (from /proc and
# /usr/bin/time) is far less disturbed than wall-clock throughput when the machine is shared.
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
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null; rm -f "$log" "$results" "$cpu"' EXIT
results=$(mktemp)
cpu=$(mktemp)
# The server's user + system CPU time, in clock ticks.
server_ticks() { awk '{print $14 + $15}' "/proc/$server/stat"; }
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
            before=$(server_ticks)
            out=$(/usr/bin/time -f "%U %S" -o "$cpu" "$WAMP" bench --url "$url" --serializer "$serializer" \
                --count "$COUNT" --window "$WINDOW" --payload-bytes "$PAYLOAD")
            after=$(server_ticks)
            read -r user system <"$cpu"
            out=$(python3 -c 'import json, sys; r = json.loads(sys.argv[1]); r.update(round=int(sys.argv[2]), server_cpu_s=int(sys.argv[3]) / int(sys.argv[4]), client_cpu_s=float(sys.argv[5]) + float(sys.argv[6])); print(json.dumps(r, sort_keys=True))' \
                "$out" "$round" "$((after - before))" "$(getconf CLK_TCK)" "$user" "$system")
            echo "$out" >&2
            echo "$out" >>"$results"
        done
    done
done

python3 - "$results" "$COUNT" <<'PY'
import json, statistics, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
messages = int(sys.argv[2]) * 1.1  # count plus the default warmup of count / 10
by = {}
for r in rows:
    by.setdefault((r["serializer"], r["transport"]), []).append(r)
def med(rs, key):
    return statistics.median(r[key] for r in rs)
print("| serializer | RawSocket msgs/s | WebSocket msgs/s | RS/WS per round (median, range) | server CPU µs/msg RS / WS | client CPU µs/msg RS / WS |")
print("|---|---:|---:|---:|---:|---:|")
for s in sorted({k[0] for k in by}):
    rs, ws = by[(s, "rawsocket")], by[(s, "websocket")]
    pairs = [a["messages_per_second"] / b["messages_per_second"] for a in rs for b in ws if a["round"] == b["round"]]
    cpu = lambda rows, key: statistics.median(r[key] for r in rows) / messages * 1e6
    print(f"| {s} | {med(rs, 'messages_per_second'):,.0f} | {med(ws, 'messages_per_second'):,.0f} "
          f"| {statistics.median(pairs):.2f} ({min(pairs):.2f}–{max(pairs):.2f}) "
          f"| {cpu(rs, 'server_cpu_s'):.1f} / {cpu(ws, 'server_cpu_s'):.1f} "
          f"| {cpu(rs, 'client_cpu_s'):.1f} / {cpu(ws, 'client_cpu_s'):.1f} |")
PY
