"""Bring images to one canonical form before hashing, and cut them into the pieces worth hashing.

Copies of a product image differ mostly in what surrounds the product: padding to a square, a white frame, a
different crop of the background. Trimming uniform borders removes that. What remains differs by scale and
compression, which the hashes absorb, and by the tricks that `variants` (mirror, crops, rotations: applied to
brand images, once) and `regions` (panels of a collage, the part above a banner: applied to queries) undo.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from PIL import Image

WORK_SIDE = 250
"""Longest side of a hashed image: enough detail for the 96x96 thumbnail of the detail hash. At 250 a
1000-px listing image, the common size, decodes at 1/4 scale (`loading.draft_scale`, `features.DRAFT`) and
needs no resize of its own. Regions are cut from the prepared image, up to twice this size."""

BORDER_TOLERANCE = 64
"""How far (0..255, any channel) a pixel may stray from the border colour and still count as border when
trimming: far enough that a faint watermark over the margin does not hold the trim open."""

GUTTER_TOLERANCE = 24
"""The most a row or column may vary (0..255, any channel) and still count as a gutter between panels."""

MIN_REGION_SIDE = 0.12
"""Smallest region side, as a share of the image side (and at least `MIN_REGION_PIXELS`): smaller pieces
carry too little to match reliably."""

MIN_REGION_PIXELS = 32

WHITE = (255, 255, 255)


def prepare(image: Image.Image) -> Image.Image:
    """RGB, reduced to about twice `WORK_SIDE` at most, uniform borders trimmed: regions are cut from it."""
    if image.mode != "RGB":
        image = image.convert("RGB")
    factor = max(image.size) // (2 * WORK_SIDE)
    if factor >= 2:
        image = image.reduce(factor)
    return trim(image)


def shrink(image: Image.Image) -> Image.Image:
    """The image with its longest side at most `WORK_SIDE`."""
    if max(image.size) <= WORK_SIDE:
        return image
    scale = WORK_SIDE / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)


def working_image(image: Image.Image) -> Image.Image:
    """`prepare` then `shrink`: the canonical image every whole-image hash is taken from."""
    return shrink(prepare(image))


def _border(pixels: np.ndarray) -> tuple[np.ndarray, list[bool]]:
    """The border colour (median of the outermost pixels) and, per side (top, bottom, left, right), whether
    that side is uniform in it: nine in ten of its pixels within `GUTTER_TOLERANCE`, which a photograph's
    edge never is, while a banner along one side leaves the other three uniform."""
    edge = np.concatenate([pixels[0], pixels[-1], pixels[:, 0], pixels[:, -1]])
    # The edge has an even count, so its median is the floor of the mean of the two middle values per
    # channel, as np.median then astype(uint8) gives; partitioning channel rows is several times faster.
    middle = len(edge) // 2
    low, high = np.partition(edge.T, (middle - 1, middle), axis=1)[:, middle - 1 : middle + 1].T
    background = ((low.astype(np.uint16) + high) >> 1).astype(np.uint8)
    near = _distance(edge[None], background)[0] <= GUTTER_TOLERANCE
    height, width = pixels.shape[:2]
    starts = np.array([0, width, 2 * width, 2 * width + height])
    shares = np.add.reduceat(near, starts) / np.array([width, width, height, height])
    return background, [bool(share >= 0.9) for share in shares]


def _distance(pixels: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """Per pixel of an (h, w, 3) uint8 array, the largest |channel - colour| over its channels.

    Written for numpy's fast paths: rows are compared with the colour tiled along them, and the channel
    maximum is taken with two element-wise maxima (a reduction over an axis of length 3 is slow).
    """
    height, width = pixels.shape[:2]
    flat = pixels.reshape(height, width * 3)
    row = np.broadcast_to(colour, (width, 3)).ravel()
    spread = (np.maximum(flat, row) - np.minimum(flat, row)).reshape(height, width, 3)
    return np.maximum(np.maximum(spread[..., 0], spread[..., 1]), spread[..., 2])


def _content(pixels: np.ndarray, colour: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The indices of the rows and of the columns of an (h, w, 3) uint8 array that hold a pixel with a channel
    more than `BORDER_TOLERANCE` from `colour`: two comparisons with per-channel bounds, no distances."""
    height, width = pixels.shape[:2]
    flat = pixels.reshape(height, width * 3)
    shade = colour.astype(np.int16)
    # Bounds clipped to 0..255 keep their meaning: no uint8 is above 255 or below 0.
    above = np.tile(np.minimum(shade + BORDER_TOLERANCE, 255).astype(np.uint8), width)
    below = np.tile(np.maximum(shade - BORDER_TOLERANCE, 0).astype(np.uint8), width)
    content = (flat > above) | (flat < below)
    rows = content.any(axis=1)
    cols = content.any(axis=0).reshape(width, 3).any(axis=1)
    return np.flatnonzero(rows), np.flatnonzero(cols)


