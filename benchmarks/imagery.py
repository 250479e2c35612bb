"""Seeded product-like images drawn with PIL, bundled photographs, and the tricks copies of them use.

Shared by the benchmarks and the tests: every image is made here or read from files inside an installed
package (scikit-image's bundled data), never downloaded.
"""

from __future__ import annotations

import colorsys
import io
import random
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

KINDS = ("bottle", "shoe", "bag", "box", "shirt")
WHITE = (255, 255, 255)


@dataclass(frozen=True)
class Product:
    """The parameters of one drawn product; the same parameters draw the same picture."""

    kind: str
    seed: int
    hue: float
    canvas: tuple[int, int]
    box: tuple[int, int, int, int]
    shape: tuple[float, ...]
    logo: str
    mark: int
    accent_hue: float


def _colour(hue: float, saturation: float = 0.75, value: float = 0.8) -> tuple[int, int, int]:
    r, g, b = colorsys.hsv_to_rgb(hue % 1.0, saturation, value)
    return round(r * 255), round(g * 255), round(b * 255)


def random_product(rng: random.Random, kind: str | None = None) -> Product:
    kind = kind or rng.choice(KINDS)
    width, height = rng.choice([(800, 800), (900, 700), (700, 900), (1000, 1000), (640, 800)])
    fill = rng.uniform(0.55, 0.8)
    w, h = round(width * fill * rng.uniform(0.7, 1.0)), round(height * fill * rng.uniform(0.7, 1.0))
    x0 = round((width - w) * rng.uniform(0.3, 0.7))
    y0 = round((height - h) * rng.uniform(0.3, 0.7))
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return Product(
        kind=kind,
        seed=rng.randrange(1 << 30),
        hue=rng.random(),
        canvas=(width, height),
        box=(x0, y0, x0 + w, y0 + h),
        shape=tuple(rng.uniform(0.0, 1.0) for _ in range(6)),
        logo="".join(rng.choice(letters) for _ in range(rng.randint(3, 6))),
        mark=rng.randrange(4),
        accent_hue=rng.random(),
    )


def lookalike(product: Product, rng: random.Random) -> Product:
    """Another product in the same layout: same kind, place and colours, other proportions and logo."""
    other = random_product(rng, product.kind)
    return replace(product, seed=other.seed, shape=other.shape, logo=other.logo, mark=(product.mark + 1) % 4)


def recoloured(product: Product, rng: random.Random) -> Product:
    """The same product in another colour (hue turned by a third to two thirds of the circle)."""
    turn = rng.uniform(0.33, 0.67)
    return replace(product, hue=(product.hue + turn) % 1.0, accent_hue=(product.accent_hue + turn) % 1.0)


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    return ImageFont.load_default(size=size)


