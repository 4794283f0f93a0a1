#!/usr/bin/env python3
"""The client of Benchmarks/router-memory.sh: WAMP over RawSocket with JSON, standard library only.

Reads the resident memory (VmRSS, /proc/PID/status) of a running router, process PID, while it
drives it on 127.0.0.1:PORT, realm REALM. Prints one JSON object on standard output, progress on
standard error.

  router-memory-client.py idle  --pid PID --port PORT [--sessions 10000] [--batch 500] [--rounds 1]
  router-memory-client.py stall --pid PID --port PORT [--payload 65536] [--duration 10] [--events 0]

idle: opens SESSIONS sessions (TCP connect, RawSocket handshake 0x7F with serializer JSON,
HELLO with the four client roles, WELCOME), BATCH handshakes at a time, leaves them idle, reads
the router's RSS, closes them all (TCP close, no GOODBYE) and reads it again once the router
has closed its side of every connection; ROUNDS times.

stall: an observer session subscribes to wamp.session.on_leave; a subscriber with a small
SO_RCVBUF (set before connecting) subscribes to a topic and never reads its socket again; a
publisher publishes EVENTs of PAYLOAD octets of text (one positional argument, acknowledge
false) to that topic as fast as it can for DURATION seconds (or EVENTS events). The router's
RSS is sampled every 0.25 s; the drop of the subscriber is seen by the observer (on_leave with
its session ID) and by the router's file descriptors. Afterwards the subscriber's socket is
read to its end, to see what the router had sent it (events, ABORT) before closing it.
"""
import argparse
import asyncio
import json
import os
import socket
import struct
import sys
import time

JSON_SERIALIZER = 1
# Handshake: 0x7F, then the largest message we accept (2^(9+15) = 16 MiB) and JSON.
HANDSHAKE = bytes([0x7F, 0xF0 | JSON_SERIALIZER, 0, 0])
ROLES = {"caller": {}, "callee": {}, "publisher": {}, "subscriber": {}}
HELLO, WELCOME, ABORT, GOODBYE, ERROR = 1, 2, 3, 6, 8
PUBLISH, SUBSCRIBE, SUBSCRIBED, EVENT = 16, 32, 33, 36


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def status_kib(pid, key="VmRSS"):
    """A value in KiB (VmRSS, VmHWM, ...) of /proc/PID/status."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(key + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {key} in /proc/{pid}/status")


def fd_count(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def reset_peak(pid):
    """Resets VmHWM to the current RSS (Linux 4.0+); False when not allowed."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def frame(message):
    payload = json.dumps(message, separators=(",", ":")).encode()
    return struct.pack(">I", len(payload)) + payload  # type 0 (WAMP message) in the first octet


def check_handshake(reply):
    if len(reply) != 4 or reply[0] != 0x7F:
        raise RuntimeError(f"not a RawSocket handshake reply: {reply.hex()}")
    if reply[1] & 0x0F != JSON_SERIALIZER:
        raise RuntimeError(f"handshake refused, error code {reply[1] >> 4}: {reply.hex()}")


# --- asyncio sessions -----------------------------------------------------------------------

async def read_message(reader, writer):
    """The next WAMP message; answers pings."""
    while True:
        header = await reader.readexactly(4)
        kind, length = header[0] & 0x07, int.from_bytes(header[1:4], "big")
        payload = await reader.readexactly(length)
        if kind == 0:
            return json.loads(payload)
        if kind == 1:  # ping: pong with the same payload
            writer.write(bytes([2]) + header[1:4] + payload)


async def join(port, realm, sock=None):
    """Opens a session; returns (reader, writer, session ID)."""
    if sock is None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
    else:
        reader, writer = await asyncio.open_connection(sock=sock)
    writer.write(HANDSHAKE)
    check_handshake(await reader.readexactly(4))
    writer.write(frame([HELLO, realm, {"roles": ROLES}]))
    message = await read_message(reader, writer)
    if message[0] != WELCOME:
        writer.close()
        raise RuntimeError(f"HELLO answered with {json.dumps(message)[:300]}")
    return reader, writer, message[1]


# --- idle sessions --------------------------------------------------------------------------

