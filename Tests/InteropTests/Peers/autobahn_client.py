#!/usr/bin/env python3
"""Autobahn|Python asyncio RawSocket CLIENT for the interop tests, run against the Swift
RawSocketServer with an echo handler.

It connects with one serializer, sends a set of typed WAMP messages (with binary values,
integers up to 2^53, floats, booleans, nested lists and dicts) and checks that each comes
back equal, type for type, with binary values as Python `bytes`. Optionally it then sends a
message over the server's announced limit (Autobahn must refuse it before writing) and one
more echo to show the connection is still usable.

Usage: autobahn_client.py --port PORT --serializer json|msgpack|cbor [--oversize N]

Output (stdout), one fact a line:
  limits send=S receive=R           the server's announced limit, this client's own
  echo NAME ok | echo NAME MISMATCH sent=... got=...
  oversize refused: ERROR           (with --oversize)
  handshake refused: code=C autobahn=MESSAGE
  RESULT passed=P failed=F
Exit status: 0 all passed, 1 a check failed, 3 handshake refused, 4 timeout or other error.
Exits when its standard input reaches end of file, so that it never outlives the test.
"""

import argparse
import asyncio
import os
import sys
import threading

import txaio

txaio.use_asyncio()

from autobahn.asyncio.rawsocket import (  # noqa: E402
    WampRawSocketClientFactory,
    WampRawSocketClientProtocol,
)
from autobahn.wamp import message  # noqa: E402
from autobahn.wamp.serializer import CBORSerializer, JsonSerializer, MsgPackSerializer  # noqa: E402

SERIALIZERS = {"json": JsonSerializer, "msgpack": MsgPackSerializer, "cbor": CBORSerializer}
# Each step's time guard, in seconds: generous, times WAMP_TEST_TIME_SCALE as the Swift side's
# guards (Tests/TimeGuards).
TIMEOUT = 20.0 * float(os.environ.get("WAMP_TEST_TIME_SCALE") or 1)


