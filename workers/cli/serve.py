"""`listing-sync serve`: everything in one command: broker, API, workers and scheduler.

Without REDIS_URL it starts an embedded Valkey and records its address in the data dir, so that other
commands on the same data dir (`sync`, `status`, another `api`) use it. The API runs in this process; the
`worker` and `scheduler` commands run as children, each leading a process group of its own so that a stop
reaches their whole tree (the worker's dramatiq processes too) as a SIGINT, their graceful stop, and only
once. SIGINT or SIGTERM here, or a child that dies, stops them all; the broker goes last.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
from types import FrameType

import typer

from workers.cli.api import Host, Port
from workers.cli.serving import bind, serve_api, settings

#: How long a child may take to finish its messages once asked to stop, before it is killed.
STOP_TIMEOUT = 30.0


def serve(host: Host = "127.0.0.1", port: Port = 8000) -> None:
    """Run the API, the workers and the scheduler together (and an embedded Valkey without REDIS_URL)."""
    from workers.broker import VALKEY_RECORD, start_embedded_valkey

    found = settings()
    sock = bind(host, port)
    url = found.redis_url or start_embedded_valkey(found.data_dir)
    env = {**os.environ, "REDIS_URL": url}
    command = [sys.executable, "-m", "workers.cli"]
    children = {
        name: subprocess.Popen([*command, name], env=env, stdin=subprocess.DEVNULL, process_group=0)
        for name in ("worker", "scheduler")
    }
    stopping = threading.Event()
    crashed: list[str] = []

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stopping.set()

    # Kept after uvicorn restores them, so that a second signal during the teardown does not cut it short.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)

    def watch(name: str, child: subprocess.Popen[bytes]) -> None:
        code = child.wait()
        if stopping.is_set():
            return
        if code not in (0, -signal.SIGINT, -signal.SIGTERM):  # not a stop someone asked for: a crash
            typer.echo(f"listing-sync: the {name} process exited ({code}); stopping", err=True)
            crashed.append(name)
        stopping.set()
        os.kill(os.getpid(), signal.SIGTERM)  # uvicorn's handler stops the API

    watchers = [threading.Thread(target=watch, args=item, daemon=True) for item in children.items()]
    for watcher in watchers:
        watcher.start()
    try:
        serve_api(sock, url)
    finally:
        stopping.set()
        for child in children.values():
            _signal_group(child, signal.SIGINT)
        for child in children.values():
            try:
                child.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                _signal_group(child, signal.SIGKILL)
                child.wait()
        if not found.redis_url:
            _forget(found.data_dir / VALKEY_RECORD, url)
    if crashed:
        raise typer.Exit(1)


def _signal_group(child: subprocess.Popen[bytes], signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(child.pid, signum)


def _forget(record: os.PathLike[str], url: str) -> None:
    """Remove the Valkey record if it still names the server this process ran (it stops with us)."""
    try:
        with open(record) as handle:
            if json.load(handle).get("url") == url:
                os.unlink(record)
    except (OSError, ValueError, AttributeError):
        pass
