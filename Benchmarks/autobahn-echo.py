#!/usr/bin/env python3
"""A WAMP RawSocket echo server built on Autobahn|Python's asyncio back end.

Benchmarks/echo-peers.sh drives it with `wamp bench`, beside `wamp echo-server` and the C echo
(Benchmarks/rawsocket-echo.c), to compare the same workload on each.

    .venv/bin/python Benchmarks/autobahn-echo.py [--host 127.0.0.1] [--port 0]

Prints `listening on rs://HOST:PORT` (the port actually bound, so --port 0 works) and serves
until interrupted. Every connection speaks RawSocket with JSON, MessagePack or CBOR, as the
client asks. Each WAMP message that arrives is deserialized by Autobahn into its message object
and sent back with `transport.send`, which serializes it anew: the same work as a real WAMP
peer's receive and send path, without a router's routing.
"""

import argparse
import asyncio

import txaio

txaio.use_asyncio()

from autobahn.asyncio.rawsocket import WampRawSocketServerFactory  # noqa: E402
from autobahn.wamp.serializer import (  # noqa: E402
    CBORSerializer,
    JsonSerializer,
    MsgPackSerializer,
)


class Echo:
    """Autobahn's transport handler interface (ITransportHandler): one instance per connection."""

    def __init__(self):
        self._transport = None

    def onOpen(self, transport):
        self._transport = transport

    def onMessage(self, message):
        # The message object Autobahn parsed; send() serializes it again for the same serializer.
        self._transport.send(message)

    def onClose(self, wasClean):
        self._transport = None


async def serve(host, port):
    factory = WampRawSocketServerFactory(
        Echo, serializers=[JsonSerializer(), MsgPackSerializer(), CBORSerializer()]
    )
    server = await asyncio.get_running_loop().create_server(factory, host, port)
    bound_host, bound_port = server.sockets[0].getsockname()[:2]
    shown = f"[{bound_host}]" if ":" in bound_host else bound_host
    print(f"listening on rs://{shown}:{bound_port}", flush=True)
    async with server:
        await server.serve_forever()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="TCP port (default 0: any free port)")
    arguments = parser.parse_args()
    try:
        asyncio.run(serve(arguments.host, arguments.port))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
