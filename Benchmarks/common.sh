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
