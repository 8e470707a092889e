#!/usr/bin/env python3
"""Runs one command and makes sure it dies with the test process.

Usage: supervise.py COMMAND [ARGS...]

The test process starts long-lived peers (registries, token servers) through
this script. When the test process exits, even by a crash, this script is
re-parented; it notices and terminates the command. SIGTERM to this script
terminates the command too. The exit status is the command's.
"""
import os
import signal
import subprocess
import sys
import time


def main():
    if len(sys.argv) < 2:
        sys.stderr.write("usage: supervise.py COMMAND [ARGS...]\n")
        return 2
    # Threads of the test runner block most signals, and a spawned process
    # inherits that mask; without this, SIGTERM would never reach the peer.
    signal.pthread_sigmask(signal.SIG_SETMASK, [])
    parent = os.getppid()
    child = subprocess.Popen(sys.argv[1:])
    stopping = []

    def on_term(signum, frame):
        stopping.append(signum)

    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)
    while True:
        code = child.poll()
        if code is not None:
            return code
        if stopping or os.getppid() != parent:
            break
        time.sleep(0.2)
    child.terminate()
    try:
        return child.wait(timeout=5)
    except subprocess.TimeoutExpired:
        child.kill()
        return child.wait()


if __name__ == "__main__":
    sys.exit(main())
