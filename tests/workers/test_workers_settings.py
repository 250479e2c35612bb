from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from workers.settings import Settings, SettingsError, redact_url


def test_defaults_put_everything_under_the_data_dir(tmp_path: Path) -> None:
    settings = Settings.from_env({"LISTING_SYNC_DATA_DIR": str(tmp_path / "data")})
    assert settings.data_dir == tmp_path / "data"
    assert settings.database_url == f"sqlite:///{tmp_path}/data/listing-sync.db"
    assert settings.outbox_dir == tmp_path / "data" / "outbox"
    assert settings.redis_url is None
    assert settings.smtp_url is None
    assert settings.secret_key is None


def test_the_default_data_dir_is_made_absolute_against_the_current_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    settings = Settings.from_env({})
    assert settings.data_dir == tmp_path / ".listing-sync"
    assert settings.database_url.startswith("sqlite:////")


def test_empty_values_count_as_unset(tmp_path: Path) -> None:
    settings = Settings.from_env(
        {"LISTING_SYNC_DATA_DIR": str(tmp_path), "REDIS_URL": "", "SMTP_URL": "  ", "DATABASE_URL": ""}
    )
    assert settings.redis_url is None
    assert settings.smtp_url is None
    assert settings.database_url.startswith("sqlite:///")


def test_good_values_are_kept_as_given() -> None:
    key = Fernet.generate_key().decode()
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://app:pw@db:5432/listing",
            "REDIS_URL": "rediss://cache:6380/1",
            "SMTP_URL": "smtp://mail:2525",
            "LISTING_SYNC_SECRET_KEY": key,
        }
    )
    assert settings.database_url == "postgresql://app:pw@db:5432/listing"
    assert settings.redis_url == "rediss://cache:6380/1"
    assert settings.smtp_url == "smtp://mail:2525"
    assert settings.secret_key == key


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("REDIS_URL", "http://x", "REDIS_URL: expected a redis:// or rediss:// URL, got 'http://x'"),
        ("REDIS_URL", "redis://", "REDIS_URL: expected a redis:// or rediss:// URL, got 'redis://'"),
        ("REDIS_URL", "redis://host:port", "REDIS_URL: expected a redis:// or rediss:// URL"),
        ("SMTP_URL", "mail.example.com", "SMTP_URL: expected a smtp:// or smtps:// URL"),
        ("DATABASE_URL", "mysql://db/x", "DATABASE_URL: expected a sqlite:// or postgresql:// or"),
    ],
)
def test_a_wrong_value_names_the_variable_and_what_was_expected(
    variable: str, value: str, expected: str
) -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({variable: value})
    assert str(caught.value).startswith(expected)


def test_a_bad_secret_key_is_rejected_without_echoing_it() -> None:
    with pytest.raises(SettingsError, match=r"^LISTING_SYNC_SECRET_KEY: expected a Fernet key") as caught:
        Settings.from_env({"LISTING_SYNC_SECRET_KEY": "hunter2-not-a-key"})
    assert "hunter2" not in str(caught.value)


def test_a_password_in_a_bad_url_is_not_shown() -> None:
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({"REDIS_URL": "http://user:s3cret@cache:6379"})
    assert "s3cret" not in str(caught.value)
    assert "user:***@cache:6379" in str(caught.value)


def test_the_repr_hides_passwords_and_the_secret_key() -> None:
    key = Fernet.generate_key().decode()
    settings = Settings.from_env(
        {
            "DATABASE_URL": "postgresql://app:pw1@db/x",
            "REDIS_URL": "redis://:pw2@r",
            "LISTING_SYNC_SECRET_KEY": key,
        }
    )
    shown = repr(settings)
    assert "pw1" not in shown and "pw2" not in shown and key not in shown
    assert "secret_key='set'" in shown


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = Settings.from_env({"LISTING_SYNC_DATA_DIR": str(tmp_path)})
    with pytest.raises(AttributeError):
        settings.redis_url = "redis://x"  # type: ignore[misc]


def test_redacting_a_url_without_a_password_changes_nothing() -> None:
    assert redact_url("redis://cache:6379/0") == "redis://cache:6379/0"
    assert redact_url("redis://:pw@cache:6379/0") == "redis://:***@cache:6379/0"


@pytest.mark.parametrize(
    ("value", "allowed"), [("1", True), ("true", True), ("YES", True), ("0", False), ("", False)]
)
def test_private_image_addresses_are_allowed_only_when_asked(value: str, allowed: bool) -> None:
    settings = Settings.from_env({"LISTING_SYNC_ALLOW_PRIVATE_IMAGES": value})
    assert settings.allow_private_images is allowed


def test_a_bad_private_images_flag_names_the_variable() -> None:
    with pytest.raises(SettingsError, match="LISTING_SYNC_ALLOW_PRIVATE_IMAGES: expected 1 or 0"):
        Settings.from_env({"LISTING_SYNC_ALLOW_PRIVATE_IMAGES": "maybe"})


def test_image_check_helper_processes_default_to_one_and_a_bad_count_names_the_variable() -> None:
    assert Settings.from_env({}).check_processes == 1
    assert Settings.from_env({"LISTING_SYNC_CHECK_PROCESSES": "0"}).check_processes == 0
    for bad in ("-1", "two", "65"):
        with pytest.raises(SettingsError, match="LISTING_SYNC_CHECK_PROCESSES: expected a number"):
            Settings.from_env({"LISTING_SYNC_CHECK_PROCESSES": bad})
