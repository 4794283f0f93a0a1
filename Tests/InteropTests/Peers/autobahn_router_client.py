#!/usr/bin/env python3
"""Autobahn|Python asyncio CLIENTS for the interop tests, run against `wamp router`.

Three ApplicationSessions (a caller/publisher and two callees/subscribers) join one realm over
one transport and serializer and check, in order:

  rpc-args-kwargs     a call with positional and keyword arguments returns both
  rpc-progress        `receive_progress`: three progressive results, then the final one
  rpc-cancel          cancelling a pending call: the caller's call ends, the callee is interrupted
  shared-roundrobin   `invoke: roundrobin` across the two callees alternates between them
  pubsub-exclude-me   `exclude_me=False`: the publisher receives its own event
  pubsub-exclude      `exclude=[B]`: A receives, B does not (B sees the next event first)
  pubsub-eligible     `eligible=[B]`: B receives, A does not (A sees the next event first)
  pattern-prefix      a prefix subscription receives `details.topic` = the published URI
  pattern-wildcard    a wildcard subscription receives `details.topic` = the published URI
  meta-session        wamp.session.count/list/get (with filter_authroles; no_such_session)
  meta-registration   wamp.registration.list/lookup/match/get/list_callees/count_callees
  meta-subscription   wamp.subscription.list/lookup/match/get/list_subscribers/count_subscribers
  meta-events         wamp.session.on_join/on_leave, wamp.subscription.on_create/on_subscribe
                      (and no event for the meta subscriptions themselves)
  meta-kill           wamp.session.kill (reason and message in GOODBYE), kill_by_authid (count)

Usage: autobahn_router_client.py --url rs://HOST:PORT | ws://HOST:PORT/PATH
                                 --serializer json|msgpack|cbor [--realm realm1] [--only CHECK,...]

Output (stdout): `ok CHECK` for each passed check, `FAIL CHECK: reason` for the first failure,
then `RESULT passed=P failed=F`. Exit status: 0 all passed, 1 a check failed, 4 could not join
or timeout. Exits when its standard input reaches end of file, so that it never outlives the test.
"""

import argparse
import asyncio
import re
import sys
from urllib.parse import urlparse

import txaio

txaio.use_asyncio()

from autobahn.asyncio.rawsocket import WampRawSocketClientFactory  # noqa: E402
from autobahn.asyncio.wamp import ApplicationSession  # noqa: E402
from autobahn.asyncio.websocket import WampWebSocketClientFactory  # noqa: E402
from autobahn.wamp.exception import ApplicationError  # noqa: E402
from autobahn.wamp.types import (  # noqa: E402
    CallOptions,
    CallResult,
    ComponentConfig,
    PublishOptions,
    RegisterOptions,
    SubscribeOptions,
)

# The time guard and the standard input watch shared with the echo client.
from autobahn_client import SERIALIZERS, TIMEOUT, run_until_stdin_closes  # noqa: E402


class CheckFailed(Exception):
    pass


def expect(condition, what):
    if not condition:
        raise CheckFailed(what)


class Session(ApplicationSession):
    """A session that resolves `joined` on WELCOME and records its events."""

    def __init__(self, config):
        super().__init__(config)
        loop = asyncio.get_running_loop()
        self.joined_future = loop.create_future()
        self.left_future = loop.create_future()

    def onJoin(self, details):
        if not self.joined_future.done():
            self.joined_future.set_result(details)

    def onLeave(self, details):
        if not self.joined_future.done():
            self.joined_future.set_exception(CheckFailed(f"not joined: {details.reason} {details.message}"))
        if not self.left_future.done():
            self.left_future.set_result(details)
        super().onLeave(details)


