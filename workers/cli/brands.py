"""`listing-sync brands ...`: register brands, add their official images, list them.

The brand registry (and with it numpy and Pillow) is imported inside the commands, so that the other
commands start without it.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated

import typer

from workers.cli.common import FAILED, fail, read_settings, store

if TYPE_CHECKING:
    from workers.brands import BrandInfo, ImageReport

app = typer.Typer(help="Register brands, add their official images, list them.", no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")]


@contextmanager
def brand_errors() -> Iterator[None]:
    """A refused brand (unknown, already there, a bad value) ends the command with exit code 2."""
    from workers.brands import BrandError

    try:
        yield
    except BrandError as exc:
        fail(str(exc))


@app.command("add")
def add(
    brand: Annotated[str, typer.Argument(metavar="BRAND", help="The brand's name.")],
    emails: Annotated[
        list[str], typer.Option("--email", help="A contact e-mail for alerts (repeat for more).")
    ],
    aliases: Annotated[
        list[str] | None, typer.Option("--alias", help="Another name or mark of the brand (repeatable).")
    ] = None,
    sellers: Annotated[
        list[str] | None,
        typer.Option(
            "--authorized-seller",
            help="A seller allowed to use the brand's images: a name, 'ebay:ID' / 'amazon:ID' / 'tmall:ID' "
            "for a seller id on one marketplace, or 'id:ID' on any (repeatable).",
        ),
    ] = None,
    policy: Annotated[
        str,
        typer.Option("--policy", help="hold: keep our sellers' matching listings back; flag: alert only."),
    ] = "flag",
    price_floor: Annotated[
        Decimal | None, typer.Option("--price-floor", help="The lowest plausible price, e.g. 19.99.")
    ] = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help="The price floor's currency (ISO 4217, e.g. USD).")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Register a brand with its contacts, aliases, authorised sellers and policy."""
    from workers.brands import add_brand

    with store() as engine, brand_errors(), engine.begin() as conn:
        info = add_brand(
            conn,
            brand,
            emails=emails,
            aliases=aliases or (),
            authorized=sellers or (),
            policy=policy,
            price_floor=price_floor,
            currency=currency,
        )
    if as_json:
        typer.echo(json.dumps(info.to_json(), ensure_ascii=False))
        return
    typer.echo(f"Added brand {info.name}.")
    for line in describe(info):
        typer.echo(f"  {line}")


@app.command("images")
def images(
    brand: Annotated[str, typer.Argument(metavar="BRAND", help="The brand's name.")],
    sources: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH_OR_URL...",
            help="Image files, folders (searched recursively; images told by content) or http(s) URLs.",
        ),
    ],
    as_json: JsonOption = False,
) -> None:
    """Add official images to a brand; bad files are reported on stderr and skipped.

    Exits 0 when any image could be read (added or already there), 1 when none could, 2 for bad usage or an
    unknown brand.
    """
    from fingerprints import DRAFT, ImageLoader
    from workers.brands import add_images

    allow_private = read_settings().allow_private_images
    # Official images decode exactly as listing images do, so an identical copy scores 1.0.
    loader = ImageLoader(allow_private=allow_private, draft=DRAFT)
    with store() as engine, brand_errors(), loader:
        if not as_json and sys.stderr.isatty():
            report = _with_progress(engine, brand, sources, loader)
        else:
            report = add_images(engine, brand, sources, loader=loader)
    for rejected in report.rejected:
        typer.echo(f"listing-sync: rejected {rejected.source}: {rejected.reason}", err=True)
    if as_json:
        typer.echo(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        typer.echo(summary(brand, report))
    if not report.added and not report.unchanged:
        raise typer.Exit(FAILED)


def _with_progress(engine: object, brand: str, sources: list[str], loader: object) -> ImageReport:
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    from workers.brands import add_images

    columns = (
        TextColumn("fingerprinting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
    )
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("", total=None)

        def step(label: str, total: int) -> None:
            progress.update(task, total=total, advance=1, description=label[-60:])

        return add_images(engine, brand, sources, loader=loader, on_source=step)  # type: ignore[arg-type]


def summary(brand: str, report: ImageReport) -> str:
    line = (
        f"Images for {brand}: {len(report.added)} added, {len(report.unchanged)} unchanged, "
        f"{len(report.rejected)} rejected."
    )
    if report.ignored:
        line += f" Skipped {len(report.ignored)} file(s) that are not images."
    return line


@app.command("list")
def list_(as_json: JsonOption = False) -> None:
    """List the registered brands with their contacts, authorised sellers and image counts."""
    from workers.brands import list_brands

    with store() as engine, engine.connect() as conn:
        brands = list_brands(conn)
    if as_json:
        typer.echo(json.dumps([b.to_json() for b in brands], ensure_ascii=False))
        return
    for info in brands:
        typer.echo(info.name)
        for line in describe(info):
            typer.echo(f"  {line}")


def describe(info: BrandInfo) -> list[str]:
    lines = [f"policy: {info.policy.value}", f"contacts: {', '.join(info.emails)}"]
    if info.aliases:
        lines.append(f"aliases: {', '.join(info.aliases)}")
    if info.authorized:
        lines.append(f"authorized sellers: {', '.join(str(ref) for ref in info.authorized)}")
    if info.price_floor is not None:
        lines.append(f"price floor: {info.price_floor.normalize():f} {info.currency}")
    lines.append(f"images: {info.images}")
    return lines
