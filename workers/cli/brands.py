"""`listing-sync brands ...`: register, change, show and remove brands; add and remove their official images.

The brand registry is imported inside the commands, so that the other commands start without it; only adding
images brings numpy, Pillow and the matcher with it.
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
    from workers.brands import BrandHoldings, BrandInfo, ImageReport, OfficialImage

app = typer.Typer(
    help="Register brands, change or remove them, add and remove their official images.", no_args_is_help=True
)

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
    echo_brand(info, f"Added brand {info.name}.", as_json)


@app.command("update")
def update(
    brand: Annotated[str, typer.Argument(metavar="BRAND", help="The brand's name.")],
    add_emails: Annotated[
        list[str] | None, typer.Option("--add-email", help="A contact e-mail to add (repeatable).")
    ] = None,
    remove_emails: Annotated[
        list[str] | None, typer.Option("--remove-email", help="A contact e-mail to remove (repeatable).")
    ] = None,
    add_aliases: Annotated[
        list[str] | None, typer.Option("--add-alias", help="An alias to add (repeatable).")
    ] = None,
    remove_aliases: Annotated[
        list[str] | None, typer.Option("--remove-alias", help="An alias to remove (repeatable).")
    ] = None,
    add_sellers: Annotated[
        list[str] | None,
        typer.Option(
            "--add-authorized-seller",
            help="A seller to authorise, written as for `brands add --authorized-seller` (repeatable).",
        ),
    ] = None,
    remove_sellers: Annotated[
        list[str] | None,
        typer.Option("--remove-authorized-seller", help="A seller no longer authorised (repeatable)."),
    ] = None,
    policy: Annotated[
        str | None,
        typer.Option("--policy", help="hold: keep our sellers' matching listings back; flag: alert only."),
    ] = None,
    price_floor: Annotated[
        Decimal | None, typer.Option("--price-floor", help="A new price floor, with --currency.")
    ] = None,
    currency: Annotated[
        str | None, typer.Option("--currency", help="The price floor's currency (ISO 4217, e.g. USD).")
    ] = None,
    no_price_floor: Annotated[
        bool, typer.Option("--no-price-floor", help="Drop the brand's price floor.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Change a brand: add or remove contacts, aliases and authorised sellers, set its policy or price floor.

    Removing a value the brand does not have is refused, naming it, and nothing changes. Listings held
    for a seller authorised here go out with that seller's next sync run.
    """
    lists = (add_emails, remove_emails, add_aliases, remove_aliases, add_sellers, remove_sellers)
    if not any(lists) and policy is None and price_floor is None and currency is None and not no_price_floor:
        fail("brands update: nothing to change; give at least one option (see --help)")
    if no_price_floor and (price_floor is not None or currency is not None):
        fail("brands update: --no-price-floor cannot go with --price-floor or --currency")
    from workers.brands import BrandChanges, update_brand

    changes = BrandChanges(
        add_emails=add_emails or (),
        remove_emails=remove_emails or (),
        add_aliases=add_aliases or (),
        remove_aliases=remove_aliases or (),
        add_authorized=add_sellers or (),
        remove_authorized=remove_sellers or (),
        policy=policy,
        price_floor=price_floor,
        currency=currency,
        clear_price_floor=no_price_floor,
    )
    with store() as engine, brand_errors(), engine.begin() as conn:
        info = update_brand(conn, brand, changes)
    echo_brand(info, f"Updated brand {info.name}.", as_json)


@app.command("show")
def show(
    brand: Annotated[str, typer.Argument(metavar="BRAND", help="The brand's name.")],
    as_json: JsonOption = False,
) -> None:
    """Show one brand with its official images: id, size, when added and where from."""
    from workers.brands import get_brand, list_images

    with store() as engine, brand_errors(), engine.connect() as conn:
        info = get_brand(conn, brand)
        official = list_images(conn, info.name)
    if as_json:
        data = {**info.to_json(), "official_images": [image.to_json() for image in official]}
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    typer.echo(info.name)
    for line in describe(info):
        typer.echo(f"  {line}")
    for image in official:
        typer.echo(f"    {image_line(image)}")


def image_line(image: OfficialImage) -> str:
    added = image.added_at.strftime("%Y-%m-%d %H:%M UTC")
    return f"{image.id}\t{image.width}x{image.height}\t{added}\t{image.source}"


@app.command("remove-images")
def remove_images_(
    brand: Annotated[str, typer.Argument(metavar="BRAND", help="The brand's name.")],
    image_ids: Annotated[
        list[int], typer.Argument(metavar="IMAGE_ID...", help="Official images' ids, as `brands show` lists.")
    ],
    as_json: JsonOption = False,
) -> None:
    """Remove official images from a brand; listings they alone matched no longer count as copies.

    An id that is not one of the brand's images is refused, naming it, and nothing is removed.
    """
    from workers.brands import get_brand, remove_images

    with store() as engine, brand_errors(), engine.begin() as conn:
        removed = remove_images(conn, brand, image_ids)  # takes the write lock before it reads
        name = get_brand(conn, brand).name
    if as_json:
        typer.echo(json.dumps({"brand": name, "removed": [i.to_json() for i in removed]}, ensure_ascii=False))
        return
    typer.echo(f"Removed {len(removed)} official image(s) from {name}.")
    for image in removed:
        typer.echo(f"  {image_line(image)}")


@app.command("remove")
def remove(
    brand: Annotated[str, typer.Argument(metavar="BRAND", help="The brand's name.")],
    yes: Annotated[
        bool, typer.Option("--yes", help="Do it: without this, only say what would be deleted.")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Remove a brand with its official images, findings (and their alerts) and scans.

    Without --yes it deletes nothing: it says what would go and exits 2. Listings held for the brand go out
    with their seller's next sync run.
    """
    from workers.brands import brand_holdings, remove_brand

    with store() as engine, brand_errors():
        if not yes:
            with engine.connect() as conn:
                held = brand_holdings(conn, brand)
            fail(f"removing brand {held.name} deletes {_holdings(held)}; run again with --yes to remove it")
        with engine.begin() as conn:
            held = remove_brand(conn, brand)
    if as_json:
        data = {"brand": held.name, "images": held.images, "findings": held.findings, "scans": held.scans}
        typer.echo(json.dumps(data, ensure_ascii=False))
        return
    typer.echo(f"Removed brand {held.name} with {_holdings(held)}.")


def _holdings(held: BrandHoldings) -> str:
    images, findings, scans = held.images, held.findings, held.scans
    return f"{images} official image(s), {findings} finding(s) with their alerts and {scans} scan(s)"


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
    if report.added:
        line += (
            "\nOur sellers' new and changed listings are checked against them before their next push, and "
            "the listings already live in their next nightly run."
        )
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


def echo_brand(info: BrandInfo, headline: str, as_json: bool) -> None:
    """A brand as `add` and `update` print it: one JSON object, or the headline and a line per field."""
    if as_json:
        typer.echo(json.dumps(info.to_json(), ensure_ascii=False))
        return
    typer.echo(headline)
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