async def connect(options):
    """A joined session over the transport and serializer of `options`."""
    url = urlparse(options.url)
    loop = asyncio.get_running_loop()
    holder = {}

    def make_session():
        holder["session"] = Session(ComponentConfig(realm=options.realm))
        holder["session"].connect_options = options
        return holder["session"]

    serializer = SERIALIZERS[options.serializer]()
    if url.scheme == "rs":
        factory = WampRawSocketClientFactory(make_session, serializer=serializer)
    elif url.scheme == "ws":
        factory = WampWebSocketClientFactory(make_session, url=options.url, serializers=[serializer])
    else:
        raise ValueError(f"unsupported URL scheme {url.scheme!r}")
    await asyncio.wait_for(loop.create_connection(factory, url.hostname, url.port), TIMEOUT)
    for _ in range(int(TIMEOUT * 10)):
        if "session" in holder:
            break
        await asyncio.sleep(0.1)
    session = holder["session"]
    await asyncio.wait_for(session.joined_future, TIMEOUT)
    return session


async def next_of(queue, what):
    try:
        return await asyncio.wait_for(queue.get(), TIMEOUT)
    except asyncio.TimeoutError:
        raise CheckFailed(f"timed out waiting for {what}") from None


async def rpc_args_kwargs(caller, a, b):
    def echo(*args, **kwargs):
        return CallResult(*args, **kwargs)

    registration = await a.register(echo, "com.example.router.echo")
    result = await caller.call("com.example.router.echo", 2, "three", [4.5, True], x={"y": None}, z="ü")
    expect(isinstance(result, CallResult), f"result is a {type(result).__name__}: {result!r}")
    expect(list(result.results) == [2, "three", [4.5, True]], f"args {result.results!r}")
    expect(result.kwresults == {"x": {"y": None}, "z": "ü"}, f"kwargs {result.kwresults!r}")
    await registration.unregister()


async def rpc_large(caller, a, b):
    """A 64 KiB binary argument both ways: with MessagePack, the router forwards it undecoded."""
    def echo(*args, **kwargs):
        return CallResult(*args, **kwargs)

    blob = bytes(range(256)) * 256
    registration = await a.register(echo, "com.example.router.large")
    result = await caller.call("com.example.router.large", blob, size=len(blob))
    expect(isinstance(result, CallResult), f"result is a {type(result).__name__}: {result!r}")
    expect(list(result.results) == [blob], f"args of {len(result.results)} values, not the 64 KiB blob")
    expect(result.kwresults == {"size": len(blob)}, f"kwargs {result.kwresults!r}")
    await registration.unregister()


async def rpc_progress(caller, a, b):
    async def countdown(n, details=None):
        expect(details is not None and details.progress is not None, f"no progress callback in {details!r}")
        for i in range(n):
            details.progress(i, step=i)
        return "done"

    registration = await a.register(countdown, "com.example.router.progress", options=RegisterOptions(details_arg="details"))
    progress = []
    result = await caller.call(
        "com.example.router.progress", 3, options=CallOptions(on_progress=lambda i, step: progress.append((i, step)))
    )
    expect(progress == [(0, 0), (1, 1), (2, 2)], f"progress {progress!r}")
    expect(result == "done", f"final result {result!r}")
    await registration.unregister()


async def rpc_cancel(caller, a, b):
    loop = asyncio.get_running_loop()
    invoked = loop.create_future()
    interrupted = loop.create_future()

    async def forever():
        invoked.set_result(None)
        try:
            await asyncio.sleep(10 * TIMEOUT)
        except asyncio.CancelledError:
            interrupted.set_result(None)
            raise
        return "not cancelled"

    registration = await a.register(forever, "com.example.router.forever")
    call = caller.call("com.example.router.forever")
    await asyncio.wait_for(invoked, TIMEOUT)
    call.cancel()
    try:
        outcome = await asyncio.wait_for(call, TIMEOUT)
        raise CheckFailed(f"the cancelled call returned {outcome!r}")
    except asyncio.CancelledError:
        pass
    except ApplicationError as e:
        expect(e.error == "wamp.error.canceled", f"the cancelled call failed with {e.error}")
    try:
        await asyncio.wait_for(interrupted, TIMEOUT)
    except asyncio.TimeoutError:
        raise CheckFailed("the callee was not interrupted (no INTERRUPT)") from None
    await registration.unregister()


