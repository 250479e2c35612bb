"""Runs: opened once per idempotency key, scoped, and closed when their batches are."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from workers.context import writing
from workers.runs import RunError, finish_if_done, open_run, run_progress
from workers.store.errors import UnknownSellerError
from workers.store.sellers import add_seller


def test_a_repeated_idempotency_key_returns_the_first_run(engine: Engine) -> None:
    with writing(engine) as conn:
        add_seller(conn, "s1")
        first = open_run(conn, "s1", kind="nightly", idempotency_key="s1:2026-11-23")
        again = open_run(conn, "s1", kind="nightly", idempotency_key="s1:2026-11-23")
        other = open_run(conn, "s1", kind="manual")
    assert first == again != other
    with engine.connect() as conn:
        progress = run_progress(conn, first)
    assert (progress["status"], progress["kind"], progress["marketplaces"]) == ("queued", "nightly", {})


def test_a_run_with_no_batches_closes_as_done(engine: Engine) -> None:
    with writing(engine) as conn:
        add_seller(conn, "s1")
        run_id = open_run(conn, "s1", kind="webhook", skus=["A"], marketplaces=["ebay"])
        assert finish_if_done(conn, run_id) == "done"
        assert finish_if_done(conn, run_id) is None


def test_bad_scopes_and_sellers_are_refused_by_name(engine: Engine) -> None:
    with writing(engine) as conn:
        add_seller(conn, "s1")
        with pytest.raises(RunError, match="unknown marketplace 'etsy'"):
            open_run(conn, "s1", kind="manual", marketplaces=["etsy"])
        with pytest.raises(UnknownSellerError):
            open_run(conn, "nobody", kind="manual")
    with engine.connect() as conn, pytest.raises(RunError, match="no sync run 'nope'"):
        run_progress(conn, "nope")
