from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_helpers import Cli
from PIL import Image

from benchmarks import imagery


def test_brands_add_then_list_show_the_brand(cli: Cli) -> None:
    added = cli.json(
        "brands", "add", "Acme", "--email", "owner@acme.example", "--alias", "ACM",
        "--authorized-seller", "Good Shop", "--authorized-seller", "ebay:gs-1",
        "--policy", "hold", "--price-floor", "19.99", "--currency", "usd",
    )  # fmt: skip
    assert added == {
        "brand": "Acme",
        "policy": "hold",
        "emails": ["owner@acme.example"],
        "aliases": ["ACM"],
        "authorized_sellers": ["Good Shop", "ebay:gs-1"],
        "price_floor": "19.99",
        "currency": "USD",
        "images": 0,
    }
    assert cli.json("brands", "list") == [added]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["brands", "add", "Acme", "--email", "nobody"], "brand 'Acme': email: expected an address"),
        (
            ["brands", "add", "Acme", "--email", "o@acme.example", "--policy", "x"],
            "policy: expected hold or flag",
        ),
        (["brands", "images", "Nope", "x.jpg"], "unknown brand 'Nope'"),
        (["check", "x.jpg"], "LISTING_SYNC_ALLOW_PRIVATE_IMAGES: expected 1 or 0"),
    ],
)
def test_bad_usage_exits_2_with_the_reason(cli: Cli, args: list[str], message: str) -> None:
    done = cli(*args, LISTING_SYNC_ALLOW_PRIVATE_IMAGES="maybe" if args[0] == "check" else "0")
    assert (done.returncode, done.stdout) == (2, ""), done.stderr
    assert message in done.stderr


def test_brands_images_adds_a_folder_and_reports_bad_files_on_stderr(cli: Cli, brand_folder: Path) -> None:
    assert cli("brands", "add", "Acme", "--email", "owner@acme.example").returncode == 0
    done = cli("brands", "images", "Acme", str(brand_folder))
    assert done.returncode == 0, done.stderr
    first, then = done.stdout.strip().splitlines()
    assert first == (
        "Images for Acme: 4 added, 0 unchanged, 1 rejected. Skipped 1 file(s) that are not images."
    )
    assert "already live in their next nightly run" in then
    assert f"listing-sync: rejected {brand_folder / 'broken.jpg'}: cannot decode image" in done.stderr
    again = cli.json("brands", "images", "Acme", str(brand_folder / "a.jpg"))
    assert again == {"added": 0, "unchanged": 1, "rejected": [], "ignored": []}
    assert cli.json("brands", "list")[0]["images"] == 4


def test_brands_images_with_nothing_readable_exits_1(cli: Cli, tmp_path: Path) -> None:
    assert cli("brands", "add", "Acme", "--email", "owner@acme.example").returncode == 0
    done = cli("brands", "images", "Acme", str(tmp_path / "missing.jpg"))
    assert done.returncode == 1
    assert f"rejected {tmp_path / 'missing.jpg'}: no such file" in done.stderr


