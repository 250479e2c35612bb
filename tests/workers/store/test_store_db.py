from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine

from workers.store.db import normalize_url
from workers.store.errors import DatabaseURLError, StoreError
from workers.store.models import Seller


@pytest.mark.parametrize(
    ("given", "driver"),
    [
        ("postgresql://u@h/db", "postgresql+psycopg"),
        ("postgres://u@h/db", "postgresql+psycopg"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg"),
        ("sqlite:////tmp/x.db", "sqlite"),
        ("sqlite://", "sqlite"),
    ],
)
def test_urls_are_normalised_to_the_drivers_we_ship(given: str, driver: str) -> None:
    assert normalize_url(given).drivername == driver


def test_an_unsupported_url_is_a_store_error_that_hides_the_password() -> None:
    with pytest.raises(DatabaseURLError, match="expected sqlite:// or postgresql://") as caught:
        normalize_url("mysql://app:s3cret@db/x")
    assert isinstance(caught.value, StoreError)
    assert "s3cret" not in str(caught.value)


def test_datetimes_come_back_aware_and_in_utc(engine: Engine) -> None:
    berlin = dt.datetime(2026, 7, 1, 12, 30, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin"))
    with engine.begin() as conn:
        conn.execute(sa.insert(Seller).values(id="s1", name="S", timezone="UTC", created_at=berlin))
    with engine.connect() as conn:
        created = conn.execute(sa.select(Seller.created_at)).scalar_one()
    assert created == berlin
    assert created.tzinfo is not None and created.utcoffset() == dt.timedelta(0)


def test_a_naive_datetime_is_refused(engine: Engine) -> None:
    with pytest.raises(sa.exc.StatementError, match="naive datetime"), engine.begin() as conn:
        conn.execute(
            sa.insert(Seller).values(id="s1", name="S", timezone="UTC", created_at=dt.datetime(2026, 1, 1))
        )
