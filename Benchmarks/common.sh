# Shared by every benchmark script (source it from the repository root).
#
# PIN: split (servers on CPU 0, clients on CPU 1; the default on 2 or more CPUs), same (all on
# CPU 0) or none. Sets SERVER_CPU and CLIENT_CPU, the command prefixes that pin a process.
PIN="${PIN:-split}"
if [ "$(nproc)" -lt 2 ] || ! command -v taskset >/dev/null; then PIN=none; fi
case "$PIN" in
  split) SERVER_CPU=(taskset -c 0); CLIENT_CPU=(taskset -c 1) ;;
  same) SERVER_CPU=(taskset -c 0); CLIENT_CPU=(taskset -c 0) ;;
  none) SERVER_CPU=(); CLIENT_CPU=() ;;
  *) echo "PIN must be split, same or none" >&2; exit 2 ;;
esac

# A TCP port free now (one way for every server, whether or not it takes port 0).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# The median of the numbers on standard input, one per line.
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }

# REPS rounds (default 1) of `MEASURE BUILD ARGS...`, the builds alternating, BEFORE then AFTER;
# MEASURE prints one number per run, collected in $OUT/before and $OUT/after (the callgrind
# scripts' before/after comparisons).
alternate_rounds() { # MEASURE BEFORE AFTER ARGS...
  local measure=$1 before=$2 after=$3
  shift 3
  : > "$OUT/before"; : > "$OUT/after"
  for _ in $(seq "${REPS:-1}"); do
    "$measure" "$before" "$@" >> "$OUT/before"
    "$measure" "$after" "$@" >> "$OUT/after"
  done
}
