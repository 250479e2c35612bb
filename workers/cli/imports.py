"""`listing-sync import FILE --seller SELLER`: load a catalogue file into the store."""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, BinaryIO

import typer

from workers.cli.common import fail, store

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from catalog.importer import ImportRow
    from workers.store.imports import ImportResult

SHOWN_ERRORS = 20


def import_file(
    file: Annotated[
        Path, typer.Argument(metavar="FILE", help="A .csv, .json (an array) or .jsonl (JSON Lines) file.")
    ],
    seller: Annotated[str, typer.Option("--seller", help="The seller whose catalogue this is.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")] = False,
) -> None:
    """Import a catalogue file: good rows are stored, bad rows are reported with row, SKU and field.

    Exits 0 when the file was read, even if some rows were rejected; 2 for bad usage or an unreadable file.
    """
    from workers.store.imports import import_products
    from workers.store.sellers import get_seller

    with store() as engine:
        with engine.connect() as conn:
            get_seller(conn, seller)
        # Imported once the seller is known, so that a wrong seller is told without building the catalogue's
        # models.
        from catalog.errors import ImportFileError
        from catalog.importer import read_products

        try:
            handle = file.open("rb")
        except OSError as exc:
            fail(f"cannot read {file}: {exc.strerror or exc}")
        try:
            # The reader takes the format from the handle's name; the handle tells the progress bar how far.
            with handle, read_products(handle) as rows, _bulk_gc():
                if not as_json and sys.stderr.isatty():
                    result = _with_progress(engine, seller, rows, handle, file)
                else:
                    result = import_products(engine, seller, rows)
                warnings = list(rows.warnings)
        except ImportFileError as exc:
            fail(f"cannot import {file}: {exc}")
    for warning in warnings:
        typer.echo(f"listing-sync: {file.name}: {warning}", err=True)
    if as_json:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False))
        return
    for line in summary(file, seller, result):
        typer.echo(line)


@contextmanager
def _bulk_gc() -> Iterator[None]:
    """Keep the cyclic GC off the modules loaded so far and let it run less often while rows stream by.

    An import allocates millions of short-lived objects; with the default thresholds the collector keeps
    re-scanning every long-lived object and spends about a fifth of the import's CPU time.
    """
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(thresholds[0], 5000), *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _with_progress(
    engine: Engine, seller: str, rows: Iterable[ImportRow], handle: BinaryIO, file: Path
) -> ImportResult:
    from rich.console import Console
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from workers.store.imports import import_products

    size = max(file.stat().st_size, 1)
    columns = (
        TextColumn("importing {task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task(file.name, total=size)
        return import_products(
            engine, seller, rows, on_batch=lambda _: progress.update(task, completed=min(handle.tell(), size))
        )


def summary(file: Path, seller: str, result: ImportResult) -> list[str]:
    lines = [
        f"Imported {file.name} for {seller}: {result.accepted:,} accepted, "
        f"{result.unchanged:,} unchanged, {result.rejected:,} rejected."
    ]
    for error in result.errors[:SHOWN_ERRORS]:
        sku = f" (SKU {error.sku})" if error.sku else ""
        lines.append(f"  row {error.row}{sku}, {error.field}: {error.message}")
    if len(result.errors) > SHOWN_ERRORS:
        lines.append(f"  ... and {len(result.errors) - SHOWN_ERRORS:,} more; --json lists them all.")
    return lines
