from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlalchemy import Engine

from benchmarks import imagery
from fingerprints import BrandMatcher, ImageLoader
from workers.brands import BrandChanges, BrandIndex, Checker, VerdictKind, add_brand, add_images, update_brand
from workers.brands.persisted import build_matcher, read_generation
from workers.store import open_engine
from workers.store.brand_models import BrandIndexRow


class Clock:
    """A clock the test moves by hand, for the holder's check interval."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_image_added_through_one_connection_is_matched_by_another_holder_after_refresh(
    db_url: str, drawn: list[Image.Image], copy_of_1: bytes
) -> None:
    writer, reader = open_engine(db_url), open_engine(db_url)
    try:
        clock = Clock()
        index = BrandIndex(reader, check_every=30.0, clock=clock)
        checker = Checker(index)
        assert checker.check_image(copy_of_1).verdict is VerdictKind.NO_MATCH
        with writer.begin() as conn:
            add_brand(conn, "Acme", emails=["owner@acme.example"])
        add_images(writer, "Acme", [imagery.jpeg(drawn[1])], loader=ImageLoader())
        # Until the check is due the worker keeps the index it has...
        assert checker.check_image(copy_of_1).verdict is VerdictKind.NO_MATCH
        clock.now += 30.0
        # ...then one SELECT sees the new generation and it reloads.
        verdict = checker.check_image(copy_of_1)
        assert (verdict.verdict, verdict.brand) == (VerdictKind.COUNTERFEIT_SUSPECT, "Acme")
        with writer.connect() as conn:
            assert index.generation == read_generation(conn)
        assert index.refresh() is False  # nothing changed since
    finally:
        writer.dispose()
        reader.dispose()


def test_an_authorisation_reaches_the_holder_without_touching_the_matcher(
    engine: Engine, drawn: list[Image.Image], copy_of_1: bytes
) -> None:
    with engine.begin() as conn:
        add_brand(conn, "Acme", emails=["owner@acme.example"])
    add_images(engine, "Acme", [imagery.jpeg(drawn[1])], loader=ImageLoader())
    index = BrandIndex(engine, check_every=0.0)
    checker = Checker(index)
    assert checker.check_image(copy_of_1, seller="Good Shop").verdict is VerdictKind.COUNTERFEIT_SUSPECT
    with engine.connect() as conn:
        matcher = conn.execute(sa.select(BrandIndexRow.matcher)).scalar_one()
    with engine.begin() as conn:
        update_brand(conn, "Acme", BrandChanges(add_authorized=["Good Shop"]))
    assert checker.check_image(copy_of_1, seller="Good Shop").verdict is VerdictKind.AUTHORIZED
    with engine.connect() as conn:
        assert conn.execute(sa.select(BrandIndexRow.matcher)).scalar_one() == matcher


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_stale_index_is_rebuilt_from_the_brand_images_and_stored(
    engine: Engine, brand_folder: Path, copy_of_1: bytes
) -> None:
    with engine.begin() as conn:
        add_brand(conn, "Acme", emails=["owner@acme.example"])
    add_images(engine, "Acme", [brand_folder], loader=ImageLoader())
    with engine.begin() as conn:
        conn.execute(sa.update(BrandIndexRow).values(matcher=None))
    verdict = Checker(BrandIndex(engine)).check_image(copy_of_1)
    assert (verdict.verdict, verdict.reference and Path(verdict.reference.source).name) == (
        VerdictKind.COUNTERFEIT_SUSPECT,
        "b.jpeg",
    )
    with engine.connect() as conn:
        assert conn.execute(sa.select(BrandIndexRow.matcher)).scalar_one() is not None


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_empty_registry_matches_nothing(engine: Engine, copy_of_1: bytes) -> None:
    index = BrandIndex(engine)
    assert Checker(index).check_image(copy_of_1).verdict is VerdictKind.NO_MATCH
    assert len(index.snapshot().matcher) == 0


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_extended_index_equals_one_rebuilt_from_every_image(
    engine: Engine, drawn: list[Image.Image]
) -> None:
    with engine.begin() as conn:
        add_brand(conn, "Acme", emails=["owner@acme.example"])
        add_brand(conn, "Other", emails=["owner@other.example"])
    add_images(engine, "Acme", [imagery.jpeg(drawn[0])], loader=ImageLoader())
    add_images(engine, "Other", [imagery.jpeg(drawn[1]), imagery.jpeg(drawn[2])], loader=ImageLoader())
    with engine.connect() as conn:
        stored = BrandMatcher.from_bytes(conn.execute(sa.select(BrandIndexRow.matcher)).scalar_one() or b"")
        rebuilt = build_matcher(conn)
    assert len(stored) == len(rebuilt) > 0
    assert (stored.reference_ids == rebuilt.reference_ids).all()
    assert (stored.brand_ids == rebuilt.brand_ids).all()
    assert stored.views == rebuilt.views
    for kind, codes in rebuilt.codes.items():
        assert (stored.codes[kind] == codes).all()
