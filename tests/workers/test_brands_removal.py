from __future__ import annotations

import pytest
import sqlalchemy as sa
from alert_support import CopiedListing, record
from PIL import Image
from sqlalchemy import Engine

from benchmarks import imagery
from fingerprints import BrandMatcher, ImageLoader
from workers.brands import (
    BrandHoldings,
    BrandIndex,
    Checker,
    InvalidBrandError,
    UnknownBrandError,
    VerdictKind,
    add_brand,
    add_images,
    brand_holdings,
    get_brand,
    list_brands,
    list_images,
    remove_brand,
    remove_images,
)
from workers.brands.persisted import build_matcher, read_generation
from workers.store.brand_models import Alert, BrandImage, BrandIndexRow, Finding


def stored_matcher(engine: Engine) -> BrandMatcher:
    with engine.connect() as conn:
        return BrandMatcher.from_bytes(conn.execute(sa.select(BrandIndexRow.matcher)).scalar_one())


def assert_same_matcher(first: BrandMatcher, second: BrandMatcher) -> None:
    assert first.reference_ids.tolist() == second.reference_ids.tolist()
    assert first.brand_ids.tolist() == second.brand_ids.tolist()
    assert first.views == second.views
    assert first.greyscale.tolist() == second.greyscale.tolist()
    for kind, codes in first.codes.items():
        assert codes.tolist() == second.codes[kind].tolist(), kind


@pytest.fixture
def two_brands(engine: Engine, drawn: list[Image.Image]) -> dict[str, list[int]]:
    """Acme owning official images 0 and 1, Other owning image 2: the ids of each brand's images."""
    with engine.begin() as conn:
        add_brand(conn, "Acme", emails=["owner@acme.example"])
        add_brand(conn, "Other", emails=["owner@other.example"])
    acme = add_images(engine, "Acme", [imagery.jpeg(drawn[i]) for i in (0, 1)], loader=ImageLoader())
    other = add_images(engine, "Other", [imagery.jpeg(drawn[2])], loader=ImageLoader())
    return {"Acme": [s.id for s in acme.added], "Other": [s.id for s in other.added]}


def test_a_removed_image_no_longer_matches_in_a_workers_index(
    engine: Engine, two_brands: dict[str, list[int]], copy_of_1: bytes
) -> None:
    checker = Checker(BrandIndex(engine, check_every=0.0))
    verdict = checker.check_image(copy_of_1)
    assert verdict.verdict is VerdictKind.COUNTERFEIT_SUSPECT
    assert verdict.reference is not None and verdict.reference.id == two_brands["Acme"][1]
    with engine.connect() as conn:
        before = read_generation(conn)
    with engine.begin() as conn:
        removed = remove_images(conn, "acme", [two_brands["Acme"][1]])
    assert [image.id for image in removed] == [two_brands["Acme"][1]]
    assert checker.check_image(copy_of_1).verdict is VerdictKind.NO_MATCH
    with engine.connect() as conn:
        assert read_generation(conn) > before
        assert [image.id for image in list_images(conn, "Acme")] == [two_brands["Acme"][0]]
        assert get_brand(conn, "Acme").images == 1
        rebuilt = build_matcher(conn)
    stored = stored_matcher(engine)
    assert two_brands["Acme"][1] not in stored.reference_ids.tolist()
    assert_same_matcher(stored, rebuilt)  # cutting the stored matcher gives what a rebuild would


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_id_that_is_not_one_of_the_brands_images_is_refused_and_nothing_is_removed(
    engine: Engine, two_brands: dict[str, list[int]]
) -> None:
    matcher = stored_matcher(engine)
    with engine.connect() as conn:
        generation = read_generation(conn)
    for wrong in (9999, two_brands["Other"][0]):
        with pytest.raises(InvalidBrandError) as caught, engine.begin() as conn:
            remove_images(conn, "Acme", [two_brands["Acme"][0], wrong])
        assert (caught.value.field, caught.value.brand) == ("image", "Acme")
        assert f"no official image {wrong} " in str(caught.value)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(BrandImage)).scalar_one() == 3
        assert read_generation(conn) == generation  # the refused transactions were rolled back
    assert_same_matcher(stored_matcher(engine), matcher)


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_stale_matcher_stays_stale_when_an_image_goes_and_is_rebuilt_without_it(
    engine: Engine, two_brands: dict[str, list[int]], copy_of_1: bytes
) -> None:
    with engine.begin() as conn:
        conn.execute(sa.update(BrandIndexRow).values(matcher=None))
        remove_images(conn, "Acme", [two_brands["Acme"][1]])
        assert conn.execute(sa.select(BrandIndexRow.matcher)).scalar_one() is None
    assert Checker(BrandIndex(engine)).check_image(copy_of_1).verdict is VerdictKind.NO_MATCH


def test_removing_a_brand_deletes_its_images_findings_and_alerts_and_spares_the_others(
    engine: Engine, acme_copy: CopiedListing, drawn: list[Image.Image], copy_of_1: bytes
) -> None:
    recorded, queued = record(engine, acme_copy)
    assert recorded.created and len(queued) == 2
    with engine.begin() as conn:
        add_brand(conn, "Other", emails=["owner@other.example"])
    add_images(engine, "Other", [imagery.jpeg(drawn[2])], loader=ImageLoader())
    with engine.connect() as conn:
        assert brand_holdings(conn, "ACME") == BrandHoldings("Acme", images=2, findings=1, scans=0)
    checker = Checker(BrandIndex(engine, check_every=0.0))
    assert checker.check_image(copy_of_1).verdict is VerdictKind.COUNTERFEIT_SUSPECT

    with engine.begin() as conn:
        assert remove_brand(conn, "acme") == BrandHoldings("Acme", images=2, findings=1, scans=0)

    assert checker.check_image(copy_of_1).verdict is VerdictKind.NO_MATCH
    with engine.connect() as conn:
        assert [b.name for b in list_brands(conn)] == ["Other"]
        for table in (Finding, Alert):
            assert conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one() == 0
        assert [b for (b,) in conn.execute(sa.select(BrandImage.brand_id).distinct())] == [
            get_brand(conn, "Other").id
        ]
        with pytest.raises(UnknownBrandError):
            brand_holdings(conn, "Acme")
        rebuilt = build_matcher(conn)
    assert_same_matcher(stored_matcher(engine), rebuilt)
