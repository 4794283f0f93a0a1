#!/usr/bin/env python3
"""Autobahn|Python asyncio RawSocket SERVER for the interop tests.

It speaks WAMP at the message level, not as a router: every message received is deserialized
by Autobahn (which validates it) and sent back, re-serialized by Autobahn. A few CALLs are
answered instead of echoed, so that the Swift test learns what Autobahn saw:

  interop.types  RESULT args = the Python type names of the CALL's args,
                 kwargs = the type names of its kwargs (binary values must be "bytes")
  interop.bytes  RESULT args = [bytes of length args[0]]   (Python bytes, sent as binary)
  interop.limits RESULT args = [what this server may send (the client's announced limit),
                                what this server accepts (its own announced limit)]
  interop.close  no reply: the server closes the connection

Usage: autobahn_echo_server.py [--max-message-size N] [--serializers json,msgpack,cbor]

Listens on 127.0.0.1, port 0; prints "listening on PORT" on stdout once it accepts
connections. Exits when its standard input reaches end of file (the test process closed it
or died) or on SIGTERM, so that it never outlives the test.
"""

import argparse
import asyncio
import os
import signal
import sys
import threading

import txaio

txaio.use_asyncio()

from autobahn.asyncio.rawsocket import WampRawSocketServerFactory  # noqa: E402
from autobahn.wamp import message  # noqa: E402
from autobahn.wamp.serializer import CBORSerializer, JsonSerializer, MsgPackSerializer  # noqa: E402

SERIALIZERS = {"json": JsonSerializer, "msgpack": MsgPackSerializer, "cbor": CBORSerializer}


def type_name(value):
    return type(value).__name__


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


class EchoSession:
    """The object the factory's `_factory` returns: Autobahn calls onOpen / onMessage /
    onClose with deserialized `autobahn.wamp.message` objects."""

    def onOpen(self, transport):
        self.transport = transport

    def onMessage(self, msg):
        reply = msg
        if isinstance(msg, message.Call):
            if msg.procedure == "interop.types":
                reply = message.Result(
                    msg.request,
                    args=[type_name(a) for a in (msg.args or [])],
                    kwargs={k: type_name(v) for k, v in (msg.kwargs or {}).items()},
                )
            elif msg.procedure == "interop.bytes":
                n = int(msg.args[0])
                reply = message.Result(msg.request, args=[bytes(i % 251 for i in range(n))])
            elif msg.procedure == "interop.limits":
                reply = message.Result(
                    msg.request, args=[self.transport.max_length_send, self.transport.max_length]
                )
            elif msg.procedure == "interop.close":
                self.transport.close()
                return
        self.transport.send(reply)

    def onClose(self, wasClean):
        pass


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--max-message-size", type=int, default=None)
    parser.add_argument("--serializers", default="json,msgpack,cbor")
    options = parser.parse_args()

    serializers = [SERIALIZERS[name]() for name in options.serializers.split(",")]
    factory = WampRawSocketServerFactory(EchoSession, serializers=serializers)
    if options.max_message_size is not None:
        factory.setProtocolOptions(maxMessagePayloadSize=options.max_message_size)

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    print(f"listening on {port}", flush=True)

    stop = asyncio.Event()

    watch_stdin(loop, stop.set)
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await stop.wait()
    server.close()


if __name__ == "__main__":
    txaio.start_logging(out=sys.stderr, level="warn")
    asyncio.run(main())
