#!/usr/bin/env bash
# The resident memory (VmRSS, /proc/PID/status) of `wamp router`, in two situations, each on a
# fresh router (so that memory one phase freed cannot hide what the next one takes):
#
# 1. Idle sessions: the RSS after start, after opening SESSIONS sessions (RawSocket, JSON, realm
#    realm1, HELLO with the caller, callee, publisher and subscriber roles, WELCOME) that then
#    stay idle, and after closing them all (TCP close, no GOODBYE); per session in KiB.
# 2. A stalled subscriber, once per size in PAYLOADS: one session subscribes to a topic and
#    never reads its socket again (SO_RCVBUF set to 4 KiB, which Linux doubles, before
#    connecting); another publishes EVENTs of that many octets of text to the topic as fast as
#    it can for DURATION seconds, without acknowledge. The RSS is sampled every 0.25 s. The router's outbound queue bound
#    (limits.outboundQueueOctets, 16 MiB, and outboundQueueLength, 1024 messages) should end the
#    subscriber with ABORT swiftwamp.error.outbound_queue_overflow, so the peak RSS above the
#    baseline stays on the order of that bound, whatever the number of events sent.
#
# The client is Benchmarks/router-memory-client.py (Python standard library only). Progress and
# one JSON line per phase go to standard error, a Markdown table to standard output.
#
#   Benchmarks/router-memory.sh                               # release build of wamp, 10,000 sessions
#   SESSIONS=2000 DURATION=5 Benchmarks/router-memory.sh
#   WAMP_CLI=/path/to/wamp Benchmarks/router-memory.sh        # skip the build
#
# Environment: PHASES (default "idle stall"), SESSIONS (default 10000), BATCH (handshakes in
# flight at once, default 500), IDLE_ROUNDS (open and close SESSIONS sessions this many times on
# the same router, default 1), PAYLOADS (EVENT sizes in octets for the stalled subscriber,
# default "65536 16"), DURATION (seconds of publishing, default 10), OUTBOUND_QUEUE_OCTETS and
# OUTBOUND_QUEUE_LENGTH (the router's limits, defaults 16777216 and 1024), PIN (split: the
# router on CPU 0, the client on CPU 1, the default; same; none), WAMP_CLI, KEEP (a folder to
# keep the router logs and the JSON lines, with the RSS samples, in). The router runs with a
# config file that raises limits.sessionsPerRealm to SESSIONS + 100 (default 10,000: the
# observer and the other sessions must fit beside the idle ones); the other limits are the
# defaults. It is started in a session of its own (setsid) and stopped by its process id.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

SESSIONS=${SESSIONS:-10000}
BATCH=${BATCH:-500}
IDLE_ROUNDS=${IDLE_ROUNDS:-1}
PAYLOADS=${PAYLOADS:-"65536 16"}
DURATION=${DURATION:-10}
PHASES=${PHASES:-"idle stall"}
OUTBOUND_QUEUE_OCTETS=${OUTBOUND_QUEUE_OCTETS:-16777216}
OUTBOUND_QUEUE_LENGTH=${OUTBOUND_QUEUE_LENGTH:-1024}
source Benchmarks/common.sh
ROUTER_CPU=("${SERVER_CPU[@]}")

# Every idle session is one descriptor in the client and one in the router (which inherits
# this limit).
needed=$((SESSIONS + 200))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$needed" ]; then
  ulimit -n "$needed" 2>/dev/null || ulimit -n "$(ulimit -Hn)"
fi
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$needed" ]; then
  echo "SESSIONS=$SESSIONS needs $needed file descriptors; the limit here is $(ulimit -n) (hard $(ulimit -Hn))" >&2
  exit 2
fi

if [ -z "${WAMP_CLI:-}" ]; then
  swift build -c release --product wamp >&2
  WAMP_CLI="$PWD/.build/release/wamp"
fi
[ -x "$WAMP_CLI" ] || { echo "WAMP_CLI=$WAMP_CLI is not an executable" >&2; exit 2; }