async def wait_for_fds(pid, at_most, timeout):
    """Waits until the router holds at most `at_most` file descriptors; returns the count."""
    deadline = time.monotonic() + timeout
    while True:
        count = fd_count(pid)
        if count <= at_most or time.monotonic() > deadline:
            return count
        await asyncio.sleep(0.1)


async def settle_rss(pid, seconds):
    await asyncio.sleep(seconds)
    return status_kib(pid)


async def idle(args):
    result = {"phase": "idle", "sessions": args.sessions, "batch": args.batch, "rounds": []}
    before = await settle_rss(args.pid, args.settle)
    fds_before = fd_count(args.pid)
    result["rss_start_kib"] = before
    result["fds_start"] = fds_before
    log(f"idle: router RSS {before / 1024:.1f} MiB, {fds_before} fds, before any session")
    for round_number in range(1, args.rounds + 1):
        round_before = status_kib(args.pid)
        limit = asyncio.Semaphore(args.batch)
        failures = []

        async def open_one():
            async with limit:
                try:
                    return await join(args.port, args.realm)
                except Exception as error:  # noqa: BLE001 - counted and reported
                    failures.append(repr(error))
                    return None

        started = time.monotonic()
        sessions = [s for s in await asyncio.gather(*(open_one() for _ in range(args.sessions))) if s]
        open_seconds = time.monotonic() - started
        log(f"idle round {round_number}: {len(sessions)} sessions joined in {open_seconds:.1f} s"
            + (f", {len(failures)} failed (first: {failures[0]})" if failures else ""))
        opened = await settle_rss(args.pid, args.settle)
        fds_open = fd_count(args.pid)
        log(f"idle round {round_number}: router RSS {opened / 1024:.1f} MiB, {fds_open} fds")

        started = time.monotonic()
        for _, writer, _ in sessions:
            writer.close()
        await asyncio.gather(*(w.wait_closed() for _, w, _ in sessions), return_exceptions=True)
        sessions.clear()
        fds_closed = await wait_for_fds(args.pid, fds_before + args.fd_slack, args.close_timeout)
        close_seconds = time.monotonic() - started
        closed = await settle_rss(args.pid, args.settle)
        log(f"idle round {round_number}: closed; the router's fds back to {fds_closed} in "
            f"{close_seconds:.1f} s; RSS {closed / 1024:.1f} MiB")
        joined = args.sessions - len(failures)
        result["rounds"].append({
            "round": round_number, "joined": joined, "failed": len(failures),
            "first_failure": failures[0] if failures else None,
            "open_seconds": round(open_seconds, 2), "rss_before_kib": round_before,
            "rss_open_kib": opened, "fds_open": fds_open,
            "per_session_kib": round((opened - round_before) / joined, 2) if joined else None,
            "rss_closed_kib": closed, "fds_closed": fds_closed, "close_seconds": round(close_seconds, 2),
        })
    return result


# --- stalled subscriber ---------------------------------------------------------------------

def blocking_read_message(sock):
    def exactly(n):
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            if not chunk:
                raise RuntimeError("the router closed the connection")
            data += chunk
        return data

    while True:
        header = exactly(4)
        kind, length = header[0] & 0x07, int.from_bytes(header[1:4], "big")
        payload = exactly(length)
        if kind == 0:
            return json.loads(payload)
        if kind == 1:
            sock.sendall(bytes([2]) + header[1:4] + payload)


