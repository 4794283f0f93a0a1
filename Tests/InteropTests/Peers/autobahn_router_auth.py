#!/usr/bin/env python3
"""Autobahn|Python asyncio CLIENTS logging in to `wamp router --config` (the config written by
WAMPRouterAuthAutobahnTests), realm com.example.secure, over one transport and serializer:

  login-ticket           joe (ticket) joins: authid joe, authrole frontend, authmethod ticket
  login-wampcra          peter (WAMP-CRA) joins: authrole backend, authmethod wampcra
  login-wampcra-salted   sam (salted WAMP-CRA, derive_key from the CHALLENGE's salt) joins
  login-cryptosign       alice (cryptosign, seed 00 01 ... 1f) joins: authmethod cryptosign
  refused-ticket         a wrong ticket: the session leaves with wamp.error.authentication_failed
  refused-wampcra        a wrong WAMP-CRA secret: the same
  refused-cryptosign     a key no user has: the same
  refused-anonymous      no credentials: the session leaves with wamp.error.no_auth_method
  allowed-call           joe calls com.example.api.add registered by peter: 5
  denied-call            joe calls com.example.admin.reset: ApplicationError wamp.error.not_authorized
  denied-register        joe registers com.example.api.sub: the same
  denied-publish         joe publishes (acknowledged) to com.example.news: the same
  denied-subscribe       joe subscribes to com.example.user.deleted: the same

Usage: autobahn_router_auth.py --url rs://HOST:PORT | ws://HOST:PORT/PATH --serializer json|msgpack|cbor

Output (stdout): `ok CHECK` or `FAIL CHECK: reason` for each check, then
`RESULT passed=P failed=F`. Exit status: 0 all passed, 1 a check failed, 4 timeout.
Exits when its standard input reaches end of file, so that it never outlives the test.
"""

import argparse
import asyncio
import sys
from urllib.parse import urlparse

import txaio

txaio.use_asyncio()

from autobahn.asyncio.rawsocket import WampRawSocketClientFactory  # noqa: E402
from autobahn.asyncio.wamp import ApplicationSession  # noqa: E402
from autobahn.asyncio.websocket import WampWebSocketClientFactory  # noqa: E402
from autobahn.wamp import auth  # noqa: E402
from autobahn.wamp.cryptosign import CryptosignKey  # noqa: E402
from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.types import ComponentConfig, PublishOptions  # noqa: E402

from autobahn_client import SERIALIZERS, TIMEOUT, run_until_stdin_closes  # noqa: E402

REALM = "com.example.secure"
ALICE = CryptosignKey.from_bytes(bytes(range(32)))


class CheckFailed(Exception):
    pass


def expect(condition, what):
    if not condition:
        raise CheckFailed(what)


class Session(ApplicationSession):
    """Joins with `credentials` (method, authid, secret or key); resolves `outcome` with the
    WELCOME details or the ABORT's CloseDetails."""

    def __init__(self, config, credentials):
        super().__init__(config)
        self.credentials = credentials
        self.outcome = asyncio.get_running_loop().create_future()
        self.left = asyncio.get_running_loop().create_future()

    def onConnect(self):
        method, authid, secret = self.credentials
        authextra = {"pubkey": secret.public_key()} if method == "cryptosign" else None
        self.join(REALM, authmethods=[method], authid=authid, authextra=authextra)

    def onChallenge(self, challenge):
        method, _, secret = self.credentials
        if challenge.method == "ticket":
            return secret
        if challenge.method == "wampcra":
            key = secret
            if "salt" in challenge.extra:
                key = auth.derive_key(secret, challenge.extra["salt"], challenge.extra["iterations"], challenge.extra["keylen"])
            return auth.compute_wcs(key, challenge.extra["challenge"]).decode("ascii")
        if challenge.method == "cryptosign":
            return secret.sign_challenge(challenge)
        raise Exception(f"unexpected challenge {challenge.method}")

    def onJoin(self, details):
        if not self.outcome.done():
            self.outcome.set_result(details)

    def onLeave(self, details):
        if not self.outcome.done():
            self.outcome.set_result(details)
        if not self.left.done():
            self.left.set_result(details)
        super().onLeave(details)


async def connect(options, credentials):
    """A session that joined or was refused: (session, SessionDetails or CloseDetails)."""
    url = urlparse(options.url)
    holder = {}

    def make_session():
        holder["session"] = Session(ComponentConfig(realm=REALM), credentials)
        return holder["session"]

    serializer = SERIALIZERS[options.serializer]()
    if url.scheme == "rs":
        factory = WampRawSocketClientFactory(make_session, serializer=serializer)
    else:
        factory = WampWebSocketClientFactory(make_session, url=options.url, serializers=[serializer])
    await asyncio.wait_for(asyncio.get_running_loop().create_connection(factory, url.hostname, url.port), TIMEOUT)
    for _ in range(int(TIMEOUT * 10)):
        if "session" in holder:
            break
        await asyncio.sleep(0.1)
    session = holder["session"]
    return session, await asyncio.wait_for(session.outcome, TIMEOUT)


