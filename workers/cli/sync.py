"""`listing-sync sync SELLER [--marketplace M ...] [--wait]`: open a run and maybe follow it to the end.

With a server running (workers heartbeating on the broker), the run goes to them. With none and `--wait`,
this process does the work: an in-process dramatiq worker on the embedded Valkey (or REDIS_URL).
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING, Annotated

import typer

from workers.cli.common import FAILED, fail, store
from workers.settings import Settings, SettingsError

if TYPE_CHECKING:
    from sqlalchemy import Engine

POLL_SECONDS = 0.25


def sync(
    seller: Annotated[str, typer.Argument(metavar="SELLER", help="The seller's id.")],
    marketplace: Annotated[
        list[str] | None,
        typer.Option("--marketplace", "-m", help="Only this marketplace (amazon, ebay, tmall); repeatable."),
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait", help="Follow the run until it ends; exit 1 if it failed.")
    ] = False,
) -> None:
    """Sync a seller's catalogue to its connected marketplaces."""
    import dramatiq

    from workers.boot_options import options_from_env
    from workers.broker import recorded_valkey, redis_url, setup_broker
    from workers.context import writing
    from workers.runs import MARKETPLACES, open_run, start_run
    from workers.store.sellers import get_seller

    for m in marketplace or ():
        if m not in MARKETPLACES:
            fail(f"--marketplace: expected one of {', '.join(MARKETPLACES)}, got {m!r}")
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        fail(str(exc))
    if not settings.redis_url and recorded_valkey(settings.data_dir / "valkey.json") is None and not wait:
        fail(
            "no server is running (no REDIS_URL, no embedded Valkey): "
            "start `listing-sync serve`, or use --wait"
        )
    url = redis_url(settings)
    broker = setup_broker(url, **options_from_env())
    with store() as engine:
        with writing(engine) as conn:
            get_seller(conn, seller)
            run_id = open_run(conn, seller, kind="manual", marketplaces=marketplace or None)
        in_process = wait and not broker.workers_alive()
        worker = None
        if in_process:
            worker = dramatiq.Worker(broker, worker_threads=8, worker_timeout=200)
            worker.start()
        try:
            start_run(run_id)
            typer.echo(f"run {run_id}" + (" (worked in this process)" if in_process else ""))
            if not wait:
                return
            status = follow(engine, run_id)
        finally:
            if worker is not None:
                worker.stop()
    if status != "done":
        raise typer.Exit(FAILED)


def follow(engine: Engine, run_id: str) -> str:
    """A progress bar (SKUs settled of SKUs planned) until the run is done or failed; returns the status."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from workers.runs import run_progress

    console = Console(stderr=True)
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=not sys.stderr.isatty()) as bar:
        task = bar.add_task("planning", total=None)
        while True:
            with engine.connect() as conn:
                progress = run_progress(conn, run_id)
            per = progress["marketplaces"]
            total = sum(p["skus"] for p in per.values())
            settled = sum(p.get("live", 0) + p.get("ended", 0) + p.get("error", 0) for p in per.values())
            bar.update(task, description=progress["status"], total=total or None, completed=settled)
            if progress["status"] in ("done", "failed"):
                break
            time.sleep(POLL_SECONDS)
    for name, p in sorted(per.items()):
        typer.echo(
            f"  {name:<7} live {p.get('live', 0):,}  ended {p.get('ended', 0):,}  error {p.get('error', 0):,}"
        )
    typer.echo(f"run {run_id} {progress['status']}" + (f": {progress['error']}" if progress["error"] else ""))
    return str(progress["status"])
