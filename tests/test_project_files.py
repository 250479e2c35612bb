"""The files people and CI run by hand: docker-compose.yml, the Dockerfile and the scripts."""

from __future__ import annotations

import os
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml

from workers.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ["scripts/install", "scripts/test", "scripts/check", "scripts/demo", ".ci/run"]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def test_compose_has_redis_postgres_and_the_cli(compose: dict) -> None:
    assert {"redis", "postgres", "cli"} <= set(compose["services"])
    for name, service in compose["services"].items():
        assert "image" in service or "build" in service, name
        for needed in service.get("depends_on", {}):
            assert needed in compose["services"], f"{name} depends on unknown {needed}"
        for volume in service.get("volumes", []):
            assert volume.split(":")[0] in compose["volumes"], f"{name} mounts unknown volume {volume}"


def test_the_cli_service_is_configured_for_the_other_services(compose: dict) -> None:
    cli = compose["services"]["cli"]
    assert cli["build"] == "."
    settings = Settings.from_env(cli["environment"])  # raises on a value listing-sync would refuse
    assert settings.database_url.startswith("postgresql://") and "@postgres:5432/" in settings.database_url
    assert settings.redis_url == "redis://redis:6379/0"
    env = compose["services"]["postgres"]["environment"]
    assert f"{env['POSTGRES_USER']}:{env['POSTGRES_PASSWORD']}@" in settings.database_url
    assert settings.database_url.endswith("/" + env["POSTGRES_DB"])


def test_the_dockerfile_copies_what_exists_and_runs_the_console_script() -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    for line in lines:
        if line.startswith("COPY "):
            for source in line.split()[1:-1]:
                assert (ROOT / source).exists(), line
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert 'ENTRYPOINT ["listing-sync"]' in lines
    assert scripts["listing-sync"] == "workers.cli:main"


@pytest.mark.skipif(shutil.which("docker") is None, reason="no docker command")
def test_docker_compose_accepts_the_file() -> None:
    probe = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("docker has no compose plugin here")
    done = subprocess.run(
        ["docker", "compose", "-f", str(ROOT / "docker-compose.yml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("script", SCRIPTS)
def test_scripts_are_strict_bash_that_runs_from_any_directory(script: str) -> None:
    path = ROOT / script
    assert os.access(path, os.X_OK)
    text = path.read_text()
    assert text.startswith("#!/usr/bin/env bash\n")
    assert "set -euo pipefail" in text
    assert 'cd "$(dirname "${BASH_SOURCE[0]}")/.."' in text
    assert subprocess.run(["bash", "-n", str(path)], check=False).returncode == 0
