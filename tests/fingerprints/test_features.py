from __future__ import annotations

import json
import random

import imagehash
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image, ImageChops, ImageOps

from benchmarks import imagery
from fingerprints.errors import FingerprintFormatError
from fingerprints.features import ImageFingerprints, fingerprint_image, reference_fingerprints
from fingerprints.normalise import (
    BORDER_TOLERANCE,
    WORK_SIDE,
    _border,
    regions,
    trim,
    trim_box,
    working_image,
)


def test_padding_on_white_is_trimmed_away(product_images) -> None:
    image = product_images[0]
    padded = ImageOps.pad(image, (max(image.size) * 2, max(image.size) * 2), color=(255, 255, 255))
    assert trim(image).size == pytest.approx(tuple(s / 2 for s in trim(padded).size), abs=2)


def test_a_photograph_has_no_border_to_trim(photos) -> None:
    assert trim(photos["chelsea"]).size == photos["chelsea"].size


def test_a_banner_along_one_side_stays_while_the_opposite_margin_goes(product_images) -> None:
    image = product_images[1].copy()
    image.paste((200, 0, 0), (0, 0, image.width, 40))
    trimmed = trim(image)
    assert trimmed.getpixel((trimmed.width // 2, 0)) == (200, 0, 0)
    product_bottom = ImageChops.difference(
        product_images[1], Image.new("RGB", image.size, "white")
    ).getbbox()[3]
    assert abs(trimmed.height - product_bottom) <= 2


def test_the_working_image_is_small_and_rgb(photos) -> None:
    work = working_image(photos["astronaut"].convert("L"))
    assert work.mode == "RGB" and max(work.size) <= WORK_SIDE


def test_reference_variants_cover_mirror_crops_and_rotations(product_images) -> None:
    views = [prints.view for prints in reference_fingerprints(product_images[0])]
    assert views[0] == "full"
    assert {"mirror", "crop-6", "crop-12", "crop-top-left-6", "rotate-8", "rotate+8"} <= set(views)
    assert len(views) == len(set(views))


def test_a_mirrored_copy_matches_the_mirror_variant_exactly(product_images) -> None:
    prints = {p.view: p for p in reference_fingerprints(product_images[2])}
    query = fingerprint_image(ImageOps.mirror(product_images[2]), with_regions=False)
    assert query.phash - prints["mirror"].phash <= 2
    assert query.phash - prints["full"].phash > 10


def test_a_collage_has_a_region_close_to_the_product(product_images) -> None:
    rng = random.Random(2)
    collage = imagery.TRANSFORMS["collage"](product_images[3], rng, product_images[5:])
    reference = reference_fingerprints(product_images[3])[0]
    query = fingerprint_image(imagery.from_jpeg(collage, 85))
    assert query.phash - reference.phash > 12
    assert min(region.phash - reference.phash for region in query.regions) <= 6


def test_an_image_without_gutters_is_one_view(photos) -> None:
    for name in ("chelsea", "coffee", "astronaut"):
        assert fingerprint_image(photos[name]).regions == ()


def test_regions_are_never_tiny(product_images) -> None:
    collage = imagery.TRANSFORMS["collage"](product_images[0], random.Random(4), product_images[1:])
    pieces = list(regions(working_image(collage)))
    assert pieces
    assert all(min(piece.size) >= 32 for _, piece in pieces)


def test_a_panel_that_trims_to_an_earlier_ones_piece_is_not_repeated(product_images) -> None:
    # Watermarked copies of this product cut into nested boxes, several of which trim to one piece.
    for seed in range(3):
        query = imagery.TRANSFORMS["watermark"](product_images[2], random.Random(seed), product_images)
        views = [(v.phash, v.dhash, v.detail, v.colour) for v in fingerprint_image(query).regions]
        assert views
        assert len(set(views)) == len(views)


def test_greyscale_images_are_flagged(photos) -> None:
    assert fingerprint_image(photos["camera"], with_regions=False).greyscale
    assert not fingerprint_image(photos["coffee"], with_regions=False).greyscale


def test_fingerprints_round_trip_through_json_and_bytes(product_images) -> None:
    prints = fingerprint_image(product_images[4])
    assert prints.regions or prints.view == "full"
    assert ImageFingerprints.from_dict(json.loads(json.dumps(prints.to_dict()))) == prints
    assert ImageFingerprints.from_bytes(prints.to_bytes()) == prints
    assert prints.detail.bits == 576 and prints.phash.bits == 64


@pytest.mark.parametrize(
    "data",
    [b"not json", b"[]", b'{"phash": "phash:00"}', b'{"phash": 5, "dhash": 1, "detail": 2, "colour": 3}'],
)
def test_bad_serialised_fingerprints_raise(data: bytes) -> None:
    with pytest.raises(FingerprintFormatError):
        ImageFingerprints.from_bytes(data)


def test_whole_image_hashes_are_imagehash_of_the_working_image(product_images, photos) -> None:
    for image in [*product_images[:4], photos["rocket"], photos["camera"]]:
        prints = fingerprint_image(image, with_regions=False)
        work = working_image(image)
        assert prints.phash.hex == str(imagehash.phash(work))
        assert prints.dhash.hex == str(imagehash.dhash(work))
        assert prints.detail.hex == str(imagehash.phash(work, hash_size=24))


@settings(max_examples=60, deadline=None)
@given(
    st.integers(8, 60),
    st.integers(8, 60),
    st.tuples(st.integers(0, 255), st.integers(0, 255), st.integers(0, 255)),
    st.tuples(st.integers(0, 12), st.integers(0, 12), st.integers(0, 12), st.integers(0, 12)),
    st.integers(0, 2**32 - 1),
)
def test_the_trim_box_is_where_pixels_stray_from_the_border_colour(
    width: int, height: int, colour: tuple[int, int, int], margins: tuple[int, ...], seed: int
) -> None:
    rng = np.random.default_rng(seed)
    pixels = np.empty((height, width, 3), np.uint8)
    pixels[:] = colour
    left, top, right, bottom = margins
    inside = pixels[top : max(top, height - bottom), left : max(left, width - right)]
    inside[:] = rng.integers(0, 256, inside.shape)
    # Faint noise over the border as well, within and beyond the tolerance.
    noise = rng.integers(-80, 81, pixels.shape) * (rng.random(pixels.shape[:2]) < 0.05)[..., None]
    pixels = np.clip(pixels.astype(int) + noise, 0, 255).astype(np.uint8)
    background, sides = _border(pixels)
    box = trim_box(pixels)
    if not any(sides):
        assert box == (0, 0, width, height)
        return
    # The definition, pixel by pixel: content is any channel more than BORDER_TOLERANCE from the border.
    content = (np.abs(pixels.astype(int) - background.astype(int)) > BORDER_TOLERANCE).any(axis=2)
    rows, cols = np.flatnonzero(content.any(axis=1)), np.flatnonzero(content.any(axis=0))
    if not rows.size:
        assert box == (0, 0, width, height)
        return
    expected = (
        int(cols[0]) if sides[2] else 0,
        int(rows[0]) if sides[0] else 0,
        int(cols[-1]) + 1 if sides[3] else width,
        int(rows[-1]) + 1 if sides[1] else height,
    )
    assert box == expected
    edge = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    assert (background == np.median(edge, axis=0).astype(np.uint8)).all()
