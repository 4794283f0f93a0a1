#!/usr/bin/env python3
"""Autobahn|Python asyncio WAMP-over-WebSocket peers for the interop tests.

  autobahn_websocket.py server [--serializers json,msgpack,cbor] [--max-message-size N] [--fragment N]
      An echo server at ws://127.0.0.1:PORT/ws (the same EchoSession as the RawSocket echo
      server: every message is deserialized by Autobahn and sent back re-serialized). With
      --fragment N Autobahn splits each message it sends into frames of N octets. Prints
      "listening on PORT".

  autobahn_websocket.py client --port PORT --serializer json|msgpack|cbor [--path /ws] [--oversize N]
      Connects to ws://127.0.0.1:PORT/PATH offering one subprotocol, sends the typed messages of
      autobahn_client.py and checks each echo type for type. Output, one fact a line:
        subprotocol wamp.2.NAME
        echo NAME ok | echo NAME MISMATCH sent=... got=...
        oversize closed code=C          (with --oversize: a CALL of N octets, the server must close)
        handshake refused
        RESULT passed=P failed=F
      Exit status: 0 all passed, 1 a check failed, 3 handshake refused, 4 timeout or error.

Both exit when standard input reaches end of file, so that they never outlive the test.
"""

import argparse
import asyncio
import signal
import sys

import txaio

txaio.use_asyncio()

from autobahn.asyncio.websocket import (  # noqa: E402
    WampWebSocketClientFactory,
    WampWebSocketClientProtocol,
    WampWebSocketServerFactory,
)
from autobahn.wamp import message  # noqa: E402

from autobahn_client import SERIALIZERS, TIMEOUT, binaries_are_bytes, messages, strict_equal, run_until_stdin_closes, watch_stdin  # noqa: E402
from autobahn_echo_server import EchoSession  # noqa: E402


class WebSocketEchoSession(EchoSession):
    # Autobahn's WebSocket transport reads these from the session for its trace log.
    _authid = None
    _session_id = None


async def serve(options):
    serializers = [SERIALIZERS[name]() for name in options.serializers.split(",")]
    factory = WampWebSocketServerFactory(WebSocketEchoSession, serializers=serializers)
    if options.max_message_size is not None:
        factory.setProtocolOptions(maxMessagePayloadSize=options.max_message_size)
    if options.fragment:
        factory.setProtocolOptions(autoFragmentSize=options.fragment)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, "127.0.0.1", 0)
    print(f"listening on {server.sockets[0].getsockname()[1]}", flush=True)
    stop = asyncio.Event()
    watch_stdin(loop, stop.set)
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    server.close()
    return 0


class State:
    def __init__(self):
        loop = asyncio.get_running_loop()
        self.opened = loop.create_future()
        self.closed = loop.create_future()
        self.received = asyncio.Queue()


class ClientProtocol(WampWebSocketClientProtocol):
    # Not `state`: Autobahn's WebSocketProtocol uses that name for its connection state.
    peer_state = None

    def onClose(self, wasClean, code, reason):
        super().onClose(wasClean, code, reason)
        if not self.peer_state.closed.done():
            self.peer_state.closed.set_result(code)


class Session:
    # Autobahn's WebSocket transport reads these from the session for its trace log.
    _authid = None
    _session_id = None

    def __init__(self, state):
        self.state = state

    def onOpen(self, transport):
        if not self.state.opened.done():
            self.state.opened.set_result(transport)

    def onMessage(self, msg):
        self.state.received.put_nowait(msg)

    def onClose(self, wasClean):
        pass


async def client(options):
    state = State()
    ClientProtocol.peer_state = state

    class Factory(WampWebSocketClientFactory):
        protocol = ClientProtocol

    url = f"ws://127.0.0.1:{options.port}{options.path}"
    factory = Factory(lambda: Session(state), url=url, serializers=[SERIALIZERS[options.serializer]()])
    loop = asyncio.get_running_loop()
    await asyncio.wait_for(loop.create_connection(factory, "127.0.0.1", options.port), TIMEOUT)
    done, _ = await asyncio.wait([state.opened, state.closed], timeout=TIMEOUT, return_when=asyncio.FIRST_COMPLETED)
    if state.opened not in done:
        print("handshake refused", flush=True)
        return 3
    transport = state.opened.result()
    print(f"subprotocol {transport.websocket_protocol_in_use}", flush=True)
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
        transport.send(message.Call(11, "com.example.big", args=["x" * options.oversize]))
        code = await asyncio.wait_for(state.closed, TIMEOUT)
        print(f"oversize closed code={code}", flush=True)
        if code == 1009:
            passed += 1
        else:
            failed += 1
    else:
        transport.close()
        await asyncio.wait_for(state.closed, TIMEOUT)
    print(f"RESULT passed={passed} failed={failed}", flush=True)
    return 0 if failed == 0 else 1


async def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="mode", required=True)
    s = sub.add_parser("server")
    s.add_argument("--serializers", default="json,msgpack,cbor")
    s.add_argument("--max-message-size", type=int, default=None)
    s.add_argument("--fragment", type=int, default=0)
    c = sub.add_parser("client")
    c.add_argument("--port", type=int, required=True)
    c.add_argument("--path", default="/ws")
    c.add_argument("--serializer", choices=sorted(SERIALIZERS), required=True)
    c.add_argument("--oversize", type=int, default=0)
    options = parser.parse_args()
    if options.mode == "server":
        return await serve(options)

    return await run_until_stdin_closes(client(options), 3 * TIMEOUT)
    task.cancel()
    print("error: timeout" if stdin_closed not in done else "error: stdin closed", flush=True)
    return 4


if __name__ == "__main__":
    txaio.start_logging(out=sys.stderr, level="warn")
    sys.exit(asyncio.run(main()))
