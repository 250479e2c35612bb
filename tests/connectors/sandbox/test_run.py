from __future__ import annotations

import socket

import pytest
import requests

from connectors.sandbox.run import MARKETPLACES, start_sandboxes


def _free_port_base() -> int:
    """A port N such that N, N+1 and N+2 were free a moment ago."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = probe.getsockname()[1]
        if base + 2 < 65536 and all(_free(base + i) for i in range(3)):
            return base
    raise RuntimeError("no three consecutive free ports")


def _free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def test_all_three_sandboxes_start_on_consecutive_ports_and_answer() -> None:
    base = _free_port_base()
    with start_sandboxes(port_base=base, limits=False) as running:
        ports = [running.servers[name].port for name in MARKETPLACES]
        assert ports == [base, base + 1, base + 2]
        for name, sandbox, server in running:
            assert requests.get(server.url + "/_sandbox", timeout=5).ok, name
            credentials = requests.get(server.url + "/_sandbox/sellers/demo-seller/credentials", timeout=5)
            assert credentials.json() == sandbox.credentials_for("demo-seller"), name  # type: ignore[attr-defined]
            ledger = requests.get(server.url + "/_sandbox/sellers/demo-seller/ledger", timeout=5)
            assert ledger.json() == {}, name
    for name in MARKETPLACES:
        with pytest.raises(requests.ConnectionError):
            requests.get(running.url(name) + "/_sandbox", timeout=2)