def test_check_prints_a_json_line_per_image_and_exits_1_when_one_failed(
    cli: Cli, tmp_path: Path, drawn: list[Image.Image], copy_of_1: bytes
) -> None:
    official = tmp_path / "official.jpg"
    official.write_bytes(imagery.jpeg(drawn[1]))
    (tmp_path / "q").mkdir()
    (tmp_path / "q" / "copy.jpg").write_bytes(copy_of_1)
    (tmp_path / "q" / "other.jpg").write_bytes(imagery.jpeg(drawn[5]))
    (tmp_path / "q" / "truncated.jpg").write_bytes(copy_of_1[:500])
    assert (
        cli(
            "brands", "add", "Acme", "--email", "o@acme.example", "--authorized-seller", "Good Shop"
        ).returncode
        == 0
    )
    assert cli("brands", "images", "Acme", str(official)).returncode == 0
    done = cli("check", str(tmp_path / "q"), "--json")
    assert done.returncode == 1, done.stderr
    lines = {Path(line["image"]).name: line for line in map(json.loads, done.stdout.splitlines())}
    assert set(lines) == {"copy.jpg", "other.jpg", "truncated.jpg"}
    copy = lines["copy.jpg"]
    assert (copy["verdict"], copy["brand"], copy["reference"]["source"]) == (
        "counterfeit-suspect",
        "Acme",
        str(official),
    )
    assert 0.6 <= copy["score"] <= 1.0
    assert lines["other.jpg"] == {
        "image": str(tmp_path / "q" / "other.jpg"),
        "verdict": "no-match",
        "brand": None,
        "reference": None,
        "score": None,
    }
    assert lines["truncated.jpg"]["verdict"] == "error"
    assert "cannot decode image" in lines["truncated.jpg"]["error"]
    authorised = cli("check", str(tmp_path / "q" / "copy.jpg"), "--seller", "good shop")
    assert authorised.returncode == 0, authorised.stderr
    assert authorised.stdout.split("\t")[1:3] == ["authorized", "Acme"]


def test_check_refuses_loopback_urls_unless_private_images_are_allowed(
    cli: Cli, web_root: tuple[Path, str], drawn: list[Image.Image], copy_of_1: bytes
) -> None:
    root, base = web_root
    (root / "official.jpg").write_bytes(imagery.jpeg(drawn[1]))
    (root / "listing.jpg").write_bytes(copy_of_1)
    assert cli("brands", "add", "Acme", "--email", "owner@acme.example").returncode == 0
    refused = cli("brands", "images", "Acme", f"{base}/official.jpg")
    assert refused.returncode == 1 and f"rejected {base}/official.jpg" in refused.stderr
    allowed = cli("brands", "images", "Acme", f"{base}/official.jpg", LISTING_SYNC_ALLOW_PRIVATE_IMAGES="1")
    assert allowed.returncode == 0, allowed.stderr
    done = cli("check", f"{base}/listing.jpg", "--json")
    assert done.returncode == 1 and json.loads(done.stdout)["verdict"] == "error"
    done = cli("check", f"{base}/listing.jpg", "--json", LISTING_SYNC_ALLOW_PRIVATE_IMAGES="1")
    line = json.loads(done.stdout)
    assert (done.returncode, line["verdict"], line["reference"]["source"]) == (
        0,
        "counterfeit-suspect",
        f"{base}/official.jpg",
    )


@pytest.mark.parametrize(
    ("command", "mentions"),
    [
        (["brands"], ["add", "update", "show", "images", "remove-images", "remove", "list"]),
        (["brands", "update"], ["--add-authorized-seller", "--remove-email", "--no-price-floor"]),
        (["brands", "add"], ["--authorized-seller"]),
        (["check"], ["--seller"]),
    ],
)
def test_the_commands_have_help(cli: Cli, command: list[str], mentions: list[str]) -> None:
    done = cli(*command, "--help")
    assert done.returncode == 0, done.stderr
    assert "Usage:" in done.stdout and all(word in done.stdout for word in mentions)


