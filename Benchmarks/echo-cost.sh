#!/usr/bin/env bash
# CPU time and context switches per message of the echo workload, for our `wamp echo-server`
# and for the C echo of Benchmarks/rawsocket-echo.c (compiled here), both driven by `wamp bench`:
# counts, not timings, so they hold up on a shared, noisy machine better than messages/s do.
#
#   Benchmarks/echo-cost.sh [WAMP_CLI]      # default: .build/release/wamp (swift build -c release)
#
# For each serializer and window (1 and 64): the server's CPU microseconds and voluntary
# context switches per echoed message (from /proc/PID/stat and /proc/PID/task/*/status), the
# client's (from /usr/bin/time), and the messages/s of that run. Server on CPU 0, client on 1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
WAMP_CLI="${1:-$PWD/.build/release/wamp}"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
cc -O2 -o "$OUT/rawsocket-echo" Benchmarks/rawsocket-echo.c -lmsgpackc
TICK=$(getconf CLK_TCK)

measure() { # impl serializer window count
  local impl=$1 ser=$2 win=$3 n=$4 port pid t0 c0 t1 c1 out rate
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  if [ "$impl" = c ]; then
    taskset -c 0 "$OUT/rawsocket-echo" --port "$port" > "$OUT/server.log" 2>&1 &
  else
    taskset -c 0 "$WAMP_CLI" echo-server --listen "rs://127.0.0.1:$port" > "$OUT/server.log" 2>&1 &
  fi
  pid=$!
  for _ in $(seq 100); do grep -q listening "$OUT/server.log" 2>/dev/null && break; sleep 0.1; done
  ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
  switches() { cat /proc/$pid/task/*/status | awk '/^voluntary_ctxt_switches/ {s += $2} END {print s}'; }
  t0=$(ticks); c0=$(switches)
  out=$( { /usr/bin/time -f "TIME %U %S %w" taskset -c 1 "$WAMP_CLI" bench --url "rs://127.0.0.1:$port" \
           --serializer "$ser" --window "$win" --count "$n" --warmup 0; } 2>&1 )
  rate=$(grep -o '"messages_per_second":[0-9.]*' <<< "$out" | cut -d: -f2)
  t1=$(ticks); c1=$(switches)
  kill "$pid"; wait "$pid" 2>/dev/null || true
  grep TIME <<< "$out" | awk -v impl="$impl" -v ser="$ser" -v win="$win" -v n="$n" -v tick="$TICK" \
      -v st=$((t1 - t0)) -v sc=$((c1 - c0)) -v rate="$rate" \
      '{ printf "%-6s %-8s %4s %12.2f %10.2f %12.2f %10.2f %12.0f\n", impl, ser, win, st * 1e6 / tick / n, sc / n, ($2 + $3) * 1e6 / n, $4 / n, rate }'
}

printf "%-6s %-8s %4s %12s %10s %12s %10s %12s\n" impl serializer W "server us" "server cs" "client us" "client cs" "msgs/s"
for ser in msgpack json cbor; do
  for win in 1 64; do
    n=20000; [ "$win" = 64 ] && n=300000
    measure swift "$ser" "$win" "$n"
    # The C echo never reads payloads: the same program is the limit for every serializer.
    measure c "$ser" "$win" "$n"
  done
done
echo "(per echoed message: CPU microseconds and voluntary context switches of each process)"
