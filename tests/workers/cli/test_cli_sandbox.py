from __future__ import annotations

import json
import signal
import subprocess
from pathlib import Path

import requests
from cli_helpers import cli_env, console_script


def test_sandbox_serves_all_three_marketplaces_until_interrupted(tmp_path: Path) -> None:
    env = cli_env(tmp_path / "data")
    with subprocess.Popen(
        [*console_script(), "sandbox", "--port-base", "0", "--seller", "shop-1", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        try:
            assert proc.stdout is not None
            described = json.loads(proc.stdout.readline())
            assert set(described) == {"amazon", "ebay", "tmall"}
            for name, info in described.items():
                served = requests.get(info["url"] + "/_sandbox/sellers/shop-1/credentials", timeout=5)
                assert served.json() == info["credentials"]["shop-1"], name
            proc.send_signal(signal.SIGINT)
            _, stderr = proc.communicate(timeout=20)
            assert proc.returncode == 0, stderr
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()


def test_sandbox_refuses_a_port_already_taken(tmp_path: Path) -> None:
    import socket

    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        done = subprocess.run(
            [*console_script(), "sandbox", "--port-base", str(port)],
            env=cli_env(tmp_path / "data"),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert done.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr
