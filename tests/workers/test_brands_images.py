from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from PIL import Image
from sqlalchemy import Engine

from benchmarks import imagery
from fingerprints import DRAFT, ImageFingerprints, ImageLoader
from workers.brands import UnknownBrandError, add_brand, add_images, get_brand, list_images
from workers.brands.persisted import read_generation
from workers.store.brand_models import BrandImage


@pytest.fixture
def acme(engine: Engine) -> str:
    with engine.begin() as conn:
        add_brand(conn, "Acme", emails=["owner@acme.example"])
    return "Acme"


def test_a_folder_adds_every_image_by_content_and_reports_the_bad_file(
    engine: Engine, acme: str, brand_folder: Path
) -> None:
    report = add_images(engine, acme, [brand_folder], loader=ImageLoader())
    assert sorted(Path(s.source).name for s in report.added) == ["a.jpg", "b.jpeg", "c.jpg", "d.dat"]
    assert [(Path(r.source).name, r.reason.startswith("cannot decode image")) for r in report.rejected] == [
        ("broken.jpg", True)
    ]
    assert [Path(p).name for p in report.ignored] == ["notes.txt"]
    with engine.connect() as conn:
        assert get_brand(conn, acme).images == 4
        rows = conn.execute(sa.select(BrandImage.fingerprints, BrandImage.width, BrandImage.source)).all()
    for row in rows:
        variants = [ImageFingerprints.from_dict(v) for v in row.fingerprints["variants"]]
        assert {v.view for v in variants} >= {"full", "mirror"}
        assert row.width > 0 and Path(row.source).is_absolute()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_an_image_is_stored_with_its_full_size_though_it_decodes_smaller(
    engine: Engine, acme: str, drawn: list[Image.Image]
) -> None:
    big = drawn[0].resize((1000, 800))
    add_images(engine, acme, [imagery.jpeg(big)], loader=ImageLoader(draft=DRAFT))
    with engine.connect() as conn:
        assert [(i.width, i.height) for i in list_images(conn, acme)] == [(1000, 800)]


def test_adding_the_same_images_again_changes_nothing(engine: Engine, acme: str, brand_folder: Path) -> None:
    first = add_images(engine, acme, [brand_folder], loader=ImageLoader())
    with engine.connect() as conn:
        generation = read_generation(conn)
    again = add_images(engine, acme, [brand_folder, brand_folder / "a.jpg"], loader=ImageLoader())
    assert again.added == []
    assert sorted(s.id for s in again.unchanged) == sorted(s.id for s in first.added)
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(BrandImage)).scalar_one() == 4
        assert read_generation(conn) == generation  # nothing changed: workers keep their index


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_the_same_bytes_twice_in_one_call_are_stored_once(
    engine: Engine, acme: str, drawn: list[Image.Image]
) -> None:
    data = imagery.jpeg(drawn[0])
    report = add_images(engine, acme, [data, data], loader=ImageLoader())
    assert (len(report.added), len(report.unchanged)) == (1, 1)
    assert report.added[0].source == "<bytes #1>"


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_a_missing_file_is_rejected_with_its_path(engine: Engine, acme: str, tmp_path: Path) -> None:
    report = add_images(engine, acme, [tmp_path / "nope.jpg"], loader=ImageLoader())
    assert [(r.source, r.reason) for r in report.rejected] == [(str(tmp_path / "nope.jpg"), "no such file")]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_images_for_an_unknown_brand_are_refused(engine: Engine, brand_folder: Path) -> None:
    with pytest.raises(UnknownBrandError):
        add_images(engine, "Nope", [brand_folder], loader=ImageLoader())


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_urls_to_loopback_are_refused_unless_private_addresses_are_allowed(
    engine: Engine, acme: str, web_root: tuple[Path, str], drawn: list[Image.Image]
) -> None:
    root, base = web_root
    (root / "official.jpg").write_bytes(imagery.jpeg(drawn[0]))
    url = f"{base}/official.jpg?token=s3cret"
    refused = add_images(engine, acme, [url], loader=ImageLoader())
    assert refused.added == [] and len(refused.rejected) == 1
    assert "s3cret" not in refused.rejected[0].source + refused.rejected[0].reason
    assert refused.rejected[0].source == f"{base}/official.jpg"
    allowed = add_images(engine, acme, [url], loader=ImageLoader(allow_private=True))
    assert [s.source for s in allowed.added] == [f"{base}/official.jpg"]
