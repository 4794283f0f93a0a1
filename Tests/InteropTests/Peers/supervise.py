#!/usr/bin/env python3
"""Runs a peer (the Crossbar.io node) for the interop tests so that it can never outlive them.

Usage: supervise.py [--grace SECONDS] [--remove-dir DIR] -- COMMAND [ARG ...]

COMMAND runs in a new session, so in its own process group together with every process it
starts (Crossbar's router workers). The supervisor prints "child PID" (PID = the process
group id) on stdout, passes the child's output through, and stops the whole group - SIGTERM,
then SIGKILL after --grace seconds (default 3) - when
  - its standard input reaches end of file (the test process closed it, or died), or
  - it gets SIGTERM, SIGINT or SIGHUP.
When the child exits on its own, the supervisor stops what is left of the group and exits with
the child's status. With --remove-dir, DIR (the node's temporary directory) is removed once the
group is gone.
"""

import os
import shutil
import signal
import subprocess
import sys
import threading
import time


def stop_group(child, grace):
    """SIGTERM to the child's process group, SIGKILL to what is left after `grace` seconds."""
    pgid = child.pid
    start = time.monotonic()
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        return
    while time.monotonic() < start + grace:
        child.poll()  # reap the group leader: a zombie still counts as a group member
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            print(f"supervise: group {pgid} ended {time.monotonic() - start:.1f} s after SIGTERM", flush=True)
            return
        time.sleep(0.05)
    try:
        os.killpg(pgid, signal.SIGKILL)
        print(f"supervise: group {pgid} killed (SIGKILL) after {grace} s", flush=True)
    except ProcessLookupError:
        pass
    try:
        child.wait(timeout=2)
    except subprocess.TimeoutExpired:
        pass


def main():
    argv = sys.argv[1:]
    grace = 3.0
    remove_dir = None
    while argv[:1] in (["--grace"], ["--remove-dir"]) and len(argv) > 1:
        if argv[0] == "--grace":
            grace = float(argv[1])
        else:
            remove_dir = argv[1]
        argv = argv[2:]
    if argv[:1] == ["--"]:
        argv = argv[1:]
    if not argv:
        print("usage: supervise.py [--grace SECONDS] [--remove-dir DIR] -- COMMAND [ARG ...]", file=sys.stderr)
        return 2
    try:
        return supervise(argv, grace)
    finally:
        if remove_dir:
            shutil.rmtree(remove_dir, ignore_errors=True)


def supervise(argv, grace):
    child = subprocess.Popen(argv, start_new_session=True, stdin=subprocess.DEVNULL)
    pgid = child.pid
    print(f"child {pgid}", flush=True)

    stopping = threading.Event()

    def request_stop(*_):
        stopping.set()

    for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, request_stop)

    def watch_stdin():
        try:
            while os.read(sys.stdin.fileno(), 4096):
                pass
        except OSError:
            pass
        stopping.set()

    threading.Thread(target=watch_stdin, daemon=True).start()

    while not stopping.is_set():
        status = child.poll()
        if status is not None:
            stop_group(child, grace)
            return status if status >= 0 else 128 - status
        stopping.wait(0.1)

    stop_group(child, grace)
    return 0


if __name__ == "__main__":
    sys.exit(main())
