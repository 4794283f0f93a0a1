# Shared by the benchmark scripts that run several servers side by side (source it after
# setting WORK, the folder for server logs): CPU pinning, starting servers that print
# `listening on rs://HOST:PORT`, and stopping them by process ID when the script exits.
#
# PIN: split (servers on CPU 0, clients on CPU 1; the default on 2 or more CPUs), same (all on
# CPU 0) or none. Sets SERVER_CPU and CLIENT_CPU, the command prefixes that pin a process.
# KEEP: a folder to keep WORK in; without it WORK is removed at exit.
PIN="${PIN:-split}"
if [ "$(nproc)" -lt 2 ] || ! command -v taskset >/dev/null; then PIN=none; fi
case "$PIN" in
  split) SERVER_CPU=(taskset -c 0); CLIENT_CPU=(taskset -c 1) ;;
  same) SERVER_CPU=(taskset -c 0); CLIENT_CPU=(taskset -c 0) ;;
  none) SERVER_CPU=(); CLIENT_CPU=() ;;
  *) echo "PIN must be split, same or none" >&2; exit 2 ;;
esac

SERVER_PIDS=()
finish() {
  for pid in "${SERVER_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${KEEP:-}" ] || rm -rf "$WORK"
}
trap finish EXIT

# start NAME COMMAND...: starts a server that prints `listening on rs://HOST:PORT`, sets URL_<NAME>.
start() {
  local name=$1 log="$WORK/$1.log"
  shift
  "${SERVER_CPU[@]}" "$@" > "$log" 2>&1 &
  SERVER_PIDS+=($!)
  for _ in $(seq 300); do
    if grep -q '^listening on ' "$log"; then
      printf -v "URL_$name" '%s' "$(sed -n 's/^listening on \(rs:[^ ]*\).*/\1/p' "$log" | head -n 1)"
      return
    fi
    kill -0 "$!" 2>/dev/null || break
    sleep 0.1
  done
  echo "the $name server did not start; its output:" >&2
  cat "$log" >&2
  exit 1
}

# A TCP port free now (`wamp echo-server` takes no port 0; the two peers do, but one way for all).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

