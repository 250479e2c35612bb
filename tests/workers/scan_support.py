"""A brand and seeded sandbox marketplaces for the scan tests: copies of the brand's images under the tricks
counterfeiters use, a genuine reseller the brand authorised, and unrelated listings naming the brand."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from cryptography.fernet import Fernet
from PIL import Image
from sqlalchemy import Engine

from benchmarks import imagery
from connectors.sandbox.run import RunningSandboxes
from fingerprints import DRAFT, ImageLoader
from workers.brands import add_brand, add_images
from workers.sandboxes import connect_scanner

SECRET_KEY = Fernet.generate_key().decode()
BRAND = "Acme"
#: Per marketplace: (seller, title, which official image, transform) for each planted copy.
COPIES = {
    "ebay": [
        ("cheap-deals", "ACME travel mug, mirrored", 1, "mirror"),
        ("mugs4less", "Acme mug", 0, "pad-square"),
    ],
    "amazon": [("A2COPYCAT", "Acme Tools drill", 0, "banner"), ("A3KNOCKOFF", "Acme drill set", 1, "mirror")],
    "tmall": [("仿冒店", "艾克美 保温杯", 1, "pad-square"), ("copyshop", "Acme kettle", 0, "recompress")],
}
GENUINE = {"ebay": "Good Shop", "amazon": "A1GENUINE", "tmall": "Good Shop"}


@dataclass
class Planted:
    """What was seeded where: the copies' sellers per marketplace."""

    copies: dict[str, list[str]] = field(default_factory=dict)

    def expected(self) -> set[tuple[str, str]]:
        return {(m, s) for m, sellers in self.copies.items() for s in sellers}


def transformed(image: Image.Image, name: str, seed: int) -> bytes:
    changed = imagery.TRANSFORMS[name](image, random.Random(seed), [])
    return imagery.jpeg(changed, quality=80)


def register_brand(engine: Engine, drawn: list[Image.Image]) -> None:
    """Acme: official images 0 and 1, two contacts, an alias and a CJK alias, authorised 'Good Shop' by name
    and A1GENUINE on Amazon by seller id."""
    with engine.begin() as conn:
        add_brand(
            conn,
            BRAND,
            emails=["owner@acme.example", "legal@acme.example"],
            aliases=["Acme Tools", "艾克美"],
            authorized=["Good Shop", "amazon:A1GENUINE"],
        )
    add_images(engine, BRAND, [imagery.jpeg(drawn[i]) for i in range(2)], loader=ImageLoader(draft=DRAFT))


def seed(running: RunningSandboxes, drawn: list[Image.Image], marketplaces: tuple[str, ...] = ()) -> Planted:
    """Plant on each sandbox two copies, a genuine reseller's listing (the official image itself) and an
    unrelated listing whose title names the brand."""
    planted = Planted()
    for n, (marketplace, copies) in enumerate(COPIES.items()):
        if marketplaces and marketplace not in marketplaces:
            continue
        sandbox = running.sandbox(marketplace)
        currency = "CNY" if marketplace == "tmall" else "USD"
        for k, (seller, title, official, trick) in enumerate(copies):
            image = transformed(drawn[official], trick, 10 * n + k)
            sandbox.seed(title=title, seller=seller, price="9.99", currency=currency, images=[image])  # type: ignore[attr-defined]
        genuine = imagery.jpeg(drawn[0])
        sandbox.seed(
            title="Acme mug original",
            seller=GENUINE[marketplace],
            price="45",
            currency=currency,
            images=[genuine],
        )  # type: ignore[attr-defined]
        other = imagery.jpeg(drawn[5])
        sandbox.seed(
            title="Acme compatible garden hose", seller="hoses", price="12", currency=currency, images=[other]
        )  # type: ignore[attr-defined]
        planted.copies[marketplace] = [seller for seller, *_ in copies]
    return planted


def connect(engine: Engine, running: RunningSandboxes) -> None:
    connect_scanner(engine, running, SECRET_KEY, limits=False)
