#!/usr/bin/env bash
# The RawSocket echo workload against four servers in one run, each driven by the same client
# (`wamp bench`), and one table of messages/s with ratios:
#   - `wamp echo-server`: this package, deserializing and serializing every message;
#   - `wamp echo-server --opaque`: this package's transport alone, payloads sent back as received;
#   - the C echo (Benchmarks/rawsocket-echo.c): framing plus loopback TCP, no serializer;
#   - Autobahn|Python's asyncio RawSocket (Benchmarks/autobahn-echo.py): deserializes and
#     serializes every message, as a Python WAMP peer does.
#
#   Benchmarks/echo-peers.sh                 # from a fresh clone: about 3 minutes once built
#   REPS=5 SCALE=2 Benchmarks/echo-peers.sh  # more rounds, twice the messages per run
#
# It installs what is missing (msgpack-c, the pinned Python peers in .venv: scripts/ensure-deps.sh),
# builds the release `wamp` tool and the C echo, starts the four servers once, then measures each
# workload on each server in turn, REPS rounds interleaved so that a slow moment of a shared
# machine spreads over all servers, and prints the median of the rounds.
#
# Environment: REPS (rounds, default 3), SCALE (message counts times SCALE, default 1), PIN
# (split: servers on CPU 0, clients on CPU 1, the default on 2 or more CPUs; same: all on CPU 0;
# none), WAMP_CLI (a `wamp` tool already built: skips the build), KEEP (a folder to keep the
# raw results and server logs in).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REPS="${REPS:-3}"
SCALE="${SCALE:-1}"
scripts/ensure-deps.sh --peers
PY="$PWD/${WAMP_TEST_VENV:-.venv}/bin/python"
if [ -z "${WAMP_CLI:-}" ]; then
  swift build -c release --product wamp
  WAMP_CLI="$PWD/.build/release/wamp"
fi

WORK="${KEEP:-$(mktemp -d)}"
mkdir -p "$WORK"
cc -O2 -o "$WORK/rawsocket-echo" Benchmarks/rawsocket-echo.c -lmsgpackc

source Benchmarks/servers.sh

start swift "$WAMP_CLI" echo-server --listen "rs://127.0.0.1:$(free_port)" --serializers json,msgpack
start opaque "$WAMP_CLI" echo-server --listen "rs://127.0.0.1:$(free_port)" --serializers json,msgpack --opaque
start c "$WORK/rawsocket-echo" --host 127.0.0.1 --port "$(free_port)"
start autobahn "$PY" Benchmarks/autobahn-echo.py --host 127.0.0.1 --port "$(free_port)"

# The workloads: serializer, payload (the EVENT's first argument: "hello" or 64 KiB of text),
# window (messages in flight); then the messages per run for the fast servers (ours and the C
# echo) and for Autobahn, each about a second on a 2-core machine.
WORKLOADS=(
  "msgpack 5 64 200000 20000"
  "json 5 64 100000 10000"
  "msgpack 65536 64 5000 2000"
  "json 65536 64 3000 1000"
  "msgpack 5 1 10000 4000"
  "json 5 1 10000 3000"
)
SERVERS=(swift opaque c autobahn)

echo "# $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), PIN=$PIN, REPS=$REPS, SCALE=$SCALE" >&2
RAW="$WORK/results.tsv"
: > "$RAW"
started=$(date +%s)
for rep in $(seq "$REPS"); do
  for workload in "${WORKLOADS[@]}"; do
    read -r serializer payload window fast slow <<< "$workload"
    for server in "${SERVERS[@]}"; do
      count=$fast
      [ "$server" = autobahn ] && count=$slow
      count=$(( count * SCALE ))
      url_variable="URL_$server"
      if ! line=$("${CLIENT_CPU[@]}" "$WAMP_CLI" bench --url "${!url_variable}" --serializer "$serializer" \
          --count "$count" --window "$window" --payload-bytes "$payload" 2> "$WORK/bench.err" | tail -n 1); then
        echo "wamp bench against $server failed:" >&2
        cat "$WORK/bench.err" "$WORK/$server.log" >&2
        exit 1
      fi
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$rep" "$serializer" "$payload" "$window" "$server" "$line" >> "$RAW"
      echo "round $rep: $serializer, $payload-byte payload, window $window, $server: $line" >&2
    done
  done
done
echo "# $(( $(date +%s) - started )) s of measuring" >&2

python3 - "$RAW" <<'EOF'
import collections
import json
import statistics
import sys

runs = collections.defaultdict(list)
order = []
for row in open(sys.argv[1]):
    _, serializer, payload, window, server, result = row.rstrip("\n").split("\t")
    workload = (serializer, int(payload), int(window))
    if workload not in order:
        order.append(workload)
    data = json.loads(result)
    runs[workload, server].append((data["messages_per_second"], data["megabytes_per_second"]))

def median(workload, server, index=0):
    return statistics.median(run[index] for run in runs[workload, server])

def size(payload):
    return "small" if payload == 5 else f"{payload // 1024} KiB"

print("| workload | wamp echo-server | --opaque | C echo | Autobahn asyncio | vs Autobahn | of the C echo | --opaque of the C echo |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
for workload in order:
    serializer, payload, window = workload
    ours, opaque, c, autobahn = (median(workload, s) for s in ("swift", "opaque", "c", "autobahn"))
    name = f"{size(payload)} EVENT, {'MsgPack' if serializer == 'msgpack' else 'JSON'}, W={window}"
    ours_text = f"{ours:,.0f}"
    if payload > 5:
        ours_text += f" ({median(workload, 'swift', 1):,.0f} MB/s)"
    print(f"| {name} | {ours_text} | {opaque:,.0f} | {c:,.0f} | {autobahn:,.0f} | "
          f"{ours / autobahn:.1f}× | {ours / c:.0%} | {opaque / c:.0%} |")
rounds = len(next(iter(runs.values())))
print(f"\nMessages/s, median of {rounds} rounds; every server driven by `wamp bench` (MB/s: frames of one direction).")
EOF