async def shared_roundrobin(caller, a, b):
    options = RegisterOptions(invoke="roundrobin")
    ra = await a.register(lambda: "A", "com.example.router.shared", options=options)
    rb = await b.register(lambda: "B", "com.example.router.shared", options=options)
    results = [await caller.call("com.example.router.shared") for _ in range(4)]
    expect(results in (["A", "B", "A", "B"], ["B", "A", "B", "A"]), f"round robin gave {results!r}")
    await ra.unregister()
    await rb.unregister()


async def subscribe_queue(session, topic, options=None):
    queue = asyncio.Queue()

    def on_event(*args, details=None):
        queue.put_nowait((list(args), details))

    opts = options or SubscribeOptions()
    opts.details_arg = "details"
    subscription = await session.subscribe(on_event, topic, options=opts)
    return subscription, queue


async def pubsub_exclude_me(caller, a, b):
    subscription, queue = await subscribe_queue(caller, "com.example.router.self")
    await caller.publish("com.example.router.self", "me", options=PublishOptions(acknowledge=True, exclude_me=False))
    args, _ = await next_of(queue, "the publisher's own event")
    expect(args == ["me"], f"own event args {args!r}")
    await subscription.unsubscribe()


async def excluded_or_eligible(caller, a, b, options, receiver, other):
    topic = "com.example.router.filtered"
    sa, qa = await subscribe_queue(a, topic)
    sb, qb = await subscribe_queue(b, topic)
    queues = {"A": qa, "B": qb}
    await caller.publish(topic, "filtered", options=options)
    await caller.publish(topic, "everyone", options=PublishOptions(acknowledge=True))
    args, _ = await next_of(queues[receiver], f"{receiver}'s filtered event")
    expect(args == ["filtered"], f"{receiver} got {args!r} first, not the filtered event")
    args, _ = await next_of(queues[receiver], f"{receiver}'s second event")
    expect(args == ["everyone"], f"{receiver} got {args!r} second")
    args, _ = await next_of(queues[other], f"{other}'s event")
    expect(args == ["everyone"], f"{other} got {args!r} first: the filter did not keep it out")
    await sa.unsubscribe()
    await sb.unsubscribe()


async def pubsub_exclude(caller, a, b):
    await excluded_or_eligible(caller, a, b, PublishOptions(acknowledge=True, exclude=[b._session_id]), "A", "B")


async def pubsub_eligible(caller, a, b):
    await excluded_or_eligible(caller, a, b, PublishOptions(acknowledge=True, eligible=[b._session_id]), "B", "A")


async def pattern(caller, a, match, subscribed, published):
    subscription, queue = await subscribe_queue(a, subscribed, SubscribeOptions(match=match))
    await caller.publish(published, "pattern", options=PublishOptions(acknowledge=True))
    args, details = await next_of(queue, f"the {match} event")
    expect(args == ["pattern"], f"{match} event args {args!r}")
    expect(details is not None and details.topic == published, f"details.topic {getattr(details, 'topic', None)!r}")
    await subscription.unsubscribe()


async def pattern_prefix(caller, a, b):
    await pattern(caller, a, "prefix", "com.example.router.prefix", "com.example.router.prefix.one.two")


async def pattern_wildcard(caller, a, b):
    await pattern(caller, a, "wildcard", "com.example.router..end", "com.example.router.middle.end")


# ---- The meta API (WAMP spec: Session, Registration and Subscription Meta API) ----

ISO_8601_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


async def expect_error(call, uri, what):
    try:
        outcome = await call
    except ApplicationError as e:
        expect(e.error == uri, f"{what}: {e.error}, not {uri}")
        return
    raise CheckFailed(f"{what} returned {outcome!r}, not ERROR {uri}")