async def leave(session):
    if session.is_attached():
        session.leave()
        await asyncio.wait_for(asyncio.shield(session.left), TIMEOUT)


def login(method, authid, secret, authrole):
    async def check(options):
        session, details = await connect(options, (method, authid, secret))
        expect(hasattr(details, "authid"), f"not joined: {details!r}")
        expect(details.authid == authid, f"authid {details.authid!r}")
        expect(details.authrole == authrole, f"authrole {details.authrole!r}")
        expect(details.authmethod == method, f"authmethod {details.authmethod!r}")
        await leave(session)

    return check


def refused(method, authid, secret, reason):
    async def check(options):
        session, details = await connect(options, (method, authid, secret))
        expect(not hasattr(details, "authid"), f"joined as {getattr(details, 'authid', None)!r}")
        expect(details.reason == reason, f"left with {details.reason!r}: {details.message!r}")

    return check


async def expect_not_authorized(what, awaitable):
    try:
        outcome = await awaitable
    except ApplicationError as e:
        expect(e.error == "wamp.error.not_authorized", f"{what} failed with {e.error}")
        return
    raise CheckFailed(f"{what} was allowed: {outcome!r}")


def as_joe(body):
    async def check(options):
        joe, details = await connect(options, ("ticket", "joe", "secret!!!"))
        expect(hasattr(details, "authid"), f"joe not joined: {details!r}")
        try:
            await body(options, joe)
        finally:
            await leave(joe)

    return check


async def allowed_call(options, joe):
    peter, details = await connect(options, ("wampcra", "peter", "secret2"))
    expect(hasattr(details, "authid"), f"peter not joined: {details!r}")
    try:
        await peter.register(lambda a, b: a + b, "com.example.api.add")
        result = await joe.call("com.example.api.add", 2, 3)
        expect(result == 5, f"result {result!r}")
    finally:
        await leave(peter)


async def denied_call(options, joe):
    await expect_not_authorized("call", joe.call("com.example.admin.reset"))


async def denied_register(options, joe):
    await expect_not_authorized("register", joe.register(lambda: 0, "com.example.api.sub"))


async def denied_publish(options, joe):
    await expect_not_authorized("publish", joe.publish("com.example.news", "x", options=PublishOptions(acknowledge=True)))


async def denied_subscribe(options, joe):
    await expect_not_authorized("subscribe", joe.subscribe(lambda: None, "com.example.user.deleted"))


CHECKS = [
    ("login-ticket", login("ticket", "joe", "secret!!!", "frontend")),
    ("login-wampcra", login("wampcra", "peter", "secret2", "backend")),
    ("login-wampcra-salted", login("wampcra", "sam", "secret3", "backend")),
    ("login-cryptosign", login("cryptosign", "alice", ALICE, "backend")),
    ("refused-ticket", refused("ticket", "joe", "wrong", "wamp.error.authentication_failed")),
    ("refused-wampcra", refused("wampcra", "peter", "wrong", "wamp.error.authentication_failed")),
    ("refused-cryptosign", refused("cryptosign", "alice", CryptosignKey.from_bytes(bytes(32)), "wamp.error.authentication_failed")),
    ("refused-anonymous", refused("anonymous", None, None, "wamp.error.no_auth_method")),
    ("allowed-call", as_joe(allowed_call)),
    ("denied-call", as_joe(denied_call)),
    ("denied-register", as_joe(denied_register)),
    ("denied-publish", as_joe(denied_publish)),
    ("denied-subscribe", as_joe(denied_subscribe)),
]


async def run(options):
    passed = failed = 0
    for name, check in CHECKS:
        try:
            await asyncio.wait_for(check(options), 3 * TIMEOUT)
            passed += 1
            print(f"ok {name}", flush=True)
        except Exception as e:  # noqa: BLE001
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
    print(f"RESULT passed={passed} failed={failed}", flush=True)
    return 0 if failed == 0 else 1


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--serializer", choices=sorted(SERIALIZERS), required=True)
    options = parser.parse_args()
    return await run_until_stdin_closes(run(options), len(CHECKS) * 3 * TIMEOUT)


if __name__ == "__main__":
    txaio.start_logging(out=sys.stderr, level="warn")
    sys.exit(asyncio.run(main()))
