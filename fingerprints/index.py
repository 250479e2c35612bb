"""An in-memory Hamming index: every reference within distance d of a query, in well under a millisecond.

Codes are packed into uint64 words. A query splits its code into 16-bit chunks; by the pigeonhole principle a
code within distance d of it agrees with it to within d // chunks bits on at least one chunk, so looking up
the few chunk values that close (multi-index hashing) finds every candidate, and numpy's popcount verifies
them. When the radius is too wide for that to pay, a vectorised linear scan answers instead.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from itertools import combinations

import numpy as np

from fingerprints.errors import FingerprintFormatError, FingerprintMismatchError
from fingerprints.hashes import Fingerprint

CHUNK_BITS = 16
MAX_CHUNK_RADIUS = 3
"""Beyond this many bits per chunk, the keys to probe outnumber what a linear scan costs."""

_MAGIC = b"FPIX"
_HEADER = struct.Struct("<4sHH16sQ")
_VERSION = 1


def _masks(radius: int) -> np.ndarray:
    """Every 16-bit mask with at most `radius` bits set."""
    masks = [0]
    for r in range(1, radius + 1):
        masks += [sum(1 << b for b in bits) for bits in combinations(range(CHUNK_BITS), r)]
    return np.array(masks, dtype=np.uint16)


_MASKS = [_masks(r) for r in range(MAX_CHUNK_RADIUS + 1)]


class Index:
    """Reference codes of one size (and optionally one kind), each with an integer id (ids may repeat).

    `add` / `remove` change it; `search` answers ``[(id, distance), ...]`` for every stored code within
    `max_distance` of the query, nearest first; `to_bytes` / `from_bytes` persist it exactly.
    """

    def __init__(self, bits: int = 64, kind: str | None = None) -> None:
        if bits <= 0 or bits % 64:
            raise FingerprintFormatError(
                f"index code size must be a positive multiple of 64 bits, not {bits}"
            )
        if kind is not None and (not kind or len(kind.encode()) > 16):
            raise FingerprintFormatError(f"index kind must be 1 to 16 bytes, not {kind!r}")
        self.bits = bits
        self.kind = kind
        self.words = bits // 64
        self._ids = np.zeros(0, dtype=np.int64)
        self._codes = np.zeros((0, self.words), dtype=np.uint64)
        self._tables: list[tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None

    def __len__(self) -> int:
        return int(self._ids.size)

    def _code(self, code: Fingerprint | int) -> np.ndarray:
        if isinstance(code, Fingerprint):
            if code.bits != self.bits or (self.kind is not None and code.kind != self.kind):
                raise FingerprintMismatchError(
                    f"index holds {self.bits}-bit {self.kind or 'codes'}, not {code.bits}-bit {code.kind}"
                )
            code = code.value
        if not 0 <= code < 1 << self.bits:
            raise FingerprintMismatchError(f"code does not fit in {self.bits} bits")
        shifts = range(64 * (self.words - 1), -1, -64)
        return np.array([(code >> s) & 0xFFFFFFFFFFFFFFFF for s in shifts], dtype=np.uint64)

    def add(self, ref_id: int, code: Fingerprint | int) -> None:
        """Store one code under `ref_id`."""
        self.add_many([ref_id], self._code(code)[None, :])

    def add_many(
        self, ids: Iterable[int] | np.ndarray, codes: np.ndarray | Iterable[Fingerprint | int]
    ) -> None:
        """Store many codes at once: `codes` is an (n, words) uint64 array or an iterable of codes."""
        ids = np.asarray(list(ids) if not isinstance(ids, np.ndarray) else ids, dtype=np.int64)
        if not isinstance(codes, np.ndarray):
            codes = np.array([self._code(c) for c in codes], dtype=np.uint64).reshape(-1, self.words)
        codes = np.ascontiguousarray(codes, dtype=np.uint64).reshape(-1, self.words)
        if codes.shape[0] != ids.size:
            raise ValueError(f"{ids.size} ids for {codes.shape[0]} codes")
        self._ids = np.concatenate([self._ids, ids])
        self._codes = np.concatenate([self._codes, codes])
        self._tables = None

    def remove(self, ids: Iterable[int]) -> int:
        """Drop every code stored under any of `ids`; returns how many were dropped."""
        keep = ~np.isin(self._ids, np.fromiter(ids, dtype=np.int64))
        dropped = int(keep.size - keep.sum())
        if dropped:
            self._ids, self._codes = self._ids[keep], self._codes[keep]
            self._tables = None
        return dropped

    def _chunks(self, codes: np.ndarray) -> list[np.ndarray]:
        per_word = 64 // CHUNK_BITS
        return [
            ((codes[:, w] >> np.uint64(CHUNK_BITS * (per_word - 1 - c))) & np.uint64(0xFFFF)).astype(
                np.uint16
            )
            for w in range(self.words)
            for c in range(per_word)
        ]

    def _build(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """Per chunk: row order sorted by chunk value, and the start of each value's run (a counting sort)."""
        tables = []
        for chunk in self._chunks(self._codes):
            order = np.argsort(chunk, kind="stable").astype(np.int64)
            starts = np.searchsorted(chunk[order], np.arange(1 << CHUNK_BITS), side="left")
            starts = np.append(starts, chunk.size).astype(np.int64)
            tables.append((chunk, order, starts))
        return tables

    def search(self, query: Fingerprint | int, max_distance: int) -> list[tuple[int, int]]:
        """Every stored (id, distance) with distance <= `max_distance`, nearest first, ties by id."""
        ids, distances = self.search_arrays(query, max_distance)
        return list(zip(ids.tolist(), distances.tolist(), strict=True))

    def search_arrays(self, query: Fingerprint | int, max_distance: int) -> tuple[np.ndarray, np.ndarray]:
        """`search` as two arrays (ids, distances); one row per stored code, so an id may repeat."""
        code = self._code(query)
        if max_distance < 0 or not self._ids.size:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        n_chunks = self.bits // CHUNK_BITS
        radius = max_distance // n_chunks
        if radius > MAX_CHUNK_RADIUS:
            rows = np.arange(self._ids.size)
        else:
            if self._tables is None:
                self._tables = self._build()
            rows = self._candidates(code, _MASKS[radius])
        distances = np.bitwise_count(self._codes[rows] ^ code).sum(axis=1, dtype=np.int64)
        hit = distances <= max_distance
        # Candidates from several chunks repeat; deduplicate only the few that are hits.
        rows, first = np.unique(rows[hit], return_index=True)
        distances = distances[hit][first]
        order = np.lexsort((self._ids[rows], distances))
        return self._ids[rows][order], distances[order]

    def _candidates(self, code: np.ndarray, masks: np.ndarray) -> np.ndarray:
        assert self._tables is not None
        found = []
        for (_, order, starts), value in zip(self._tables, self._chunks(code[None, :]), strict=True):
            keys = (masks ^ value[0]).astype(np.int64)
            low, high = starts[keys], starts[keys + 1]
            lengths = high - low
            total = int(lengths.sum())
            if not total:
                continue
            # Concatenate the runs [low, high) without a Python loop.
            offsets = np.repeat(low - np.cumsum(lengths) + lengths, lengths)
            found.append(order[offsets + np.arange(total)])
        if not found:
            return np.zeros(0, dtype=np.int64)
        return np.concatenate(found)

    def to_bytes(self) -> bytes:
        """A compact little-endian dump: header, ids, codes."""
        kind = (self.kind or "").encode()
        header = _HEADER.pack(_MAGIC, _VERSION, self.bits, kind, self._ids.size)
        return header + self._ids.astype("<i8").tobytes() + self._codes.astype("<u8").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Index:
        if len(data) < _HEADER.size:
            raise FingerprintFormatError("index data is truncated")
        magic, version, bits, kind, count = _HEADER.unpack_from(data)
        if magic != _MAGIC or version != _VERSION:
            raise FingerprintFormatError("not an index dump of a supported version")
        if bits <= 0 or bits % 64:
            raise FingerprintFormatError(f"index dump has an invalid code size {bits}")
        words = bits // 64
        expected = _HEADER.size + count * 8 * (1 + words)
        if len(data) != expected:
            raise FingerprintFormatError(f"index data is {len(data)} bytes, expected {expected}")
        index = cls(bits, kind.rstrip(b"\0").decode() or None)
        offset = _HEADER.size
        index._ids = np.frombuffer(data, dtype="<i8", count=count, offset=offset).astype(np.int64)
        codes = np.frombuffer(data, dtype="<u8", count=count * words, offset=offset + count * 8)
        index._codes = codes.astype(np.uint64).reshape(count, words)
        return index