def trim_box(pixels: np.ndarray) -> tuple[int, int, int, int]:
    """The (left, top, right, bottom) box left after cutting uniform borders from an RGB uint8 array.

    A pixel is content when a channel differs from the border colour by more than `BORDER_TOLERANCE`.
    """
    height, width = pixels.shape[:2]
    full = (0, 0, width, height)
    if min(height, width) < 3:
        return full
    background, (top, bottom, left, right) = _border(pixels)
    if not (top or bottom or left or right):
        return full
    rows, cols = _content(pixels, background)
    if not rows.size:
        return full
    return (
        int(cols[0]) if left else 0,
        int(rows[0]) if top else 0,
        int(cols[-1]) + 1 if right else width,
        int(rows[-1]) + 1 if bottom else height,
    )


def trim(image: Image.Image) -> Image.Image:
    """Cut away uniform borders of any colour, side by side; an image of nothing but border stays as it is."""
    image = image if image.mode == "RGB" else image.convert("RGB")
    box = trim_box(np.asarray(image))
    return image if box == (0, 0, *image.size) else image.crop(box)


def variants(image: Image.Image) -> Iterator[tuple[str, Image.Image]]:
    """The ways a brand image is commonly altered when copied, each as a (name, working image) pair.

    Hashing these once per brand image means that a mirrored, cropped or slightly rotated copy is close to
    one of them, and a query needs no transforms of its own.
    """
    base = prepare(image)
    yield "full", base
    yield "mirror", base.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    width, height = base.size
    for percent in (3, 6, 9, 12):
        dx, dy = round(width * percent / 100), round(height * percent / 100)
        yield f"crop-{percent}", trim(base.crop((dx, dy, width - dx, height - dy)))
        for side, box in _side_crops(width, height, percent / 100):
            yield f"crop-{side}-{percent}", trim(base.crop(box))
    for angle in (-8, -6, -4, -2, 2, 4, 6, 8):
        rotated = base.rotate(angle, Image.Resampling.BILINEAR, expand=True, fillcolor=WHITE)
        yield f"rotate{angle:+d}", trim(rotated)


def _side_crops(width: int, height: int, share: float) -> Iterator[tuple[str, tuple[int, int, int, int]]]:
    dx, dy = round(width * share), round(height * share)
    yield "top", (0, dy, width, height)
    yield "bottom", (0, 0, width, height - dy)
    yield "left", (dx, 0, width, height)
    yield "right", (0, 0, width - dx, height)
    yield "top-left", (dx, dy, width, height)
    yield "top-right", (0, dy, width - dx, height)
    yield "bottom-left", (dx, 0, width, height - dy)
    yield "bottom-right", (0, 0, width - dx, height - dy)


