from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fingerprints.errors import FingerprintFormatError, FingerprintMismatchError
from fingerprints.hashes import Fingerprint
from fingerprints.index import Index


def _brute_force(ids: np.ndarray, codes: np.ndarray, query: np.ndarray, radius: int) -> list[tuple[int, int]]:
    distances = np.bitwise_count(codes ^ query).sum(axis=1)
    hits = [(int(i), int(d)) for i, d in zip(ids, distances, strict=True) if d <= radius]
    return sorted(hits, key=lambda hit: (hit[1], hit[0]))


def _as_int(words: np.ndarray) -> int:
    value = 0
    for word in words:
        value = (value << 64) | int(word)
    return value


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), radius=st.integers(0, 24), words=st.sampled_from([1, 4]))
def test_results_equal_a_brute_force_scan(seed: int, radius: int, words: int) -> None:
    rng = np.random.default_rng(seed)
    n = int(rng.integers(1, 3000))
    codes = rng.integers(0, 2**64, size=(n, words), dtype=np.uint64)
    # Plant near neighbours so that small radii have something to find.
    query = codes[int(rng.integers(n))].copy()
    flips = rng.integers(0, 64, size=(50, 3))
    near = np.repeat(query[None, :], 50, axis=0)
    near[:, 0] ^= np.bitwise_or.reduce(np.uint64(1) << flips.astype(np.uint64), axis=1)
    codes = np.concatenate([codes, near])
    ids = rng.integers(0, 500, size=codes.shape[0])
    index = Index(64 * words)
    index.add_many(ids, codes)
    assert index.search(_as_int(query), radius) == _brute_force(ids, codes, query, radius)


def test_add_and_remove_change_the_answers() -> None:
    index = Index(64, kind="phash")
    index.add(1, Fingerprint("phash", 0b1111, 64))
    index.add(2, Fingerprint("phash", 0b0111, 64))
    index.add(2, Fingerprint("phash", 0xFFFF_0000, 64))
    assert index.search(Fingerprint("phash", 0b1111, 64), 1) == [(1, 0), (2, 1)]
    assert index.remove([2]) == 2
    assert index.search(Fingerprint("phash", 0b1111, 64), 64) == [(1, 0)]
    assert len(index) == 1


def test_serialisation_round_trips(tmp_path) -> None:
    rng = np.random.default_rng(3)
    index = Index(256, kind="detail")
    index.add_many(np.arange(100), rng.integers(0, 2**64, size=(100, 4), dtype=np.uint64))
    copy = Index.from_bytes(index.to_bytes())
    assert (copy.bits, copy.kind, len(copy)) == (256, "detail", 100)
    query = int(rng.integers(0, 2**63))
    assert copy.search(query, 140) == index.search(query, 140)
    assert Index.from_bytes(Index().to_bytes()).search(0, 64) == []


@pytest.mark.parametrize("data", [b"", b"FPIX", b"NOPE" + bytes(28), Index().to_bytes() + b"x"])
def test_corrupt_dumps_raise(data: bytes) -> None:
    with pytest.raises(FingerprintFormatError):
        Index.from_bytes(data)


def test_queries_of_another_size_or_kind_raise() -> None:
    index = Index(64, kind="phash")
    with pytest.raises(FingerprintMismatchError):
        index.search(Fingerprint("phash", 1, 256), 3)
    with pytest.raises(FingerprintMismatchError):
        index.search(Fingerprint("dhash", 1, 64), 3)
    with pytest.raises(FingerprintMismatchError):
        index.search(1 << 64, 3)


def test_bad_index_sizes_raise() -> None:
    with pytest.raises(FingerprintFormatError):
        Index(60)
    with pytest.raises(ValueError):
        Index().add_many([1, 2], np.zeros((1, 1), dtype=np.uint64))
