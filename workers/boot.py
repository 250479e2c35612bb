"""The module `dramatiq` workers load (`dramatiq workers.boot`): the broker from the environment, then actors.

`listing-sync worker` sets REDIS_URL for its worker processes, so they all use the broker it resolved.
Tuning, for tests and unusual deployments: LISTING_SYNC_NAMESPACE (Redis key prefix, default
`listing-sync`), LISTING_SYNC_HEARTBEAT_MS and LISTING_SYNC_HEARTBEAT_INTERVAL (see `workers.broker`),
LISTING_SYNC_PROMETHEUS=1 for dramatiq's metrics exporter.
"""

from __future__ import annotations

from workers.boot_options import options_from_env
from workers.broker import redis_url, setup_broker
from workers.settings import Settings

broker = setup_broker(redis_url(Settings.from_env()), **options_from_env())