def regions(image: Image.Image) -> Iterator[tuple[str, Image.Image]]:
    """Pieces of a prepared image that may hold a whole product picture on their own.

    Panels come from cutting along uniform gutters: the pictures of a collage (padded pictures leave
    gutters even when they touch), a product above or below a banner. An image without gutters has no
    regions, which keeps most queries to one view: fixed windows (halves, quadrants) were tried in their
    place and found nothing on the detection benchmark that panels had not. Two panels that trim to the
    same piece of the image give it once, under the first one's name.
    """
    width, height = image.size
    seen: set[tuple[int, int, int, int]] = set()
    for i, box in enumerate(_panels(image)):
        crop = image.crop(box)
        inner = trim_box(np.asarray(crop))
        where = (box[0] + inner[0], box[1] + inner[1], box[0] + inner[2], box[1] + inner[3])
        if where in seen:
            continue
        seen.add(where)
        piece = crop if inner == (0, 0, *crop.size) else crop.crop(inner)
        if min(piece.size) >= MIN_REGION_PIXELS and (
            piece.width >= MIN_REGION_SIDE * width and piece.height >= MIN_REGION_SIDE * height
        ):
            yield f"panel-{i}", piece


def _panels(image: Image.Image, max_panels: int = 10) -> list[tuple[int, int, int, int]]:
    """Every box of an XY-cut along gutters (uniform rows or columns), outermost first; empty if none.

    Inner boxes are kept beside their parts: a gutter may run through a product (between a bag and its
    handle), and the box holding both parts is then the one that matches.
    """
    factor = max(1, max(image.size) // 128)
    small = image.reduce(factor) if factor > 1 else image
    if min(small.size) < 8:
        return []
    # The pixels (h, w, 3) and their transpose (w, h, 3): numpy reduces along the first axis fast, so the
    # columns of a box are read from the one and its rows from the other.
    pixels = np.asarray(small), np.asarray(small.transpose(Image.Transpose.TRANSPOSE))
    width, height = small.size
    found: list[tuple[int, int, int, int]] = []
    pending = [(0, 0, width, height)]
    while pending and len(found) < max_panels:
        box = pending.pop(0)
        cut = _best_cut(pixels, box, (width, height))
        if cut is None:
            continue
        axis, start, end = cut
        left, top, right, bottom = box
        if axis == 0:
            parts = [(left, top, right, top + start), (left, top + end, right, bottom)]
        else:
            parts = [(left, top, left + start, bottom), (left + end, top, right, bottom)]
        for part in parts:
            if part[2] - part[0] >= MIN_REGION_SIDE * width and part[3] - part[1] >= MIN_REGION_SIDE * height:
                found.append(part)
                pending.append(part)
    scale = image.width / width, image.height / height
    return [
        (round(b[0] * scale[0]), round(b[1] * scale[1]), round(b[2] * scale[0]), round(b[3] * scale[1]))
        for b in found[:max_panels]
    ]


def _best_cut(
    pixels: tuple[np.ndarray, np.ndarray], box: tuple[int, int, int, int], full: tuple[int, int]
) -> tuple[int, int, int] | None:
    """The widest inner gutter (axis, start, end) of `box` in an image given as its pixels (h, w, 3) and
    their transpose, with at least one side big enough, or None. Axis 0 cuts along a row, 1 along a column.
    """
    left, top, right, bottom = box
    lines = {0: pixels[1][left:right, top:bottom], 1: pixels[0][top:bottom, left:right]}
    best: tuple[int, int, int, int] | None = None
    for axis, limit in ((0, full[1]), (1, full[0])):
        # uint8 max - min cannot wrap, so no widening copy of the pixels is needed.
        spread = lines[axis].max(axis=0) - lines[axis].min(axis=0)
        uniform = np.maximum(np.maximum(spread[:, 0], spread[:, 1]), spread[:, 2]) <= GUTTER_TOLERANCE
        length = uniform.size
        if not uniform[1:-1].any():
            continue
        edges = np.flatnonzero(np.diff(np.concatenate([[0], uniform.astype(np.int8), [0]])))
        for start, end in zip(edges[::2], edges[1::2], strict=True):
            if start == 0 or end == length:
                continue
            # One side may be small (a banner): it is cut off, and later dropped as too small to hash.
            if max(start, length - end) >= MIN_REGION_SIDE * limit and (
                best is None or end - start > best[0]
            ):
                best = (int(end - start), axis, int(start), int(end))
    return None if best is None else best[1:]
