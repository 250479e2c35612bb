from __future__ import annotations

import random

import pytest
from PIL import Image

from benchmarks import imagery
from fingerprints.errors import FingerprintFormatError
from fingerprints.features import DRAFT, fingerprint_image, reference_fingerprints
from fingerprints.loading import decode
from fingerprints.matching import DEFAULT_THRESHOLD, BrandMatcher, Match

BRAND_PHOTOS = ("chelsea", "coffee", "astronaut")


@pytest.fixture(scope="module")
def brand_images(product_images, photos) -> dict[int, Image.Image]:
    """Brand id -> its one official image: five drawn products (ids 0-4) and three photographs (5-7)."""
    images = product_images[:5] + [photos[name] for name in BRAND_PHOTOS]
    return dict(enumerate(images))


@pytest.fixture(scope="module")
def matcher(brand_images) -> BrandMatcher:
    return BrandMatcher.from_references(
        (100 + brand, brand, prints)
        for brand, image in brand_images.items()
        for prints in reference_fingerprints(image)
    )


def _match(matcher: BrandMatcher, image: Image.Image) -> list[Match]:
    """Match `image` as a listing image arrives: JPEG bytes through the loader."""
    return matcher.match(fingerprint_image(decode(imagery.jpeg(image), draft=DRAFT)))


@pytest.mark.parametrize(
    "transform", ["recompress", "resize", "pad-square", "mirror", "rotate", "banner", "greyscale", "collage"]
)
def test_the_matcher_catches_transformed_copies(
    matcher, brand_images, product_images, transform: str
) -> None:
    """Every brand but at most one is caught under each trick, and never as another brand."""
    rng = random.Random(transform)
    others = product_images[5:]
    caught = 0
    for brand, image in brand_images.items():
        matches = _match(matcher, imagery.TRANSFORMS[transform](image, rng, others))
        assert [m.brand_id for m in matches] in ([], [brand]), f"brand {brand} under {transform}: {matches}"
        if matches:
            assert matches[0].reference_id == 100 + brand
            caught += 1
    assert caught >= len(brand_images) - 1


def test_look_alikes_of_the_same_layout_are_not_flagged(matcher, products) -> None:
    rng = random.Random(4)
    for brand, product in enumerate(products[:5]):
        matches = _match(matcher, imagery.draw(imagery.lookalike(product, rng)))
        assert brand not in {m.brand_id for m in matches}


def test_the_same_shape_in_another_colour_is_not_flagged(matcher, products) -> None:
    rng = random.Random(5)
    for brand, product in enumerate(products[:5]):
        matches = _match(matcher, imagery.draw(imagery.recoloured(product, rng)))
        assert brand not in {m.brand_id for m in matches}


def test_unrelated_photographs_match_nothing(matcher, photos) -> None:
    for name in ("rocket", "coins", "hubble_deep_field", "grass"):
        assert _match(matcher, photos[name]) == []


def test_a_match_carries_its_score_and_reasons(matcher, brand_images) -> None:
    exact = _match(matcher, brand_images[0])[0]
    assert exact.score == pytest.approx(1.0, abs=0.1)
    assert exact.reason.query_view == "full" and exact.reason.reference_view == "full"
    assert exact.reason.phash <= 2 and exact.reason.colour is not None
    mirrored = _match(matcher, brand_images[0].transpose(Image.Transpose.FLIP_LEFT_RIGHT))[0]
    assert mirrored.reason.reference_view == "mirror"
    assert DEFAULT_THRESHOLD <= mirrored.score <= 1.0


def test_there_is_one_match_per_brand_best_first(matcher, brand_images) -> None:
    matches = matcher.match(fingerprint_image(brand_images[1]), threshold=0.0)
    brands = [m.brand_id for m in matches]
    assert len(brands) == len(set(brands))
    assert [m.score for m in matches] == sorted((m.score for m in matches), reverse=True)
    assert all(0.0 <= m.score <= 1.0 for m in matches)
    assert matches[0].brand_id == 1


def test_a_grey_copy_is_matched_on_structure_alone(matcher, brand_images) -> None:
    match = _match(matcher, brand_images[2].convert("L"))[0]
    assert match.brand_id == 2 and match.reason.colour is None


def test_the_matcher_round_trips_through_bytes(matcher, brand_images) -> None:
    copy = BrandMatcher.from_bytes(matcher.to_bytes())
    assert len(copy) == len(matcher)
    query = fingerprint_image(imagery.TRANSFORMS["crop"](brand_images[6], random.Random(1), []))
    assert copy.match(query, threshold=0.2) == matcher.match(query, threshold=0.2)


@pytest.mark.parametrize(
    "data", [b"", b"PK\x03\x04 not really a zip", BrandMatcher.from_references([]).to_bytes()[:20]]
)
def test_corrupt_matcher_data_raises(data: bytes) -> None:
    with pytest.raises(FingerprintFormatError):
        BrandMatcher.from_bytes(data)


def test_an_empty_matcher_matches_nothing(product_images) -> None:
    assert BrandMatcher.from_references([]).match(fingerprint_image(product_images[0])) == []
