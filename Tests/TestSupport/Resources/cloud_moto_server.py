#!/usr/bin/env python3
"""Runs `moto_server -H 127.0.0.1 -p PORT` with INITIAL_NO_AUTH_ACTION_COUNT=3
on a free loopback port, prints "PORT <n>" once it answers, and stops it when
this script's stdin closes (the test process ended) or on SIGTERM.

Usage: cloud_moto_server.py LOGFILE
"""
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    executable = shutil.which("moto_server")
    if executable is None:
        print("ERROR moto_server is not on PATH: pip install 'moto[server]'", flush=True)
        return 1
    port = free_port()
    environment = dict(os.environ, INITIAL_NO_AUTH_ACTION_COUNT="3")
    with open(sys.argv[1], "ab") as log:
        child = subprocess.Popen([executable, "-H", "127.0.0.1", "-p", str(port)], env=environment,
                                 stdin=subprocess.DEVNULL, stdout=log, stderr=log)

    def stop(*_):
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
        os._exit(0)

    signal.signal(signal.SIGTERM, stop)
    deadline = time.time() + 60
    while True:
        if child.poll() is not None:
            print("ERROR moto_server exited with %d; see %s" % (child.returncode, sys.argv[1]), flush=True)
            return 1
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                break
        except OSError:
            if time.time() > deadline:
                print("ERROR moto_server did not listen on %d within 60 s" % port, flush=True)
                stop()
            time.sleep(0.1)
    print("PORT %d" % port, flush=True)
    threading.Thread(target=lambda: (sys.stdin.read(), stop()), daemon=True).start()
    child.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