def expect_session_details(details, session, what):
    expect(isinstance(details, dict), f"{what} is a {type(details).__name__}: {details!r}")
    expect(details.get("session") == session, f"{what}.session {details.get('session')!r}, not {session}")
    for key in ("authid", "authrole", "authmethod", "authprovider"):
        expect(isinstance(details.get(key), str), f"{what}.{key} {details.get(key)!r}")
    expect(details["authrole"] == "anonymous" and details["authmethod"] == "anonymous", f"{what} {details!r}")


def expect_created(details, what):
    created = details.get("created")
    expect(isinstance(created, str) and ISO_8601_UTC.match(created), f"{what}.created {created!r} is not ISO 8601 UTC")


def expect_lists_by_policy(lists, what):
    expect(isinstance(lists, dict) and set(lists) == {"exact", "prefix", "wildcard"}, f"{what} {lists!r}")
    expect(all(isinstance(ids, list) for ids in lists.values()), f"{what} {lists!r}")


async def meta_session(caller, a, b):
    ids = {caller._session_id, a._session_id, b._session_id}
    count = await caller.call("wamp.session.count")
    expect(isinstance(count, int) and count >= 3, f"wamp.session.count {count!r}")
    listed = await caller.call("wamp.session.list")
    expect(isinstance(listed, list) and ids <= set(listed), f"wamp.session.list {listed!r} lacks some of {ids}")
    expect(await caller.call("wamp.session.count", ["nobody"]) == 0, "count with filter_authroles ['nobody'] is not 0")
    expect(await caller.call("wamp.session.list", ["nobody"]) == [], "list with filter_authroles ['nobody'] is not []")
    # Other clients may join meanwhile: compare with what is known to be there.
    anonymous = await caller.call("wamp.session.count", ["anonymous"])
    expect(isinstance(anonymous, int) and anonymous >= 3, f"count with filter_authroles ['anonymous'] {anonymous!r}")
    details = await caller.call("wamp.session.get", a._session_id)
    expect_session_details(details, a._session_id, "wamp.session.get")
    await expect_error(caller.call("wamp.session.get", 1), "wamp.error.no_such_session", "wamp.session.get(1)")


async def meta_registration(caller, a, b):
    uri = "com.example.router.meta.procedure"
    registration = await a.register(lambda: None, uri, options=RegisterOptions(invoke="roundrobin"))
    rid = registration.id
    try:
        lists = await caller.call("wamp.registration.list")
        expect_lists_by_policy(lists, "wamp.registration.list")
        expect(rid in lists["exact"], f"{rid} not in list['exact'] {lists!r}")
        expect(await caller.call("wamp.registration.lookup", uri) == rid, "lookup")
        expect(await caller.call("wamp.registration.lookup", uri, {"match": "exact"}) == rid, "lookup {match: exact}")
        expect(await caller.call("wamp.registration.lookup", uri, {"match": "prefix"}) is None, "lookup {match: prefix}")
        expect(await caller.call("wamp.registration.match", uri) == rid, "match")
        expect(await caller.call("wamp.registration.match", "com.example.router.meta.none") is None, "match of nothing")
        details = await caller.call("wamp.registration.get", rid)
        expect(isinstance(details, dict), f"wamp.registration.get {details!r}")
        expect(details.get("id") == rid and details.get("uri") == uri, f"wamp.registration.get {details!r}")
        expect(details.get("match") == "exact" and details.get("invoke") == "roundrobin", f"wamp.registration.get {details!r}")
        expect_created(details, "wamp.registration.get")
        expect(await caller.call("wamp.registration.list_callees", rid) == [a._session_id], "list_callees")
        expect(await caller.call("wamp.registration.count_callees", rid) == 1, "count_callees")
        for procedure in ("get", "list_callees", "count_callees"):
            await expect_error(caller.call("wamp.registration." + procedure, 1), "wamp.error.no_such_registration", procedure)
    finally:
        await registration.unregister()
    expect(await caller.call("wamp.registration.lookup", uri) is None, "lookup after the last callee left")


