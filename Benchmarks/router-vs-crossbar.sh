#!/usr/bin/env bash
# `wamp router` against Crossbar.io: the same client, `wamp bench-router`, through each router
# in turn, in one run. Every cell: rpc and pubsub, window 1 and 64, JSON and MessagePack, over
# RawSocket on 127.0.0.1; the two routers alternate which goes first. Each cell runs with both
# of the client's peers: `--client transport` (two bare peers on WAMPTransport, a load
# generator cheaper per call than our router, so that the router sets the rate) and
# `--client session` (two WAMPSession sessions, what an application does; with 64 in flight
# this client needs more time per call than our router and sets the rate itself).
#
# Prints one JSON line per run on standard error and, on standard output, a Markdown table:
# calls/s or events/s through each router (median of the rounds), the ratio wamp router /
# Crossbar.io, the routers' CPU time per call or event, and the median latency.
#
#   Benchmarks/router-vs-crossbar.sh                       # release build of wamp, 5 s a cell, 1 round
#   DURATION=2 ROUNDS=3 Benchmarks/router-vs-crossbar.sh
#   WORKLOADS=rpc WINDOWS=64 SERIALIZERS=msgpack CLIENTS=transport Benchmarks/router-vs-crossbar.sh
#   WAMP_CLI=/path/to/wamp Benchmarks/router-vs-crossbar.sh   # skip the build
#
# Environment: DURATION (seconds measured per cell, default 5), WARMUP (untimed seconds first,
# default 0.5), ROUNDS (default 1), WORKLOADS, WINDOWS, SERIALIZERS, CLIENTS (default
# "transport session"), PIN (split: routers on
# CPU 0, the client on CPU 1, the default; same: all on CPU 0; none), WAMP_CLI.
# Crossbar.io 26.10.1 comes from the pinned .venv (scripts/ensure-deps.sh --peers). Both routers
# are started here, each in a session of its own (setsid), and stopped by their process ids.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

DURATION=${DURATION:-5}
WARMUP=${WARMUP:-0.5}
ROUNDS=${ROUNDS:-1}
WORKLOADS=${WORKLOADS:-"rpc pubsub"}
WINDOWS=${WINDOWS:-"1 64"}
SERIALIZERS=${SERIALIZERS:-"json msgpack"}
CLIENTS=${CLIENTS:-"transport session"}
source Benchmarks/common.sh
ROUTER_CPU=("${SERVER_CPU[@]}")

scripts/ensure-deps.sh --peers >&2
CROSSBAR="$PWD/${WAMP_TEST_VENV:-.venv}/bin/crossbar"
if [ -z "${WAMP_CLI:-}" ]; then
  swift build -c release --product wamp >&2
  WAMP_CLI="$PWD/.build/release/wamp"
fi

work=$(mktemp -d /tmp/router-vs-crossbar-XXXXXX)
ours=""
crossbar=""
# Stops a router started with setsid: SIGTERM to its session's process group (its pid), then
# SIGKILL to what is left after a few seconds.
stop_router() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || return 0
  for _ in $(seq 50); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}
cleanup() {
  stop_router "$ours"
  stop_router "$crossbar"
  rm -rf "$work"
}
trap cleanup EXIT

