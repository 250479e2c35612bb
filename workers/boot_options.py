"""Broker tuning from the environment, shared by the worker processes and the commands that enqueue."""

from __future__ import annotations

import os

from workers.broker import HEARTBEAT_INTERVAL_S, HEARTBEAT_TIMEOUT_MS


def options_from_env() -> dict[str, object]:
    """Broker options from LISTING_SYNC_NAMESPACE, _HEARTBEAT_MS, _HEARTBEAT_INTERVAL and _PROMETHEUS."""
    env = os.environ
    try:
        return {
            "namespace": env.get("LISTING_SYNC_NAMESPACE") or "listing-sync",
            "heartbeat_timeout_ms": int(env.get("LISTING_SYNC_HEARTBEAT_MS") or HEARTBEAT_TIMEOUT_MS),
            "heartbeat_interval": float(env.get("LISTING_SYNC_HEARTBEAT_INTERVAL") or HEARTBEAT_INTERVAL_S),
            # dramatiq's Prometheus exporter (port 9191, dramatiq_prom_* variables) in each worker process
            "prometheus": env.get("LISTING_SYNC_PROMETHEUS", "").lower() in ("1", "true", "yes"),
        }
    except ValueError:
        raise ValueError(
            "LISTING_SYNC_HEARTBEAT_MS / LISTING_SYNC_HEARTBEAT_INTERVAL: expected numbers"
        ) from None