def test_brands_update_changes_a_brand_and_refuses_what_it_does_not_have(cli: Cli) -> None:
    assert cli("brands", "add", "Acme", "--email", "owner@acme.example", "--alias", "ACM").returncode == 0
    updated = cli.json(
        "brands", "update", "acme", "--add-email", "legal@acme.example", "--remove-alias", "acm",
        "--add-alias", "Acme Tools", "--add-authorized-seller", "ebay:gs-1", "--policy", "hold",
        "--price-floor", "9.50", "--currency", "eur",
    )  # fmt: skip
    assert updated == {
        "brand": "Acme",
        "policy": "hold",
        "emails": ["owner@acme.example", "legal@acme.example"],
        "aliases": ["Acme Tools"],
        "authorized_sellers": ["ebay:gs-1"],
        "price_floor": "9.5",
        "currency": "EUR",
        "images": 0,
    }
    done = cli("brands", "update", "Acme", "--remove-authorized-seller", "ebay:gs-1", "--no-price-floor")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "Updated brand Acme."
    assert "authorized sellers" not in done.stdout and "price floor" not in done.stdout
    for args, message in [
        ((), "nothing to change"),
        (("--remove-email", "nobody@acme.example"), "email: 'nobody@acme.example' is not one of the brand's"),
        (("--remove-email", "owner@acme.example", "--remove-email", "legal@acme.example"), "at least one"),
        (("--no-price-floor", "--price-floor", "5"), "--no-price-floor cannot go with"),
        (("--policy", "block"), "policy: expected hold or flag"),
    ]:
        refused = cli("brands", "update", "Acme", *args)
        assert (refused.returncode, refused.stdout) == (2, ""), args
        assert message in refused.stderr, args
    assert cli.json("brands", "list")[0]["emails"] == ["owner@acme.example", "legal@acme.example"]
    unknown = cli("brands", "update", "Nope", "--policy", "flag")
    assert unknown.returncode == 2 and "unknown brand 'Nope'" in unknown.stderr


def test_brands_show_lists_the_images_and_remove_images_takes_them_out_of_checks(
    cli: Cli, brand_folder: Path, tmp_path: Path, copy_of_1: bytes
) -> None:
    assert cli("brands", "add", "Acme", "--email", "owner@acme.example").returncode == 0
    assert cli("brands", "images", "Acme", str(brand_folder)).returncode == 0
    shown = cli.json("brands", "show", "Acme")
    images = {Path(image["source"]).name: image for image in shown["official_images"]}
    assert set(images) == {"a.jpg", "b.jpeg", "c.jpg", "d.dat"} and shown["images"] == 4
    assert all(image["width"] > 0 and len(image["sha256"]) == 64 for image in images.values())
    text = cli("brands", "show", "Acme").stdout
    assert f"{images['b.jpeg']['id']}\t" in text and str(brand_folder / "b.jpeg") in text
    copy = tmp_path / "copy.jpg"
    copy.write_bytes(copy_of_1)
    assert cli.json("check", str(copy))["verdict"] == "counterfeit-suspect"

    refused = cli("brands", "remove-images", "Acme", str(images["b.jpeg"]["id"]), "999")
    assert refused.returncode == 2 and "no official image 999" in refused.stderr
    removed = cli.json("brands", "remove-images", "Acme", str(images["b.jpeg"]["id"]))
    assert removed == {"brand": "Acme", "removed": [images["b.jpeg"]]}
    assert cli.json("brands", "show", "Acme")["images"] == 3
    assert cli.json("check", str(copy))["verdict"] == "no-match"


def test_brands_remove_says_what_it_would_delete_until_told_yes(cli: Cli, brand_folder: Path) -> None:
    assert cli("brands", "add", "Acme", "--email", "owner@acme.example").returncode == 0
    assert cli("brands", "add", "Other", "--email", "owner@other.example").returncode == 0
    assert cli("brands", "images", "Acme", str(brand_folder)).returncode == 0
    asked = cli("brands", "remove", "acme")
    assert (asked.returncode, asked.stdout) == (2, "")
    assert "removing brand Acme deletes 4 official image(s), 0 finding(s)" in asked.stderr
    assert "--yes" in asked.stderr
    assert len(cli.json("brands", "list")) == 2
    removed = cli.json("brands", "remove", "acme", "--yes")
    assert removed == {"brand": "Acme", "images": 4, "findings": 0, "scans": 0}
    assert [b["brand"] for b in cli.json("brands", "list")] == ["Other"]
    again = cli("brands", "remove", "Acme", "--yes")
    assert again.returncode == 2 and "unknown brand 'Acme'" in again.stderr