# The user + system CPU time, in clock ticks, of every process in the session `$1` (a router and
# its workers).
session_ticks() {
  local total=0 pid stat rest
  for pid in $(ps -o pid= --sid "$1" 2>/dev/null); do
    stat=$(cat "/proc/$pid/stat" 2>/dev/null) || continue
    rest=${stat##*) }
    read -r -a fields <<<"$rest"
    total=$((total + fields[11] + fields[12]))
  done
  echo "$total"
}

# Waits until something accepts connections on 127.0.0.1:$1 (Crossbar.io takes 5-10 s).
wait_for_port() {
  local port=$1 pid=$2 what=$3
  for _ in $(seq 600); do
    if python3 -c 'import socket, sys; socket.create_connection(("127.0.0.1", int(sys.argv[1])), 1).close()' "$port" 2>/dev/null; then
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { echo "$what ended before listening:" >&2; cat "$work"/*.log >&2; exit 1; }
    sleep 0.1
  done
  echo "$what did not listen on port $port within 60 s" >&2
  exit 1
}

# wamp router: RawSocket on a free port, realm1 open to anonymous sessions.
ours_port=$(free_port)
setsid "${ROUTER_CPU[@]}" "$WAMP_CLI" router --listen "rs://127.0.0.1:$ours_port" --realm realm1 >"$work/ours.log" 2>&1 &
ours=$!
wait_for_port "$ours_port" "$ours" "wamp router"

# Crossbar.io: one router worker with a RawSocket transport and realm1 open to anonymous.
crossbar_port=$(free_port)
mkdir -p "$work/node/.crossbar"
cat >"$work/node/.crossbar/config.json" <<JSON
{
  "version": 2,
  "controller": {},
  "workers": [{
    "type": "router",
    "realms": [{"name": "realm1", "roles": [{"name": "anonymous", "permissions": [{
      "uri": "", "match": "prefix",
      "allow": {"call": true, "register": true, "publish": true, "subscribe": true},
      "disclose": {"caller": false, "publisher": false}, "cache": true}]}]}],
    "transports": [{
      "type": "rawsocket",
      "endpoint": {"type": "tcp", "interface": "127.0.0.1", "port": $crossbar_port},
      "serializers": ["json", "msgpack", "cbor"],
      "options": {"max_message_size": 4194304}
    }]
  }]
}
JSON
(cd "$work/node" && exec setsid "${ROUTER_CPU[@]}" "$CROSSBAR" start --cbdir "$work/node/.crossbar" --loglevel warn) >"$work/crossbar.log" 2>&1 &
crossbar=$!
wait_for_port "$crossbar_port" "$crossbar" "Crossbar.io"

declare -A url=([ours]="rs://127.0.0.1:$ours_port" [crossbar]="rs://127.0.0.1:$crossbar_port")
declare -A pid=([ours]=$ours [crossbar]=$crossbar)
echo "# $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), PIN=$PIN, DURATION=$DURATION s, ROUNDS=$ROUNDS;" \
  "wamp router at ${url[ours]}, Crossbar.io $("$CROSSBAR" version 2>/dev/null | grep -io 'crossbar.io[^0-9]*[0-9.]*' | head -1) at ${url[crossbar]}" >&2

results="$work/results.jsonl"
ticks_per_second=$(getconf CLK_TCK)
cell=0
for round in $(seq "$ROUNDS"); do
  for workload in $WORKLOADS; do
    for window in $WINDOWS; do
      for serializer in $SERIALIZERS; do
       for client in $CLIENTS; do
        # Alternate which router goes first.
        if (( (cell + round) % 2 )); then order="ours crossbar"; else order="crossbar ours"; fi
        cell=$((cell + 1))
        for router in $order; do
          before=$(session_ticks "${pid[$router]}")
          out=$("${CLIENT_CPU[@]}" "$WAMP_CLI" bench-router --url "${url[$router]}" --realm realm1 --client "$client" \
            --serializer "$serializer" --workload "$workload" --window "$window" --duration "$DURATION" --warmup "$WARMUP")
          after=$(session_ticks "${pid[$router]}")
          out=$(python3 -c 'import json, sys; r = json.loads(sys.argv[1]); r.update(router=sys.argv[2], round=int(sys.argv[3]), router_cpu_s=round(int(sys.argv[4]) / int(sys.argv[5]), 3)); print(json.dumps(r, sort_keys=True))' \
            "$out" "$router" "$round" "$((after - before))" "$ticks_per_second")
          echo "$out" >&2
          echo "$out" >>"$results"
        done
       done
      done
    done
  done
done

python3 - "$results" <<'PY'
import json, statistics, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
cells = {}
for r in rows:
    cells.setdefault((r["workload"], r["window"], r["serializer"], r["client"]), {}).setdefault(r["router"], []).append(r)
def rate(r):
    return r.get("calls_per_second", r.get("events_per_second", 0))
def count(r):
    return r.get("calls", r.get("events", 0))
def cpu_us(rs):
    # The router's CPU time covers the warm-up too: per operation of the whole run.
    return statistics.median(r["router_cpu_s"] / max(1, rate(r) * (r["duration_s"] + r.get("warmup_s", 0))) * 1e6 for r in rs)
print("| workload | window | serializer | client | wamp router /s | Crossbar.io /s | ratio | router CPU µs/op (ours / Crossbar) | client CPU µs/op (with ours) | p50 latency ms (ours / Crossbar) |")
print("|---|---:|---|---|---:|---:|---:|---:|---:|---:|")
order = {"rpc": 0, "pubsub": 1}
def client_us(rs):
    return statistics.median(r["cpu_seconds"] / max(1, count(r)) * 1e6 for r in rs)
for key in sorted(cells, key=lambda k: (order.get(k[0], 9), k[1], k[2], k[3] != "transport")):
    workload, window, serializer, client = key
    ours, crossbar = cells[key].get("ours", []), cells[key].get("crossbar", [])
    if not ours or not crossbar:
        continue
    o, c = statistics.median(map(rate, ours)), statistics.median(map(rate, crossbar))
    ratio = f"{o / c:.1f}x" if c else "n/a"
    lat = lambda rs: statistics.median(r.get("latency_p50_ms", 0) for r in rs)
    print(f"| {workload} | {window} | {serializer} | {client} | {o:,.0f} | {c:,.0f} | {ratio} "
          f"| {cpu_us(ours):.1f} / {cpu_us(crossbar):.1f} | {client_us(ours):.1f} "
          f"| {lat(ours):.3f} / {lat(crossbar):.3f} |")
PY
