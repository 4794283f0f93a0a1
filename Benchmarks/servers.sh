# Shared by the benchmark scripts that run several servers side by side (source it after
# setting WORK, the folder for server logs): CPU pinning, starting servers that print
# `listening on rs://HOST:PORT`, and stopping them by process ID when the script exits.
#
# PIN: see Benchmarks/common.sh. KEEP: a folder to keep WORK in; without it WORK is removed at exit.
source Benchmarks/common.sh

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