async def meta_subscription(caller, a, b):
    topic = "com.example.router.meta.topic"
    sa = await a.subscribe(lambda *args: None, topic)
    sb = await b.subscribe(lambda *args: None, "com.example.router.meta", options=SubscribeOptions(match="prefix"))
    try:
        lists = await caller.call("wamp.subscription.list")
        expect_lists_by_policy(lists, "wamp.subscription.list")
        expect(sa.id in lists["exact"] and sb.id in lists["prefix"], f"{sa.id}, {sb.id} not listed in {lists!r}")
        expect(await caller.call("wamp.subscription.lookup", topic) == sa.id, "lookup")
        lookup = await caller.call("wamp.subscription.lookup", "com.example.router.meta", {"match": "prefix"})
        expect(lookup == sb.id, f"lookup {{match: prefix}} {lookup!r}")
        matched = await caller.call("wamp.subscription.match", topic)
        expect(isinstance(matched, list) and sorted(matched) == sorted([sa.id, sb.id]), f"match {matched!r}")
        expect(await caller.call("wamp.subscription.match", "org.example.none") is None, "match of nothing")
        details = await caller.call("wamp.subscription.get", sb.id)
        expect(isinstance(details, dict) and details.get("id") == sb.id, f"wamp.subscription.get {details!r}")
        expect(details.get("uri") == "com.example.router.meta" and details.get("match") == "prefix", f"get {details!r}")
        expect_created(details, "wamp.subscription.get")
        expect(await caller.call("wamp.subscription.list_subscribers", sa.id) == [a._session_id], "list_subscribers")
        expect(await caller.call("wamp.subscription.count_subscribers", sa.id) == 1, "count_subscribers")
        for procedure in ("get", "list_subscribers", "count_subscribers"):
            await expect_error(caller.call("wamp.subscription." + procedure, 1), "wamp.error.no_such_subscription", procedure)
    finally:
        await sa.unsubscribe()
        await sb.unsubscribe()


async def next_about(queue, session, what):
    """The next event on `queue` whose first argument is, or names, `session` (other sessions
    may join and leave the realm meanwhile)."""
    while True:
        args, details = await next_of(queue, what)
        first = args[0] if args else None
        if first == session or (isinstance(first, dict) and first.get("session") == session):
            return args, details


async def meta_events(caller, a, b):
    subscriptions = []
    queues = {}
    for topic in ("wamp.session.on_join", "wamp.session.on_leave", "wamp.subscription.on_create",
                  "wamp.subscription.on_subscribe"):
        subscription, queues[topic] = await subscribe_queue(caller, topic)
        subscriptions.append(subscription)
    try:
        # The meta subscriptions above were not announced.
        expect(queues["wamp.subscription.on_subscribe"].empty(), "a meta subscription announced itself")
        d = await connect(caller.connect_options)
        d_id = d._session_id
        args, _ = await next_about(queues["wamp.session.on_join"], d_id, "wamp.session.on_join")
        expect(len(args) == 1, f"on_join has {len(args)} arguments: {args!r}")
        expect_session_details(args[0], d_id, "on_join details")
        topic = "com.example.router.meta.events"
        subscription = await d.subscribe(lambda *args: None, topic)
        args, _ = await next_about(queues["wamp.subscription.on_create"], d_id, "wamp.subscription.on_create")
        expect(len(args) == 2 and isinstance(args[1], dict), f"on_create {args!r}")
        expect(args[1].get("id") == subscription.id and args[1].get("uri") == topic, f"on_create {args!r}")
        expect(args[1].get("match") == "exact", f"on_create {args!r}")
        expect_created(args[1], "on_create")
        args, _ = await next_about(queues["wamp.subscription.on_subscribe"], d_id, "wamp.subscription.on_subscribe")
        expect(args == [d_id, subscription.id], f"on_subscribe {args!r}, not {[d_id, subscription.id]}")
        authid = d._authid
        d.leave()
        await asyncio.wait_for(asyncio.shield(d.left_future), TIMEOUT)
        args, _ = await next_about(queues["wamp.session.on_leave"], d_id, "wamp.session.on_leave")
        expect(args == [d_id, authid, "anonymous"], f"on_leave {args!r}")
    finally:
        for subscription in subscriptions:
            await subscription.unsubscribe()


