"""`listing-sync check PATH_OR_URL ...`: judge images against the registered brands."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from workers.cli.common import FAILED, read_settings, store


def check(
    sources: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH_OR_URL...", help="Image files, folders (searched recursively) or http(s) URLs."
        ),
    ],
    seller: Annotated[
        str | None,
        typer.Option("--seller", help="The listing's seller (name or seller id): a brand may authorise it."),
    ] = None,
    marketplace: Annotated[
        str | None,
        typer.Option("--marketplace", help="The marketplace of the seller id (amazon, ebay, tmall)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object per image.")] = False,
) -> None:
    """For each image: counterfeit-suspect, authorized or no-match, with the brand, the brand image and score.

    An image that cannot be used gets the verdict `error` and the reason; the exit code is then 1.
    """
    from fingerprints import DRAFT, ImageError, ImageLoader
    from workers.brands import BrandIndex, Checker, ImageReport, collect_sources
    from workers.brands.images import source_label

    allow_private = read_settings().allow_private_images
    found = ImageReport()
    items = collect_sources(sources, found)
    failed = bool(found.rejected)
    lines: list[dict[str, Any]] = [_error(r.source, r.reason) for r in found.rejected]
    with store() as engine, ImageLoader(allow_private=allow_private, draft=DRAFT) as loader:
        checker = Checker(BrandIndex(engine), loader)
        for item in items:
            try:
                lines.append(checker.check_image(item, seller, marketplace).to_json())
            except ImageError as exc:
                failed = True
                lines.append(_error(source_label(item), exc.reason))
    for line in lines:
        typer.echo(json.dumps(line, ensure_ascii=False) if as_json else _text(line))
    for path in found.ignored:
        typer.echo(f"listing-sync: skipped {path}: not an image", err=True)
    if failed:
        raise typer.Exit(FAILED)


def _error(image: str, reason: str) -> dict[str, Any]:
    return {
        "image": image,
        "verdict": "error",
        "brand": None,
        "reference": None,
        "score": None,
        "error": reason,
    }


def _text(line: dict[str, Any]) -> str:
    if line["verdict"] == "error":
        return f"{line['image']}\terror\t{line['error']}"
    if line["brand"] is None:
        return f"{line['image']}\t{line['verdict']}"
    reference = line["reference"] or {}
    return (
        f"{line['image']}\t{line['verdict']}\t{line['brand']}\t"
        f"image {reference.get('id')} ({reference.get('source')})\tscore {line['score']:.2f}"
    )