work=$(mktemp -d /tmp/router-memory-XXXXXX)
router=""
router_pid=""
router_status=""
# Stops the router started with setsid: SIGTERM to its session's process group (its pid), then
# SIGKILL to what is left after a few seconds; sets router_status to its exit status.
stop_router() {
  local pid=$router
  router_status=""
  [ -n "$pid" ] || return 0
  router=""
  if kill -TERM -- "-$pid" 2>/dev/null; then
    for _ in $(seq 100); do kill -0 -- "-$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  router_status=0
  wait "$pid" 2>/dev/null || router_status=$?
}
cleanup() {
  stop_router
  if [ -n "${KEEP:-}" ]; then mkdir -p "$KEEP" && cp -r "$work"/. "$KEEP"/; fi
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/router.json" <<JSON
{
  "realms": [{ "name": "realm1" }],
  "limits": {
    "outboundQueueLength": $OUTBOUND_QUEUE_LENGTH,
    "outboundQueueOctets": $OUTBOUND_QUEUE_OCTETS,
    "sessionsPerRealm": $((SESSIONS + 100))
  }
}
JSON

# start_router NAME: a fresh `wamp router` on a free port; sets port, router (its session and
# process group) and router_pid (the wamp process itself, whose /proc/PID/status is read).
start_router() {
  local log="$work/$1.log"
  port=$(free_port)
  setsid "${ROUTER_CPU[@]}" "$WAMP_CLI" router --listen "rs://127.0.0.1:$port" --config "$work/router.json" >"$log" 2>&1 &
  router=$!
  for _ in $(seq 300); do
    grep -q '^listening on ' "$log" 2>/dev/null && break
    kill -0 "$router" 2>/dev/null || { echo "wamp router ended before listening:" >&2; cat "$log" >&2; exit 1; }
    sleep 0.1
  done
  grep -q '^listening on ' "$log" || { echo "wamp router did not listen within 30 s:" >&2; cat "$log" >&2; exit 1; }
  # setsid and taskset exec in place, so this is the router; look it up in the session anyway.
  local exe candidate
  exe=$(readlink -f "$WAMP_CLI")
  router_pid=$router
  for candidate in $(ps -o pid= --sid "$router" 2>/dev/null); do
    if [ "$(readlink -f "/proc/$candidate/exe" 2>/dev/null)" = "$exe" ]; then router_pid=$candidate; break; fi
  done
}

# run_phase NAME CLIENT-ARGUMENTS...: one phase on a fresh router; appends its JSON line (with
# the router's exit status and its slow-consumer warnings) to the results.
results="$work/results.jsonl"
run_phase() {
  local name=$1
  shift
  start_router "$name"
  local out
  if ! out=$("${CLIENT_CPU[@]}" python3 Benchmarks/router-memory-client.py "$@" --pid "$router_pid" --port "$port"); then
    echo "the $name phase failed; router alive: $(kill -0 "$router_pid" 2>/dev/null && echo yes || echo no); its log:" >&2
    tail -n 50 "$work/$name.log" >&2
    exit 1
  fi
  stop_router
  out=$(python3 -c 'import json, sys; r = json.loads(sys.argv[1]); r.update(name=sys.argv[2], router_exit_status=int(sys.argv[3]), slow_consumer_warnings=int(sys.argv[4])); print(json.dumps(r, sort_keys=True))' \
    "$out" "$name" "$router_status" "$(grep -c 'slow consumer' "$work/$name.log" || true)")
  echo "$out" | python3 -c 'import json, sys; r = json.loads(sys.stdin.read()); r.pop("samples", None); print(json.dumps(r, sort_keys=True))' >&2
  echo "$out" >>"$results"
}

echo "# $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), PIN=$PIN, SESSIONS=$SESSIONS, BATCH=$BATCH," \
  "PHASES=$PHASES, PAYLOADS=$PAYLOADS, DURATION=$DURATION s, outboundQueueOctets=$OUTBOUND_QUEUE_OCTETS," \
  "outboundQueueLength=$OUTBOUND_QUEUE_LENGTH, fd limit $(ulimit -n), WAMP_CLI=$WAMP_CLI" >&2

if [[ " $PHASES " == *" idle "* ]]; then
  run_phase idle idle --sessions "$SESSIONS" --batch "$BATCH" --rounds "$IDLE_ROUNDS"
fi
if [[ " $PHASES " == *" stall "* ]]; then
  for payload in $PAYLOADS; do
    run_phase "stall-$payload" stall --payload "$payload" --duration "$DURATION"
  done
fi

python3 - "$results" "$OUTBOUND_QUEUE_OCTETS" "$OUTBOUND_QUEUE_LENGTH" <<'PY'
import json, sys
rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
octet_limit, length_limit = int(sys.argv[2]), int(sys.argv[3])
mib = lambda kib: f"{kib / 1024:.1f}"
def router_note(r):
    status = r["router_exit_status"]
    return "" if status == 0 else f"; router exit status {status}"
print("| what | RSS MiB | per-session KiB | notes |")
print("|---|---:|---:|---|")
for r in rows:
    if r["phase"] == "idle":
        print(f"| router started, no session | {mib(r['rss_start_kib'])} | | {r['fds_start']} fds |")
        for rd in r["rounds"]:
            label = f" (round {rd['round']})" if len(r["rounds"]) > 1 else ""
            failed = f", {rd['failed']} failed: {rd['first_failure']}" if rd["failed"] else ""
            print(f"| {rd['joined']:,} idle sessions open{label} | {mib(rd['rss_open_kib'])} | {rd['per_session_kib']:.1f} "
                  f"| +{mib(rd['rss_open_kib'] - rd['rss_before_kib'])} MiB; joined in {rd['open_seconds']:.1f} s, "
                  f"{r['batch']} handshakes at a time{failed} |")
            print(f"| all closed{label} | {mib(rd['rss_closed_kib'])} | | {rd['close_seconds']:.1f} s until the router "
                  f"held {rd['fds_closed']} fds again{router_note(r)} |")
    else:
        size = r["payload_octets"]
        what = f"{size // 1024} KiB" if size >= 1024 and size % 1024 == 0 else f"{size} B"
        base = r["rss_sessions_kib"]
        print(f"| stalled subscriber, {what} events: baseline (3 sessions) | {mib(base)} | | |")
        if r["dropped"]:
            dropped = (f"dropped {r['dropped_at_s']:.2f} s after the first publish, after {r['events_sent_at_drop']:,} events "
                       f"({r['slow_consumer_warnings']} slow-consumer warning); ")
        else:
            dropped = "**never dropped**; "
        end = r["duration_s"] + r["after_s"]
        if r["router_closed_socket_at_s"] is None:
            closed = f"the router had not closed its socket {end:.0f} s after the first publish; "
        elif r["dropped"]:
            closed = f"the router closed its socket {r['router_closed_socket_at_s'] - r['dropped_at_s']:.1f} s after the drop; "
        else:
            closed = f"the router closed its socket at {r['router_closed_socket_at_s']:.1f} s; "
        sub = r["subscriber"]
        abort = "ABORT received" if any("outbound_queue_overflow" in m for m in sub["other_messages"]) else "no ABORT received"
        hwm = f", VmHWM +{mib(r['vm_hwm_kib'] - base)} MiB" if r.get("vm_hwm_kib") else ""
        print(f"| stalled subscriber, {what} events: peak | {mib(r['rss_peak_kib'])} | "
              f"| +{mib(r['rss_peak_kib'] - base)} MiB over the baseline, within 1 MiB of it from {r['rss_peak_at_s']:.2f} s "
              f"({r['events_sent_at_peak']:,} events sent by then){hwm}; "
              f"{r['events_sent']:,} events sent in {r['duration_s']:.0f} s ({r['events_per_second']:,}/s); {dropped}"
              f"{closed}read afterwards, its socket held {sub['events_received']:,} events, {abort}, then {sub['ended_by']} |")
        half = r["rss_second_half_max_kib"]
        print(f"| stalled subscriber, {what} events: {r['after_s']:.0f} s after the last publish | {mib(r['rss_end_kib'])} | "
              f"| highest in the second half of publishing {mib(half) if half else 'n/a'} MiB; after closing the other "
              f"sessions {mib(r['rss_closed_kib'])} MiB{router_note(r)} |")
PY
