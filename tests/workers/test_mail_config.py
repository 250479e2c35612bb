from __future__ import annotations

import stat
from pathlib import Path

import pytest

from workers.mail import MailConfigError, MailSettings, link_signer
from workers.settings import Settings


def settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"LISTING_SYNC_DATA_DIR": str(tmp_path), **env})


def test_the_defaults_point_at_a_local_api_and_keep_one_link_key_in_the_data_dir(tmp_path: Path) -> None:
    first = MailSettings.from_env(settings(tmp_path), {})
    again = MailSettings.from_env(settings(tmp_path), {})
    assert (first.public_url, first.mail_from, first.link_days) == (
        "http://localhost:8000",
        "alerts@localhost",
        30,
    )
    key_file = tmp_path / "link-signing.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert first.link_key == again.link_key == key_file.read_bytes() and len(first.link_key) >= 32
    token = link_signer(first).sign(5, "confirm")
    link_signer(again).verify(token, 5, "confirm")


def test_the_secret_key_signs_links_when_it_is_set(tmp_path: Path) -> None:
    key = "x" * 43 + "="
    mail = MailSettings.from_env(settings(tmp_path, LISTING_SYNC_SECRET_KEY=key), {})
    assert mail.link_key == key.encode() and not (tmp_path / "link-signing.key").exists()
    assert key not in repr(mail)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("LISTING_SYNC_PUBLIC_URL", "ftp://example.com"),
        ("LISTING_SYNC_MAIL_FROM", "alerts"),
        ("LISTING_SYNC_LINK_DAYS", "0"),
    ],
)
def test_an_unusable_mail_setting_is_named(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(MailConfigError, match=name):
        MailSettings.from_env(settings(tmp_path), {name: value})