def draw(product: Product) -> Image.Image:
    """Render a product on a white canvas."""
    image = Image.new("RGB", product.canvas, WHITE)
    pen = ImageDraw.Draw(image)
    x0, y0, x1, y1 = product.box
    w, h = x1 - x0, y1 - y0
    s = product.shape
    body = _colour(product.hue)
    dark = _colour(product.hue, 0.8, 0.45)
    accent = _colour(product.accent_hue, 0.9, 0.9)
    if product.kind == "bottle":
        bw = w * (0.45 + 0.3 * s[0])
        cx = x0 + w / 2
        neck = bw * (0.25 + 0.15 * s[1])
        shoulder = y0 + h * (0.25 + 0.1 * s[2])
        pen.rectangle((cx - neck / 2, y0, cx + neck / 2, y0 + h * 0.08), fill=dark)
        pen.rectangle((cx - neck / 2, y0 + h * 0.08, cx + neck / 2, shoulder), fill=body)
        pen.polygon(
            [
                (cx - neck / 2, shoulder),
                (cx + neck / 2, shoulder),
                (cx + bw / 2, shoulder + h * 0.1),
                (cx - bw / 2, shoulder + h * 0.1),
            ],
            fill=body,
        )
        pen.rounded_rectangle((cx - bw / 2, shoulder + h * 0.1, cx + bw / 2, y1), radius=bw * 0.1, fill=body)
        label = (cx - bw * 0.42, y0 + h * (0.5 + 0.1 * s[3]), cx + bw * 0.42, y0 + h * (0.75 + 0.1 * s[3]))
    elif product.kind == "shoe":
        sole = y1 - h * (0.12 + 0.08 * s[0])
        toe = x1 - w * 0.05
        heel_top = y0 + h * (0.1 + 0.3 * s[1])
        pen.polygon(
            [
                (x0, heel_top),
                (x0 + w * (0.3 + 0.1 * s[2]), heel_top + h * 0.1),
                (x0 + w * 0.55, y0 + h * (0.35 + 0.2 * s[3])),
                (toe, sole - h * 0.25),
                (x1, sole),
                (x0, sole),
            ],
            fill=body,
        )
        pen.rectangle((x0, sole, x1, y1), fill=dark)
        for i in range(4):
            lx = x0 + w * (0.32 + 0.06 * i)
            pen.line(
                (lx, heel_top + h * (0.12 + 0.04 * i), lx + w * 0.06, heel_top + h * (0.2 + 0.04 * i)),
                fill=WHITE,
                width=max(2, w // 80),
            )
        label = (x0 + w * 0.15, sole - h * 0.3, x0 + w * 0.5, sole - h * 0.08)
    elif product.kind == "bag":
        top = y0 + h * (0.3 + 0.1 * s[0])
        inset = w * (0.05 + 0.1 * s[1])
        pen.arc(
            (x0 + w * 0.25, y0, x1 - w * 0.25, top + h * 0.25), 180, 360, fill=dark, width=max(4, w // 25)
        )
        pen.polygon([(x0 + inset, top), (x1 - inset, top), (x1, y1), (x0, y1)], fill=body)
        pen.rectangle((x0 + inset, top, x1 - inset, top + h * (0.08 + 0.05 * s[2])), fill=dark)
        label = (x0 + w * 0.3, top + h * 0.25, x1 - w * 0.3, top + h * 0.5)
    elif product.kind == "box":
        depth = w * (0.12 + 0.12 * s[0])
        front = (x0, y0 + depth, x1 - depth, y1)
        pen.polygon([(x0, y0 + depth), (x0 + depth, y0), (x1, y0), (x1 - depth, y0 + depth)], fill=dark)
        pen.polygon(
            [(x1 - depth, y0 + depth), (x1, y0), (x1, y1 - depth), (x1 - depth, y1)],
            fill=_colour(product.hue, 0.8, 0.6),
        )
        pen.rectangle(front, fill=body)
        fw, fh = front[2] - front[0], front[3] - front[1]
        label = (
            front[0] + fw * 0.15,
            front[1] + fh * (0.2 + 0.2 * s[1]),
            front[2] - fw * 0.15,
            front[1] + fh * (0.55 + 0.2 * s[1]),
        )
    else:
        neck = w * (0.18 + 0.08 * s[0])
        sleeve = h * (0.25 + 0.1 * s[1])
        torso = w * (0.55 + 0.1 * s[2])
        cx = x0 + w / 2
        pen.polygon(
            [
                (cx - neck, y0),
                (cx - torso / 2 - w * 0.02, y0 + h * 0.04),
                (x0, y0 + sleeve),
                (x0 + w * 0.12, y0 + sleeve + h * 0.1),
                (cx - torso / 2, y0 + sleeve * 0.8),
                (cx - torso / 2, y1),
                (cx + torso / 2, y1),
                (cx + torso / 2, y0 + sleeve * 0.8),
                (x1 - w * 0.12, y0 + sleeve + h * 0.1),
                (x1, y0 + sleeve),
                (cx + torso / 2 + w * 0.02, y0 + h * 0.04),
                (cx + neck, y0),
            ],
            fill=body,
        )
        pen.chord((cx - neck, y0 - h * 0.08, cx + neck, y0 + h * 0.1), 0, 180, fill=WHITE)
        label = (cx - torso * 0.3, y0 + h * 0.3, cx + torso * 0.3, y0 + h * (0.55 + 0.1 * s[3]))
    _logo(pen, label, product, accent)
    return image


def _logo(
    pen: ImageDraw.ImageDraw, box: tuple[float, ...], product: Product, accent: tuple[int, int, int]
) -> None:
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    pen.rectangle(box, fill=(250, 250, 245))
    size = min(w, h) * 0.45
    cx, cy = x0 + w * 0.25, y0 + h / 2
    if product.mark == 0:
        pen.ellipse((cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2), fill=accent)
    elif product.mark == 1:
        pen.polygon(
            [(cx, cy - size / 2), (cx + size / 2, cy + size / 2), (cx - size / 2, cy + size / 2)], fill=accent
        )
    elif product.mark == 2:
        pen.rectangle((cx - size / 2, cy - size / 2, cx + size / 2, cy + size / 2), fill=accent)
    else:
        pen.line(
            (cx - size / 2, cy + size / 2, cx, cy - size / 2, cx + size / 2, cy + size / 2),
            fill=accent,
            width=max(3, round(size / 6)),
        )
    pen.text(
        (x0 + w * 0.45, cy), product.logo, fill=(30, 30, 30), font=_font(max(8, round(h * 0.3))), anchor="lm"
    )


PHOTO_NAMES = (
    "astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png", "camera.png",
    "coins.png", "hubble_deep_field.jpg", "retina.jpg", "ihc.png", "moon.png", "grass.png", "gravel.png",
    "brick.png", "cell.png", "text.png", "page.png", "clock_motion.png", "microaneurysms.png",
)  # fmt: skip


def photographs() -> dict[str, Image.Image]:
    """The photographs bundled inside scikit-image's wheel (none are downloaded); empty if it is absent."""
    try:
        import skimage
    except ImportError:
        return {}
    folder = Path(skimage.__file__).parent / "data"
    photos = {}
    for name in PHOTO_NAMES:
        path = folder / name
        if path.is_file():
            with Image.open(path) as image:
                photos[name.rsplit(".", 1)[0]] = image.convert("RGB")
    return photos


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def from_jpeg(image: Image.Image, quality: int) -> Image.Image:
    return Image.open(io.BytesIO(jpeg(image, quality))).convert("RGB")


Transform = Callable[[Image.Image, random.Random, list[Image.Image]], Image.Image]


def _recompress(image: Image.Image, rng: random.Random, others: list[Image.Image]) -> Image.Image:
    return from_jpeg(image, rng.randint(25, 45))


def _resize(image: Image.Image, rng: random.Random, others: list[Image.Image]) -> Image.Image:
    scale = rng.uniform(0.3, 0.6)
    return image.resize((round(image.width * scale), round(image.height * scale)), Image.Resampling.BILINEAR)


def _pad_square(image: Image.Image, rng: random.Random, others: list[Image.Image]) -> Image.Image:
    side = round(max(image.size) * rng.uniform(1.0, 1.3))
    canvas = Image.new("RGB", (side, side), WHITE)
    canvas.paste(image, ((side - image.width) // 2, (side - image.height) // 2))
    return canvas


def _crop(image: Image.Image, rng: random.Random, others: list[Image.Image]) -> Image.Image:
    w, h = image.size
    return image.crop(
        (
            round(w * rng.uniform(0, 0.08)),
            round(h * rng.uniform(0, 0.08)),
            round(w * (1 - rng.uniform(0, 0.08))),
            round(h * (1 - rng.uniform(0, 0.08))),
        )
    )


def _mirror(image: Image.Image, rng: random.Random, others: list[Image.Image]) -> Image.Image:
    return ImageOps.mirror(image)


def _rotate(image: Image.Image, rng: random.Random, others: list[Image.Image]) -> Image.Image:
    angle = rng.choice([-1, 1]) * rng.uniform(2, 8)
    return image.rotate(angle, Image.Resampling.BICUBIC, expand=True, fillcolor=WHITE)


def _banner(image: Image.Image, rng: random.Random, others: list[Image.Image]) -> Image.Image:
    out = image.copy()
    pen = ImageDraw.Draw(out)
    band = round(out.height * rng.uniform(0.1, 0.16))
    top = 0 if rng.random() < 0.5 else out.height - band
    pen.rectangle((0, top, out.width, top + band), fill=_colour(rng.random(), 0.9, 0.85))
    text = rng.choice(["SALE -50%", "FREE SHIPPING", "BEST PRICE", "NEW 2026", "HOT DEAL"])
    pen.text((out.width / 2, top + band / 2), text, fill=WHITE, font=_font(round(band * 0.6)), anchor="mm")
    return out


def _watermark(image: Image.Image, rng: random.Random, others: list[Image.Image]) -> Image.Image:
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    pen = ImageDraw.Draw(layer)
    text = rng.choice(["SAMPLE", "shop-4-less", "PHOTO", "DEALS"])
    size = round(image.width * 0.12)
    for row in range(3):
        pen.text(
            (image.width / 2, image.height * (0.25 + 0.25 * row)),
            text,
            font=_font(size),
            anchor="mm",
            fill=(128, 128, 128, rng.randint(70, 110)),
        )
    return Image.alpha_composite(image.convert("RGBA"), layer).convert("RGB")


def _tone(image: Image.Image, rng: random.Random, others: list[Image.Image]) -> Image.Image:
    image = ImageEnhance.Brightness(image).enhance(rng.uniform(0.75, 1.2))
    image = ImageEnhance.Contrast(image).enhance(rng.uniform(0.8, 1.2))
    return ImageEnhance.Color(image).enhance(rng.uniform(0.6, 1.4))


def _greyscale(image: Image.Image, rng: random.Random, others: list[Image.Image]) -> Image.Image:
    return image.convert("L").convert("RGB")


def _collage(image: Image.Image, rng: random.Random, others: list[Image.Image]) -> Image.Image:
    cols, rows = rng.choice([(2, 1), (1, 2), (2, 2), (3, 1), (3, 2)])
    cell = rng.randint(280, 420)
    gap = rng.choice([0, 6, 12])
    canvas = Image.new("RGB", (cols * cell + (cols + 1) * gap, rows * cell + (rows + 1) * gap), WHITE)
    slot = rng.randrange(cols * rows)
    fillers = rng.sample(others, cols * rows - 1)
    for i in range(cols * rows):
        picture = image if i == slot else fillers.pop()
        picture = ImageOps.pad(picture, (cell, cell), color=WHITE)
        canvas.paste(picture, (gap + (i % cols) * (cell + gap), gap + (i // cols) * (cell + gap)))
    return canvas


TRANSFORMS: dict[str, Transform] = {
    "recompress": _recompress,
    "resize": _resize,
    "pad-square": _pad_square,
    "crop": _crop,
    "mirror": _mirror,
    "rotate": _rotate,
    "banner": _banner,
    "watermark": _watermark,
    "tone": _tone,
    "greyscale": _greyscale,
    "collage": _collage,
}
