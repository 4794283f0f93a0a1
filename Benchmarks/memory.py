#!/usr/bin/env python3
"""Memory of the RawSocket transport, read from /proc of a server process (MemoryProbe).

  python3 Benchmarks/memory.py [--connections 1000] [--message-mib 16]

1. Idle connections: opens N connections that complete the RawSocket handshake and then stay
   silent; reports the server's resident memory per connection (VmRSS delta / N).
2. One large message: sends one EVENT carrying a binary argument of just under 16 MiB
   (a MessagePack frame of 2^24 - 1 octets at most) and reports the server's peak resident
   memory (VmHWM, reset before the send through /proc/PID/clear_refs) above its level before.
The driver is plain Python (sockets and struct); it needs no package.
"""
import argparse, os, socket, struct, subprocess, sys, time

HERE = os.path.dirname(os.path.abspath(__file__))


def status(pid):
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0]) * 1024
    return values


def handshake(port, serializer=2):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(bytes([0x7F, 0xF0 | serializer, 0, 0]))  # 2^24 limit, MessagePack
    reply = b""
    while len(reply) < 4:
        chunk = s.recv(4 - len(reply))
        if not chunk:
            raise RuntimeError("the server closed during the handshake")
        reply += chunk
    if reply[0] != 0x7F or reply[1] & 0x0F != serializer:
        raise RuntimeError(f"handshake refused: {reply.hex()}")
    return s


def msgpack_event(binary_length):
    # [36, 1, 2, {}, [bin], {}] in MessagePack, with a bin32 argument
    return (bytes([0x96, 36, 1, 2, 0x80, 0x91, 0xC6]) + struct.pack(">I", binary_length)
            + b"\xAB" * binary_length + bytes([0x80]))


def wait_line(proc, prefix, timeout=60):
    deadline = time.time() + timeout
    while time.time() < deadline:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the probe exited")
        if line.startswith(prefix):
            return line.strip()
    raise RuntimeError(f"no '{prefix}' line within {timeout} s")


def settle(pid, seconds=1.0):
    time.sleep(seconds)
    return status(pid)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--probe", default=os.path.join(HERE, ".build", "release", "MemoryProbe"))
    parser.add_argument("--connections", type=int, default=1000)
    parser.add_argument("--message-mib", type=int, default=16)
    args = parser.parse_args()

    proc = subprocess.Popen([args.probe], stdout=subprocess.PIPE, text=True)
    try:
        port = int(wait_line(proc, "listening").split()[1])
        # Warm up: one connection and one small message, so lazily made structures exist.
        warm = handshake(port)
        payload = msgpack_event(16)
        warm.sendall(struct.pack(">I", len(payload)) + payload)
        wait_line(proc, "received")
        warm.close()
        base = settle(proc.pid)

        sockets = [handshake(port) for _ in range(args.connections)]
        idle = settle(proc.pid, 2.0)
        per_connection = (idle["VmRSS"] - base["VmRSS"]) / args.connections
        print(f"idle connections: {args.connections}, server RSS {base['VmRSS'] / 2**20:.1f} MiB -> "
              f"{idle['VmRSS'] / 2**20:.1f} MiB, {per_connection / 1024:.1f} KiB per connection")
        for s in sockets:
            s.close()
        after = settle(proc.pid, 2.0)
        print(f"after closing them: server RSS {after['VmRSS'] / 2**20:.1f} MiB")

        length = min(args.message_mib << 20, (1 << 24) - 1) - len(msgpack_event(0))
        frame_payload = msgpack_event(length)
        sender = handshake(port)
        before = settle(proc.pid)
        with open(f"/proc/{proc.pid}/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM to the current RSS
        start = status(proc.pid)
        sender.sendall(struct.pack(">I", len(frame_payload)) + frame_payload)
        wait_line(proc, "received")
        peak = settle(proc.pid, 0.5)
        extra = peak["VmHWM"] - start["VmRSS"]
        print(f"one message of {len(frame_payload)} octets ({len(frame_payload) / 2**20:.2f} MiB): peak RSS "
              f"{start['VmRSS'] / 2**20:.1f} MiB -> {peak['VmHWM'] / 2**20:.1f} MiB, "
              f"{extra / 2**20:.1f} MiB above the level before = {extra / len(frame_payload):.2f}x the message")
        sender.close()
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    sys.exit(main())
