from __future__ import annotations

import io
import re
import socket
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from benchmarks import imagery
from fingerprints.errors import (
    FetchError,
    FingerprintError,
    ForbiddenSourceError,
    ImageError,
    ImageTooLargeError,
    UnsupportedImageError,
)
from fingerprints.loading import ImageLoader, decode, load_image, upright_size


def _encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def test_every_error_is_a_fingerprint_error() -> None:
    for error in (FetchError, ForbiddenSourceError, ImageTooLargeError, UnsupportedImageError):
        assert issubclass(error, ImageError)
    assert issubclass(ImageError, FingerprintError)


def test_bytes_and_paths_load_as_rgb(tmp_path: Path, product_images) -> None:
    data = imagery.jpeg(product_images[0])
    path = tmp_path / "listing.bin"
    path.write_bytes(data)
    from_bytes, from_path, from_str = load_image(data), load_image(path), load_image(str(path))
    assert from_bytes.mode == from_path.mode == "RGB"
    assert from_bytes.size == from_path.size == from_str.size == product_images[0].size


def test_the_format_is_sniffed_not_taken_from_the_name(tmp_path: Path, product_images) -> None:
    path = tmp_path / "photo.jpg"
    path.write_bytes(_encode(product_images[0], "PNG"))
    assert load_image(path).size == product_images[0].size


def test_alpha_is_flattened_on_white() -> None:
    image = Image.new("RGBA", (20, 10), (255, 0, 0, 0))
    image.paste((0, 0, 255, 255), (0, 0, 10, 10))
    loaded = load_image(_encode(image, "PNG"))
    assert loaded.getpixel((15, 5)) == (255, 255, 255)
    assert loaded.getpixel((5, 5)) == (0, 0, 255)


@pytest.mark.parametrize("mode", ["LA", "PA"])
def test_grey_and_palette_alpha_are_flattened_on_white(mode: str) -> None:
    image = Image.new("RGBA", (8, 8), (0, 0, 0, 0))
    image.paste((0, 0, 0, 255), (0, 0, 4, 8))
    converted = image.convert("LA") if mode == "LA" else image.convert("P")
    if mode == "PA":
        converted.info["transparency"] = converted.getpixel((7, 7))
    loaded = load_image(_encode(converted, "PNG"))
    assert loaded.getpixel((6, 4)) == (255, 255, 255)
    assert loaded.getpixel((1, 4)) == (0, 0, 0)


def test_a_cmyk_jpeg_loads_as_rgb(product_images) -> None:
    loaded = load_image(_encode(product_images[0].convert("CMYK"), "JPEG"))
    assert loaded.mode == "RGB"
    assert np.abs(np.asarray(loaded, dtype=int) - np.asarray(product_images[0], dtype=int)).mean() < 12


def test_a_16_bit_png_is_scaled_not_clipped() -> None:
    ramp = np.tile(np.linspace(0, 65535, 64, dtype=np.uint16), (8, 1))
    loaded = load_image(_encode(Image.fromarray(ramp), "PNG"))
    row = np.asarray(loaded)[0, :, 0]
    assert row[0] == 0 and row[-1] == 255
    assert np.all(np.diff(row.astype(int)) >= 0)


def test_an_animated_gif_gives_its_first_frame() -> None:
    frames = [Image.new("RGB", (10, 10), colour) for colour in ((255, 0, 0), (0, 255, 0))]
    data = _encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    assert load_image(data).getpixel((5, 5)) == (255, 0, 0)


def test_exif_orientation_is_applied() -> None:
    image = Image.new("RGB", (40, 20), (255, 255, 255))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated 90 degrees clockwise when displayed
    assert load_image(_encode(image, "JPEG", exif=exif)).size == (20, 40)


def test_draft_decodes_a_large_jpeg_smaller(product_images) -> None:
    data = imagery.jpeg(product_images[0].resize((1000, 1000)))
    assert load_image(data, draft=125).size == (125, 125)
    assert load_image(data, draft=126).size == (250, 250)
    assert load_image(data, draft=300).size == (500, 500)


@pytest.mark.parametrize(("orientation", "size"), [(1, (1200, 800)), (3, (1200, 800)), (6, (800, 1200))])
def test_upright_size_is_the_full_size_as_shown_whatever_the_draft(orientation: int, size: tuple) -> None:
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = _encode(Image.new("RGB", (1200, 800), (200, 30, 30)), "JPEG", exif=exif)
    drafted = load_image(data, draft=150)
    assert max(drafted.size) == 150
    assert upright_size(data) == size
    assert (drafted.width > drafted.height) == (size[0] > size[1])


def test_draft_keeps_the_longest_side(product_images) -> None:
    data = imagery.jpeg(product_images[0].resize((1200, 300)))
    assert load_image(data, draft=150).size == (150, 38)
    assert load_image(data, draft=2000).size == (1200, 300)


@pytest.mark.parametrize(
    "data",
    [b"", b"hello, world", b"\x89PNG\r\n\x1a\n" + b"\0" * 40, b"%PDF-1.4 not an image"],
    ids=["empty", "text", "broken-png", "pdf"],
)
def test_what_is_not_an_image_is_a_clear_error(data: bytes) -> None:
    with pytest.raises(UnsupportedImageError, match="<bytes>"):
        load_image(data)


