from __future__ import annotations

import random

import imagehash
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image, ImageFilter

from benchmarks import imagery
from fingerprints.errors import FingerprintFormatError, FingerprintMismatchError
from fingerprints.hashes import Fingerprint, colour_signature, dhash, is_greyscale, phash


def _noise(seed: int, size: tuple[int, int] = (200, 150)) -> Image.Image:
    pixels = np.random.default_rng(seed).integers(0, 256, size=(size[1], size[0], 3), dtype=np.uint8)
    return Image.fromarray(pixels, "RGB").filter(ImageFilter.GaussianBlur(3))


def _test_images(product_images: list[Image.Image], photos: dict[str, Image.Image]) -> list[Image.Image]:
    return [*product_images, *photos.values(), *(_noise(seed) for seed in range(10))]


def test_phash_and_dhash_give_the_same_bits_as_imagehash(product_images, photos) -> None:
    for image in _test_images(product_images, photos):
        for size in (8, 16):
            assert phash(image, size).hex == str(imagehash.phash(image, size))
            assert dhash(image, size).hex == str(imagehash.dhash(image, size))


def test_flat_and_mirror_symmetric_images_still_give_imagehash_bits() -> None:
    # Their DCT has coefficients tied with the median, where rounding alone would decide a bit.
    half = np.random.default_rng(1).integers(0, 256, (64, 32), dtype=np.uint8)
    symmetric = Image.fromarray(np.hstack([half, half[:, ::-1]]), "L")
    for image in (Image.new("L", (40, 40), 128), Image.new("RGB", (50, 30), (0, 0, 0)), symmetric):
        for size in (8, 16, 24):
            assert phash(image, size).hex == str(imagehash.phash(image, size))


def test_a_golden_phash_stays_what_it_was() -> None:
    gradient = Image.linear_gradient("L").resize((64, 48)).rotate(30, fillcolor=90)
    assert str(phash(gradient)) == f"phash:{imagehash.phash(gradient)}"
    assert str(phash(gradient)) == "phash:913f51b54ad4ab52"


def test_a_resized_copy_stays_close(product_images, photos) -> None:
    for image in _test_images(product_images, photos)[:20]:
        small = image.resize((image.width // 3, image.height // 3), Image.Resampling.BILINEAR)
        assert phash(image) - phash(small) <= 6
        assert dhash(image) - dhash(small) <= 8


def test_a_recompressed_copy_stays_close(product_images, photos) -> None:
    for image in _test_images(product_images, photos)[:20]:
        copy = imagery.from_jpeg(image, 30)
        assert phash(image) - phash(copy) <= 6
        assert colour_signature(image) - colour_signature(copy) <= 6


def test_an_unrelated_image_stays_far(photos) -> None:
    images = list(photos.values())
    distances = [phash(a) - phash(b) for i, a in enumerate(images) for b in images[i + 1 :]]
    assert min(distances) >= 14
    assert np.mean(distances) > 26


def test_the_same_shape_in_another_colour_has_a_distant_colour_signature(products) -> None:
    rng = random.Random(5)
    for product in products:
        original = imagery.draw(product)
        other = imagery.draw(imagery.recoloured(product, rng))
        assert colour_signature(original) - colour_signature(other) >= 10
        assert colour_signature(original) - colour_signature(imagery.from_jpeg(original, 40)) <= 4


def test_greyscale_is_told_from_colour(product_images) -> None:
    assert not is_greyscale(product_images[0])
    assert is_greyscale(product_images[0].convert("L"))


@given(bits=st.sampled_from([4, 64, 128, 256]), data=st.data())
def test_hex_round_trips_exactly(bits: int, data: st.DataObject) -> None:
    value = data.draw(st.integers(min_value=0, max_value=(1 << bits) - 1))
    fingerprint = Fingerprint("phash", value, bits)
    assert Fingerprint.from_hex(str(fingerprint)) == fingerprint
    assert Fingerprint.from_hex(fingerprint.hex, kind="phash") == fingerprint
    assert len(fingerprint.hex) == bits // 4
    assert Fingerprint.from_bits("phash", fingerprint.to_bits()) == fingerprint


@given(a=st.integers(0, (1 << 64) - 1), b=st.integers(0, (1 << 64) - 1))
def test_subtraction_is_the_hamming_distance(a: int, b: int) -> None:
    x, y = Fingerprint("dhash", a, 64), Fingerprint("dhash", b, 64)
    assert x - y == y - x == bin(a ^ b).count("1")
    assert x - x == 0


def test_the_bits_match_imagehash_order(product_images) -> None:
    ours, theirs = phash(product_images[0]), imagehash.phash(product_images[0])
    assert np.array_equal(ours.to_bits(), theirs.hash.ravel())


def test_comparing_different_kinds_or_sizes_raises() -> None:
    with pytest.raises(FingerprintMismatchError):
        _ = Fingerprint("phash", 1, 64) - Fingerprint("dhash", 1, 64)
    with pytest.raises(FingerprintMismatchError):
        _ = Fingerprint("phash", 1, 64) - Fingerprint("phash", 1, 256)
    assert Fingerprint("phash", 1, 64) != Fingerprint("dhash", 1, 64)
    assert len({Fingerprint("phash", 1, 64), Fingerprint("dhash", 1, 64), Fingerprint("phash", 1, 64)}) == 2


@pytest.mark.parametrize(
    ("kind", "value", "bits"),
    [
        ("phash", 0, 0),
        ("phash", 0, 6),
        ("phash", 1 << 64, 64),
        ("phash", -1, 64),
        ("", 0, 64),
        ("a:b", 0, 64),
    ],
)
def test_bad_sizes_and_kinds_raise(kind: str, value: int, bits: int) -> None:
    with pytest.raises(FingerprintFormatError):
        Fingerprint(kind, value, bits)


@pytest.mark.parametrize("text", ["phash:xyz", "0f0f", "phash:"])
def test_bad_hex_raises(text: str) -> None:
    with pytest.raises(FingerprintFormatError):
        Fingerprint.from_hex(text)


def test_a_hex_of_another_kind_is_refused() -> None:
    with pytest.raises(FingerprintMismatchError):
        Fingerprint.from_hex("dhash:00ff", kind="phash")


def test_fingerprints_are_immutable() -> None:
    fingerprint = Fingerprint("phash", 5, 64)
    with pytest.raises(AttributeError):
        fingerprint.value = 6  # type: ignore[misc]


def test_hash_sizes_below_two_raise(product_images) -> None:
    with pytest.raises(ValueError):
        phash(product_images[0], 1)
    with pytest.raises(ValueError):
        dhash(product_images[0], 1)