def stalled_subscriber(port, realm, topic, rcvbuf):
    """A session subscribed to `topic` whose socket is never read again; (socket, session ID)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)  # before connect: the window
    sock.settimeout(10)
    sock.connect(("127.0.0.1", port))
    sock.sendall(HANDSHAKE)
    reply = b""
    while len(reply) < 4:
        chunk = sock.recv(4 - len(reply))
        if not chunk:
            raise RuntimeError("the router closed the connection during the handshake")
        reply += chunk
    check_handshake(reply)
    sock.sendall(frame([HELLO, realm, {"roles": ROLES}]))
    welcome = blocking_read_message(sock)
    if welcome[0] != WELCOME:
        raise RuntimeError(f"HELLO answered with {json.dumps(welcome)[:300]}")
    sock.sendall(frame([SUBSCRIBE, 1, {}, topic]))
    subscribed = blocking_read_message(sock)
    if subscribed[0] != SUBSCRIBED:
        raise RuntimeError(f"SUBSCRIBE answered with {json.dumps(subscribed)[:300]}")
    return sock, welcome[1], sock.getsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF)


def drain(sock, timeout):
    """Reads what the router sent the stalled subscriber, to the end of the connection or until
    `timeout` s without data; the counts of EVENTs and the other messages, and how it ended."""
    sock.settimeout(timeout)
    buffer = bytearray()
    events = 0
    others = []
    ending = "timeout"
    octets = 0
    while True:
        try:
            chunk = sock.recv(1 << 20)
        except socket.timeout:
            break
        except ConnectionResetError:
            ending = "reset"
            break
        if not chunk:
            ending = "eof"
            break
        octets += len(chunk)
        buffer += chunk
        while len(buffer) >= 4:
            length = int.from_bytes(buffer[1:4], "big")
            if len(buffer) < 4 + length:
                break
            kind, payload = buffer[0] & 0x07, bytes(buffer[4:4 + length])
            del buffer[:4 + length]
            if kind != 0:
                continue
            message = json.loads(payload)
            if message[0] == EVENT:
                events += 1
            else:
                others.append(json.dumps(message)[:300])
    sock.close()
    return {"events_received": events, "other_messages": others, "octets_received": octets,
            "ended_by": ending, "partial_frame_octets": len(buffer)}


async def stall(args):
    topic = "com.example.memory.stalled"
    pid = args.pid
    baseline = await settle_rss(pid, args.settle)
    log(f"stall: router RSS {baseline / 1024:.1f} MiB before the sessions")

    # The observer: learns when the stalled subscriber leaves (the session meta API).
    o_reader, o_writer, _ = await join(args.port, args.realm)
    o_writer.write(frame([SUBSCRIBE, 1, {}, "wamp.session.on_leave"]))
    answer = await read_message(o_reader, o_writer)
    if answer[0] != SUBSCRIBED:
        raise RuntimeError(f"SUBSCRIBE wamp.session.on_leave answered with {answer}")
    left = {}  # session ID -> (time, events sent then)
    progress = {"sent": 0}

    async def observe():
        try:
            while True:
                message = await read_message(o_reader, o_writer)
                if message[0] == EVENT and len(message) > 4 and message[4]:
                    left.setdefault(message[4][0], (time.monotonic(), progress["sent"]))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass

    observer = asyncio.create_task(observe())

    sub_sock, sub_session, rcvbuf = await asyncio.to_thread(
        stalled_subscriber, args.port, args.realm, topic, args.rcvbuf)
    log(f"stall: subscriber {sub_session} subscribed, SO_RCVBUF {rcvbuf} octets; it reads no more")

    p_reader, p_writer, _ = await join(args.port, args.realm)
    publisher_messages = []

    async def publisher_inbound():
        try:
            while True:
                publisher_messages.append(json.dumps(await read_message(p_reader, p_writer))[:300])
        except (asyncio.IncompleteReadError, ConnectionError):
            pass

    publisher_reader = asyncio.create_task(publisher_inbound())
    await asyncio.sleep(args.settle)
    rss_sessions = status_kib(pid)
    fds_sessions = fd_count(pid)
    peak_reset = reset_peak(pid)

    # PUBLISH [16, id, {}, topic, ["xxx..."]]: the frame made once, but for the request ID.
    argument = "x" * args.payload
    head = b"[16,"
    tail = b"," + json.dumps([{}, topic, [argument]], separators=(",", ":")).encode()[1:]  # ,{},"topic",[...]]
    sent = 0
    samples = []  # (seconds since the start, RSS KiB, events sent, router fds)
    done = asyncio.Event()
    started = time.monotonic()

    async def sample():
        while not done.is_set():
            samples.append((time.monotonic() - started, status_kib(pid), sent, fd_count(pid)))
            try:
                await asyncio.wait_for(done.wait(), 0.25)
            except asyncio.TimeoutError:
                pass

    sampler = asyncio.create_task(sample())
    deadline = started + args.duration
    per_drain = max(1, (256 * 1024) // (args.payload + 64))
    publisher_error = None
    while time.monotonic() < deadline and (args.events == 0 or sent < args.events):
        for _ in range(per_drain):
            sent += 1
            progress["sent"] = sent
            body = head + str(sent).encode() + tail
            p_writer.write(struct.pack(">I", len(body)) + body)
        try:
            await p_writer.drain()
        except ConnectionError as error:
            publisher_error = repr(error)
            log(f"stall: the publisher's connection failed: {publisher_error}; received {publisher_messages[:3]}")
            break
        await asyncio.sleep(0)
    publish_seconds = time.monotonic() - started
    log(f"stall: {sent} events of {args.payload} octets published in {publish_seconds:.1f} s")
    # Let the router take what it still has, and the close grace period run out.
    await asyncio.sleep(args.after)
    done.set()
    await sampler
    samples.append((time.monotonic() - started, status_kib(pid), sent, fd_count(pid)))
    peak_hwm = status_kib(pid, "VmHWM") if peak_reset else None

    dropped_at, sent_at_drop = left.get(sub_session, (None, None))
    fds_dropped_at = next((t for t, _, _, fds in samples if fds < fds_sessions), None)
    drained = await asyncio.to_thread(drain, sub_sock, 2.0)
    log(f"stall: subscriber {'dropped' if dropped_at else 'NOT dropped'}"
        + (f" {dropped_at - started:.2f} s after the first publish" if dropped_at else "")
        + f"; it had been sent {drained['events_received']} events, the connection ended by {drained['ended_by']}"
        + (f", other messages: {drained['other_messages']}" if drained["other_messages"] else ""))

    p_writer.close()
    o_writer.close()
    observer.cancel()
    publisher_reader.cancel()
    await asyncio.gather(observer, publisher_reader, return_exceptions=True)
    await asyncio.sleep(args.settle)
    rss_closed = status_kib(pid)

    rss_values = [rss for _, rss, _, _ in samples]
    peak = max(rss_values)
    # When the RSS first came within 1 MiB of its peak (it stays on a plateau, with small wobbles).
    peak_time, _, peak_sent, _ = next(s for s in samples if s[1] >= peak - 1024)
    half = [rss for t, rss, _, _ in samples if t >= publish_seconds / 2 and t <= publish_seconds]
    return {
        "phase": "stall", "payload_octets": args.payload, "rcvbuf": rcvbuf,
        "duration_s": round(publish_seconds, 2), "after_s": args.after, "events_sent": sent,
        "events_per_second": round(sent / publish_seconds) if publish_seconds else None,
        "rss_baseline_kib": baseline, "rss_sessions_kib": rss_sessions,
        "rss_peak_kib": peak, "rss_peak_at_s": round(peak_time, 2), "events_sent_at_peak": peak_sent,
        "vm_hwm_kib": peak_hwm,
        "rss_second_half_max_kib": max(half) if half else None,
        "rss_end_kib": samples[-1][1], "rss_closed_kib": rss_closed,
        "dropped": dropped_at is not None,
        "dropped_at_s": round(dropped_at - started, 3) if dropped_at else None,
        "events_sent_at_drop": sent_at_drop,
        "router_closed_socket_at_s": round(fds_dropped_at, 2) if fds_dropped_at is not None else None,
        "subscriber": drained, "publisher_received": publisher_messages[:5], "publisher_error": publisher_error,
        "samples": [[round(t, 2), rss, s, fds] for t, rss, s, fds in samples],
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("phase", choices=["idle", "stall"])
    parser.add_argument("--pid", type=int, required=True, help="the router's process ID")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--realm", default="realm1")
    parser.add_argument("--settle", type=float, default=1.0, help="seconds to wait before reading the RSS")
    parser.add_argument("--sessions", type=int, default=10000)
    parser.add_argument("--batch", type=int, default=500, help="handshakes in flight at once")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--close-timeout", type=float, default=30)
    parser.add_argument("--fd-slack", type=int, default=5,
                        help="after closing, wait until the router holds at most this many fds more than at the start")
    parser.add_argument("--payload", type=int, default=65536, help="octets of text in each EVENT")
    parser.add_argument("--duration", type=float, default=10)
    parser.add_argument("--events", type=int, default=0, help="stop after this many events (0: no limit)")
    parser.add_argument("--after", type=float, default=12,
                        help="seconds to keep sampling after publishing (the router's close of the stalled connection)")
    parser.add_argument("--rcvbuf", type=int, default=4096, help="SO_RCVBUF of the stalled subscriber")
    args = parser.parse_args()
    result = asyncio.run(idle(args) if args.phase == "idle" else stall(args))
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