def test_a_truncated_jpeg_is_a_clear_error(product_images) -> None:
    data = imagery.jpeg(product_images[0])
    with pytest.raises(UnsupportedImageError):
        load_image(data[: len(data) // 2])


def test_a_decompression_bomb_is_refused_before_decoding() -> None:
    bomb = _encode(Image.new("1", (12000, 12000)), "PNG")
    assert len(bomb) < 100_000
    with pytest.raises(ImageTooLargeError, match="decompression bomb"):
        load_image(bomb, max_pixels=50_000_000)


def test_the_byte_cap_applies_to_bytes_and_files(tmp_path: Path, product_images) -> None:
    data = imagery.jpeg(product_images[0])
    path = tmp_path / "big.jpg"
    path.write_bytes(data)
    with pytest.raises(ImageTooLargeError):
        load_image(data, max_bytes=1000)
    with pytest.raises(ImageTooLargeError, match=re.escape("big.jpg")):
        load_image(path, max_bytes=1000)


def test_a_missing_file_names_the_path(tmp_path: Path) -> None:
    with pytest.raises(ImageError, match=re.escape("nowhere.png: no such file")):
        load_image(tmp_path / "nowhere.png")


def test_decode_rejects_an_empty_image_header() -> None:
    with pytest.raises(UnsupportedImageError):
        decode(b"GIF89a\0\0\0\0\0\0\0;")


# Over HTTP, against a real server on 127.0.0.1.


def test_a_loopback_url_is_refused_by_default(server, product_images) -> None:
    url = server.serve("/a.jpg", imagery.jpeg(product_images[0]))
    with pytest.raises(ForbiddenSourceError, match=r"loopback|private"):
        load_image(url)
    with pytest.raises(ForbiddenSourceError):
        load_image(server.url("/a.jpg", host="localhost"))
    assert server.requests == []


def test_a_loopback_url_loads_when_private_addresses_are_allowed(server, product_images) -> None:
    url = server.serve("/a.jpg", imagery.jpeg(product_images[0]), Content_Type="text/plain")
    assert load_image(url, allow_private=True).size == product_images[0].size


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/x.jpg",
        "http://[::1]/x.jpg",
        "http://0.0.0.0/x.jpg",
        "http://[::ffff:127.0.0.1]/x.jpg",
        "file:///etc/passwd",
        "ftp://example.com/x.jpg",
        "gopher://127.0.0.1/",
    ],
)
def test_forbidden_addresses_and_schemes_are_refused_without_connecting(url: str) -> None:
    with pytest.raises(ForbiddenSourceError):
        load_image(url, timeout=1)


def test_a_redirect_to_a_forbidden_address_is_not_followed(server, product_images) -> None:
    target = server.url("/a.jpg", host="127.0.0.2")
    server.serve("/a.jpg", imagery.jpeg(product_images[0]))
    server.serve("/hop", status=302, Location=target)
    server.serve("/metadata", status=301, Location="http://169.254.169.254/latest/")
    loader = ImageLoader(allowed_networks=["127.0.0.1/32"])
    with pytest.raises(ForbiddenSourceError, match=re.escape("127.0.0.2")):
        loader.load(server.url("/hop"))
    with pytest.raises(ForbiddenSourceError, match=re.escape("169.254.169.254")):
        loader.load(server.url("/metadata"))
    assert server.requests == ["/hop", "/metadata"]


def test_an_allowed_redirect_is_followed(server, product_images) -> None:
    server.serve("/a.jpg", imagery.jpeg(product_images[0]))
    server.serve("/hop", status=302, Location="/a.jpg")
    with ImageLoader(allowed_networks=["127.0.0.1/32"]) as loader:
        assert loader.load(server.url("/hop")).size == product_images[0].size
    assert server.requests == ["/hop", "/a.jpg"]


def test_endless_redirects_stop(server) -> None:
    server.serve("/loop", status=302, Location="/loop")
    with pytest.raises(FetchError, match="redirects"):
        load_image(server.url("/loop"), allow_private=True)


def test_an_http_error_status_is_a_fetch_error(server) -> None:
    with pytest.raises(FetchError, match="404"):
        load_image(server.url("/missing.jpg"), allow_private=True)


def test_a_declared_oversize_body_is_refused(server) -> None:
    url = server.serve("/big", b"x" * 5000)
    with pytest.raises(ImageTooLargeError, match="declared"):
        load_image(url, allow_private=True, max_bytes=1000)


def test_an_oversize_streamed_body_is_cut_off(server) -> None:
    url = server.serve("/stream", b"x" * 50_000, chunked=True)
    with pytest.raises(ImageTooLargeError, match="cap of 10000"):
        load_image(url, allow_private=True, max_bytes=10_000)


def test_url_secrets_never_appear_in_errors(server) -> None:
    url = server.url("/missing.jpg").replace("http://", "http://user:hunter2@") + "?token=s3cr3t"
    with pytest.raises(FetchError) as caught:
        load_image(url, allow_private=True)
    assert "hunter2" not in str(caught.value) and "s3cr3t" not in str(caught.value)
    assert "/missing.jpg" in str(caught.value)


def test_an_empty_body_is_not_an_image(server) -> None:
    url = server.serve("/empty", b"")
    with pytest.raises(UnsupportedImageError, match="empty input"):
        load_image(url, allow_private=True)


def test_a_refused_connection_is_a_fetch_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FetchError, match="download failed"):
        load_image(f"http://127.0.0.1:{port}/x.jpg", allow_private=True, timeout=2)