def strict_equal(a, b):
    """Equality that also compares types (in Python True == 1 == 1.0)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, list):
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(strict_equal(a[k], b[k]) for k in a)
    return a == b


def messages():
    blob = bytes(range(256))
    return [
        (
            "CALL",
            message.Call(
                1,
                "com.example.add",
                args=[2, 3, -7, 2**53, 1.5, "text ünïcødé", True, False, None, [1, [2, "x"]], {"a": 1}, b"\x00\x01\xff"],
                kwargs={"bin": blob, "empty": b"", "n": 7814135, "f": 0.25, "nested": {"l": [b"\x00", "s"]}},
            ),
        ),
        ("EVENT", message.Event(5, 6, args=["hello", b"\x00\xff"], kwargs={"k": "v"})),
        ("PUBLISH", message.Publish(7, "com.example.topic", args=[1, "two"], acknowledge=True)),
        ("RESULT", message.Result(8, args=[blob * 4], kwargs={"ok": True})),
        ("ERROR", message.Error(message.Call.MESSAGE_TYPE, 9, "com.example.error", args=["e"], kwargs={"code": 42})),
        ("SUBSCRIBE", message.Subscribe(10, "com.example.topic")),
        ("GOODBYE", message.Goodbye(reason="wamp.close.normal")),
    ]


def binaries_are_bytes(value):
    """Whether every value that was sent as bytes came back as bytes (and no str holds NUL)."""
    if isinstance(value, str):
        return not value.startswith("\x00")
    if isinstance(value, list):
        return all(binaries_are_bytes(v) for v in value)
    if isinstance(value, dict):
        return all(binaries_are_bytes(v) for v in value.values())
    return True


def watch_stdin(loop, on_eof):
    """Calls `on_eof` on the loop when standard input reaches end of file: the test process
    closed it, or died."""

    def reader():
        try:
            while os.read(sys.stdin.fileno(), 4096):
                pass
        except OSError:
            pass
        loop.call_soon_threadsafe(on_eof)

    threading.Thread(target=reader, daemon=True).start()


async def run_until_stdin_closes(coroutine, timeout):
    """Runs `coroutine` (a peer's script) and returns its exit status: 4 when it raises, when
    `timeout` seconds pass, or when standard input closes (the test process is gone) first."""
    loop = asyncio.get_running_loop()
    stdin_closed = loop.create_future()
    watch_stdin(loop, lambda: stdin_closed.done() or stdin_closed.set_result(None))
    task = asyncio.ensure_future(coroutine)
    done, _ = await asyncio.wait([task, stdin_closed], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    if task in done:
        try:
            return task.result()
        except Exception as e:  # noqa: BLE001
            print(f"error: {type(e).__name__}: {e}", flush=True)
            return 4
    task.cancel()
    print("error: timeout" if stdin_closed not in done else "error: stdin closed", flush=True)
    return 4


class State:
    def __init__(self):
        loop = asyncio.get_running_loop()
        self.opened = loop.create_future()
        self.closed = loop.create_future()
        self.received = asyncio.Queue()
        self.handshake_reply = None
        self.protocol_error = None


class ClientProtocol(WampRawSocketClientProtocol):
    state = None

    def process_handshake(self):
        self.state.handshake_reply = bytes(self._buffer[:4])
        super().process_handshake()

    def protocol_error(self, msg):
        self.state.protocol_error = msg
        super().protocol_error(msg)

    def connection_lost(self, exc):
        super().connection_lost(exc)
        if not self.state.closed.done():
            self.state.closed.set_result(exc)


class Session:
    def __init__(self, state):
        self.state = state

    def onOpen(self, transport):
        if not self.state.opened.done():
            self.state.opened.set_result(transport)

    def onMessage(self, msg):
        self.state.received.put_nowait(msg)

    def onClose(self, wasClean):
        pass


async def run(options):
    state = State()
    ClientProtocol.state = state

    class Factory(WampRawSocketClientFactory):
        protocol = ClientProtocol

    factory = Factory(lambda: Session(state), serializer=SERIALIZERS[options.serializer]())
    loop = asyncio.get_running_loop()
    await asyncio.wait_for(loop.create_connection(factory, options.host, options.port), TIMEOUT)

    done, _ = await asyncio.wait([state.opened, state.closed], timeout=TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
    if state.opened not in done:
        if state.closed in done and state.handshake_reply is not None:
            reply = state.handshake_reply
            code = reply[1] >> 4 if len(reply) > 1 and reply[1] & 0x0F == 0 else None
            print(f"handshake refused: code={code} autobahn={state.protocol_error}", flush=True)
            return 3
        print(f"handshake did not complete (closed={state.closed in done})", flush=True)
        return 4

    transport = state.opened.result()
    print(f"limits send={transport.max_length_send} receive={transport.max_length}", flush=True)
    passed = failed = 0

    async def echo(name, msg):
        nonlocal passed, failed
        transport.send(msg)
        got = await asyncio.wait_for(state.received.get(), TIMEOUT)
        sent_m, got_m = msg.marshal(), got.marshal()
        if type(got) is type(msg) and strict_equal(sent_m, got_m) and binaries_are_bytes(got_m):
            passed += 1
            print(f"echo {name} ok", flush=True)
        else:
            failed += 1
            print(f"echo {name} MISMATCH sent={sent_m!r:.300} got={got_m!r:.300}", flush=True)

    for name, msg in messages():
        await echo(name, msg)

    if options.oversize:
        big = message.Call(11, "com.example.big", args=["x" * options.oversize])
        try:
            transport.send(big)
        except ValueError as e:
            passed += 1
            print(f"oversize refused: {e}", flush=True)
        else:
            failed += 1
            print("oversize SENT (Autobahn did not enforce the server's limit)", flush=True)
        await echo("CALL-after-oversize", message.Call(12, "com.example.after", args=[b"\x01"]))

    transport.close()
    await asyncio.wait_for(state.closed, TIMEOUT)
    print(f"RESULT passed={passed} failed={failed}", flush=True)
    return 0 if failed == 0 else 1


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--serializer", choices=sorted(SERIALIZERS), required=True)
    parser.add_argument("--oversize", type=int, default=0)
    options = parser.parse_args()

    return await run_until_stdin_closes(run(options), 3 * TIMEOUT)
    task.cancel()
    print("error: timeout" if stdin_closed not in done else "error: stdin closed", flush=True)
    return 4


if __name__ == "__main__":
    txaio.start_logging(out=sys.stderr, level="warn")
    sys.exit(asyncio.run(main()))
