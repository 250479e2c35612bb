"""What the long-running commands share: settings, the broker's URL, and uvicorn on a pre-bound socket."""

from __future__ import annotations

import os
import signal
import socket
import sys
from typing import TYPE_CHECKING

import typer

from workers.cli.common import fail, store
from workers.settings import Settings, SettingsError

if TYPE_CHECKING:
    import uvicorn

APP_FACTORY = "workers.api.app:from_env"


def settings() -> Settings:
    """The settings, with the store migrated once here rather than in every process started after."""
    try:
        found = Settings.from_env()
    except SettingsError as exc:
        fail(str(exc))
    with store():
        pass
    return found


def bind(host: str, port: int) -> socket.socket:
    """A listening socket; port 0 picks a free one. Bound before serving so the address can be printed."""
    try:
        info = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(info[0], socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(info[4])
    except OSError as exc:
        fail(f"cannot listen on {host}:{port}: {exc.strerror or exc}")
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


HEALTHCHECK_TIMEOUT_S = 30


def serve_api(sock: socket.socket, redis_url: str, *, workers: int = 1) -> uvicorn.Server:
    """Serve the API on `sock` until SIGINT/SIGTERM; `workers` > 1 runs that many processes."""
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    # uvicorn raises the signal that stopped it again once it is done; without a handler of ours that would
    # end the process with the signal's status instead of a clean exit (and cut a caller's teardown short).
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(signum, _ignore)
    os.environ["REDIS_URL"] = redis_url  # worker processes resolve the same broker
    host, port = sock.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"listing-sync API on http://{shown}:{port} (OpenAPI at /docs)")
    sys.stdout.flush()
    config = uvicorn.Config(
        APP_FACTORY,
        factory=True,
        workers=workers,
        log_level="info",
        access_log=False,
        # uvicorn restarts a process that has not answered its health check in time (5 s by default): on a
        # busy machine a process still importing would be killed and started again, over and over.
        timeout_worker_healthcheck=HEALTHCHECK_TIMEOUT_S,
    )
    server = uvicorn.Server(config)
    if workers > 1:
        Multiprocess(config, sockets=[sock]).run()
    else:
        server.run(sockets=[sock])
    return server


def _ignore(signum: int, frame: object) -> None:
    """A stop signal arriving once the server has stopped: the process is ending anyway."""
