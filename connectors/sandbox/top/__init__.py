"""A local Taobao/Tmall Open Platform (TOP): signed calls at `/router/rest`, items, pictures, limits, faults.

    sandbox = TopSandbox(limits=False)
    server = sandbox.serve()            # server.url + "/router/rest"
    creds = sandbox.credentials_for("seller-1")

Other sellers' items for `taobao.tbk.item.get` (keyword search, no session needed): `sandbox.seed(title=,
seller=, price=, images=[bytes, ...])` or `POST /_sandbox/seed` (see `search.py`).

Environment: `LISTING_SYNC_SANDBOX_TOP_APP_KEY`, `LISTING_SYNC_SANDBOX_TOP_APP_SECRET`; options win.
Checking a captured request against the contract, for connector tests: `contract.problems()`.

Every answer is HTTP 200; errors are `error_response` with TOP's codes. Sub-codes the sandbox uses:
- 40 `isv.missing-parameter:<name>`, 41 `isv.invalid-parameter:<name>`: fix the request, do not retry;
- 15 `isv.item-not-exist`, `isv.brand-not-authorized`, `isv.item-img-limit`: the item service refused;
- 15 `isp.top-remote-service-unavailable`, `isp.top-remote-connection-timeout`: the platform failed, retry
  later (after a write the outcome is unknown: look the item up by `outer_id` before adding it again);
- 7 `accesscontrol.limited-by-api-access-count` / `accesscontrol.limited-by-app-access-count`, with
  `sub_msg` "This ban will last for N more seconds".
The gateway's own refusals mostly carry no sub-code: 9, 21-34 (22 unknown method, 25 signature, 26/27
session), 47 encoding.
"""

from __future__ import annotations

from connectors.sandbox.top.sandbox import TopSandbox

__all__ = ["TopSandbox"]
