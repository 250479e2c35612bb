from __future__ import annotations

import pytest
from PIL import Image
from sqlalchemy import Engine

from benchmarks import imagery
from fingerprints import DEFAULT_THRESHOLD, DRAFT, ImageLoader, UnsupportedImageError
from workers.brands import BrandIndex, Checker, VerdictKind, add_brand, add_images

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the store is covered elsewhere


@pytest.fixture
def checker(engine: Engine, drawn: list[Image.Image]) -> Checker:
    """Acme owns images 0 and 1 and authorises 'Good Shop' and eBay seller gs-1; Other owns no image yet."""
    with engine.begin() as conn:
        add_brand(conn, "Acme", emails=["owner@acme.example"], authorized=["Good Shop", "ebay:gs-1"])
        add_brand(conn, "Other", emails=["owner@other.example"])
    loader = ImageLoader(draft=DRAFT)
    add_images(engine, "Acme", [imagery.jpeg(image) for image in drawn[:2]], loader=loader)
    return Checker(BrandIndex(engine))


def test_an_identical_copy_of_an_official_image_scores_one(
    checker: Checker, drawn: list[Image.Image]
) -> None:
    verdict = checker.check_image(imagery.jpeg(drawn[0]), seller="Cheap Deals")
    assert verdict.verdict is VerdictKind.COUNTERFEIT_SUSPECT
    assert verdict.score == pytest.approx(1.0)


def test_a_transformed_copy_by_an_unknown_seller_is_a_counterfeit_suspect(
    checker: Checker, copy_of_1: bytes
) -> None:
    verdict = checker.check_image(copy_of_1, seller="Cheap Deals")
    assert (verdict.verdict, verdict.brand) == (VerdictKind.COUNTERFEIT_SUSPECT, "Acme")
    assert verdict.reference is not None and verdict.reference.source == "<bytes #2>"
    assert verdict.score is not None and DEFAULT_THRESHOLD <= verdict.score <= 1.0
    assert verdict.evidence()["reference_view"] == "mirror"  # the mirrored variant of the reference matched
    line = verdict.to_json()
    assert line == {
        "image": "<bytes>",
        "verdict": "counterfeit-suspect",
        "brand": "Acme",
        "reference": {"id": verdict.reference.id, "source": "<bytes #2>"},
        "score": verdict.score,
    }


def test_without_a_seller_nobody_is_authorised(checker: Checker, copy_of_1: bytes) -> None:
    assert checker.check_image(copy_of_1).verdict is VerdictKind.COUNTERFEIT_SUSPECT


@pytest.mark.parametrize(("seller", "marketplace"), [("good shop", None), ("gs-1", "ebay"), ("gs-1", None)])
def test_the_same_copy_by_an_authorised_seller_is_authorized(
    checker: Checker, copy_of_1: bytes, seller: str, marketplace: str | None
) -> None:
    verdict = checker.check_image(copy_of_1, seller=seller, marketplace=marketplace)
    assert (verdict.verdict, verdict.brand) == (VerdictKind.AUTHORIZED, "Acme")


def test_a_seller_id_authorised_on_another_marketplace_is_not(checker: Checker, copy_of_1: bytes) -> None:
    verdict = checker.check_image(copy_of_1, seller="gs-1", marketplace="amazon")
    assert verdict.verdict is VerdictKind.COUNTERFEIT_SUSPECT


def test_an_unrelated_image_is_no_match(checker: Checker, drawn: list[Image.Image]) -> None:
    for image in drawn[4:]:
        verdict = checker.check_image(imagery.jpeg(image))
        assert (verdict.verdict, verdict.brand, verdict.reference, verdict.score) == (
            VerdictKind.NO_MATCH,
            None,
            None,
            None,
        )


def test_a_brand_that_did_not_authorise_the_seller_decides(
    engine: Engine, checker: Checker, drawn: list[Image.Image], copy_of_1: bytes
) -> None:
    add_images(engine, "Other", [imagery.jpeg(drawn[1])], loader=ImageLoader())
    checker.index.refresh()
    verdict = checker.check_image(copy_of_1, seller="Good Shop")
    assert (verdict.verdict, verdict.brand) == (VerdictKind.COUNTERFEIT_SUSPECT, "Other")
    brands = checker.index.snapshot().brands
    assert {brands[m.brand_id].name for m in verdict.matches} == {"Acme", "Other"}


def test_a_bad_image_raises_a_clear_error(checker: Checker) -> None:
    with pytest.raises(UnsupportedImageError, match="not an image"):
        checker.check_image(b"GIF89a but not really")