async def meta_kill(caller, a, b):
    e = await connect(caller.connect_options)
    e_id = e._session_id  # Autobahn forgets it once the session left
    result = await caller.call("wamp.session.kill", e_id, reason="com.example.router.kicked", message="bye")
    expect(result is None, f"wamp.session.kill returned {result!r}")
    left = await asyncio.wait_for(asyncio.shield(e.left_future), TIMEOUT)
    expect(left.reason == "com.example.router.kicked", f"the killed session's GOODBYE reason {left.reason!r}")
    expect(left.message == "bye", f"the killed session's GOODBYE message {left.message!r}")
    await expect_error(caller.call("wamp.session.kill", caller._session_id), "wamp.error.no_such_session", "killing itself")
    await expect_error(caller.call("wamp.session.kill", e_id), "wamp.error.no_such_session", "killing it again")
    f = await connect(caller.connect_options)
    count = await caller.call("wamp.session.kill_by_authid", f._authid)
    expect(count == 1, f"wamp.session.kill_by_authid returned {count!r}, not 1")
    left = await asyncio.wait_for(asyncio.shield(f.left_future), TIMEOUT)
    expect(left.reason == "wamp.close.normal", f"kill_by_authid's GOODBYE reason {left.reason!r}")
    expect(caller.is_attached(), "the caller was killed")


CHECKS = [
    ("rpc-args-kwargs", rpc_args_kwargs),
    ("rpc-large", rpc_large),
    ("rpc-progress", rpc_progress),
    ("rpc-cancel", rpc_cancel),
    ("shared-roundrobin", shared_roundrobin),
    ("pubsub-exclude-me", pubsub_exclude_me),
    ("pubsub-exclude", pubsub_exclude),
    ("pubsub-eligible", pubsub_eligible),
    ("pattern-prefix", pattern_prefix),
    ("pattern-wildcard", pattern_wildcard),
    ("meta-session", meta_session),
    ("meta-registration", meta_registration),
    ("meta-subscription", meta_subscription),
    ("meta-events", meta_events),
    ("meta-kill", meta_kill),
]


async def run(options):
    try:
        caller, a, b = [await connect(options) for _ in range(3)]
    except Exception as e:  # noqa: BLE001
        print(f"error: could not join: {type(e).__name__}: {e}", flush=True)
        return 4
    only = set(options.only.split(",")) if options.only else None
    passed = failed = 0
    for name, check in CHECKS:
        if only is not None and name not in only:
            continue
        try:
            await asyncio.wait_for(check(caller, a, b), 2 * TIMEOUT)
            passed += 1
            print(f"ok {name}", flush=True)
        except Exception as e:  # noqa: BLE001
            failed += 1
            print(f"FAIL {name}: {type(e).__name__}: {e}", flush=True)
    for session in (caller, a, b):
        if session.is_attached():
            session.leave()
    for session in (caller, a, b):
        try:
            await asyncio.wait_for(asyncio.shield(session.left_future), TIMEOUT)
        except asyncio.TimeoutError:
            print("FAIL leave: no GOODBYE reply", flush=True)
            failed += 1
    print(f"RESULT passed={passed} failed={failed}", flush=True)
    return 0 if failed == 0 else 1


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--serializer", choices=sorted(SERIALIZERS), required=True)
    parser.add_argument("--realm", default="realm1")
    parser.add_argument("--only", default="")
    options = parser.parse_args()

    return await run_until_stdin_closes(run(options), len(CHECKS) * 3 * TIMEOUT)
    task.cancel()
    print("error: timeout" if stdin_closed not in done else "error: stdin closed", flush=True)
    return 4


if __name__ == "__main__":
    txaio.start_logging(out=sys.stderr, level="warn")
    sys.exit(asyncio.run(main()))
