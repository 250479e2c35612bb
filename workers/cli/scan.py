"""`listing-sync scan BRAND [--marketplace M ...] [--json]`: search the marketplaces for a brand's copies now.

The scan goes to the `check` queue. With a server running (workers heartbeating on the broker) they do it;
with none, this process runs a worker for the scan and the alert e-mails it queues, as `sync --wait` does.
Either way the command follows the scan to its end and prints the summary.
"""

from __future__ import annotations

import json
import sys
import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from workers.cli.common import FAILED, fail, read_settings, store

if TYPE_CHECKING:
    from sqlalchemy import Engine

POLL_SECONDS = 0.25
MAIL_WAIT_MS = 60_000


def scan(
    brand: Annotated[str, typer.Argument(metavar="BRAND", help="The brand's name (any case).")],
    marketplace: Annotated[
        list[str] | None,
        typer.Option("--marketplace", "-m", help="Only this marketplace (amazon, ebay, tmall); repeatable."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as one JSON object.")] = False,
) -> None:
    """Scan the marketplaces now for listings copying a brand's images; exit 1 if a marketplace failed."""
    import dramatiq

    from workers.boot_options import options_from_env
    from workers.brands import BrandError
    from workers.broker import CHECK, EMAIL, redis_url, setup_broker
    from workers.context import writing
    from workers.scan_accounts import ScanAccountError, check_marketplaces, scan_marketplaces, scan_seller
    from workers.scan_runs import open_scan
    from workers.scans import brand_info

    try:
        wanted = check_marketplaces(marketplace or [])
    except ScanAccountError as exc:
        fail(f"--marketplace: {str(exc).removeprefix('marketplace: ')}")
    settings = read_settings()
    with store() as engine:
        try:
            with writing(engine) as conn:
                name = brand_info(conn, brand).name
                scan_marketplaces(conn, scan_seller(), wanted)
                scan_id, _ = open_scan(conn, name, wanted)
        except (BrandError, ScanAccountError) as exc:
            fail(str(exc))
        broker = setup_broker(redis_url(settings), **options_from_env())
        from workers import actors

        worker = None
        if not broker.workers_alive():
            worker = dramatiq.Worker(broker, queues={CHECK, EMAIL}, worker_threads=4, worker_timeout=200)
            worker.start()
        try:
            actors.scan_brand.send(scan_id)
            state = follow(engine, scan_id, name, quiet=as_json)
            if worker is not None:  # the alerts this scan queued leave before the worker stops
                try:
                    broker.join(EMAIL, timeout=MAIL_WAIT_MS)
                    worker.join()
                except dramatiq.errors.QueueJoinTimeout:
                    typer.echo("some alerts are still waiting for the mail server; they are kept", err=True)
        finally:
            if worker is not None:
                worker.stop()
    report(state, as_json, in_process=worker is not None)
    if state["status"] != "done" or state["summary"].get("failed"):
        raise typer.Exit(FAILED)


def follow(engine: Engine, scan_id: int, brand: str, *, quiet: bool) -> dict[str, Any]:
    """Show the scan's progress until it is done or failed; returns its final state."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from workers.scan_runs import scan_state

    console = Console(stderr=True)
    columns = (SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=quiet or not sys.stderr.isatty()) as bar:
        task = bar.add_task(f"scanning {brand}", total=None)
        while True:
            with engine.connect() as conn:
                state = scan_state(conn, scan_id)
            totals = state["summary"].get("totals") or {}
            bar.update(
                task,
                description=(
                    f"scanning {brand}: {totals.get('listings', 0)} listings, "
                    f"{totals.get('images_fetched', 0)} images fetched, {totals.get('matches', 0)} matches"
                ),
            )
            if state["status"] in ("done", "failed"):
                return state
            time.sleep(POLL_SECONDS)


def report(state: dict[str, Any], as_json: bool, *, in_process: bool) -> None:
    summary = state["summary"]
    if as_json:
        keys = ("scan", "status", "error")
        typer.echo(json.dumps({**{k: state[k] for k in keys}, **summary, "in_process": in_process}))
        return
    for name, done in sorted((summary.get("marketplaces") or {}).items()):
        line = (
            f"  {name:<7} listings {done['listings']:,}  authorized {done['authorized']:,}  "
            f"images {done['images_fetched']:,} fetched / {done['images_cached']:,} cached  "
            f"matches {done['matches']:,}  new findings {done['new_findings']:,}  errors {done['errors']:,}"
        )
        typer.echo(line + (f"\n          failed: {done['failed']}" if done["failed"] else ""))
    totals = summary.get("totals") or {}
    typer.echo(
        f"scan {state['scan']} {state['status']}: {totals.get('new_findings', 0)} new findings, "
        f"{totals.get('alerts', 0)} alerts queued" + (" (worked in this process)" if in_process else "")
    )
    if state["error"]:
        typer.echo(f"  {state['error']}")
