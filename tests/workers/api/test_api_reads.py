"""Runs and listings over real HTTP: bearer keys, other sellers' data as 404, keyset pages, readiness."""

from __future__ import annotations

import redis
import requests
import sqlalchemy as sa
from api_client import Api, ServedApp, product

from workers.api.deps import Services
from workers.broker import start_valkey
from workers.store.models import Listing
from workers.store.sellers import add_seller


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def add_listings(api: Api, seller_id: str, count: int, **values: object) -> None:
    rows = [
        {"seller_id": seller_id, "marketplace": "ebay" if i % 2 else "amazon", "sku": f"L-{i:03d}", **values}
        for i in range(count)
    ]
    with api.engine.begin() as conn:
        conn.execute(sa.insert(Listing), rows)


def test_a_run_is_read_with_the_sellers_key_only(api: Api) -> None:
    run_id = api.webhooks.event("catalog.updated", {"products": [product("R-1")]}).json()["run_id"]
    url = f"{api.url}/v1/runs/{run_id}"
    assert requests.get(url, timeout=5).status_code == 401
    wrong = requests.get(url, headers=bearer("lsk_not-a-key"), timeout=5)
    assert wrong.status_code == 401 and wrong.headers["www-authenticate"] == "Bearer"
    own = requests.get(url, headers=bearer(api.seller.api_key), timeout=5)
    assert own.status_code == 200
    body = own.json()
    assert body["run_id"] == run_id and body["status"] == "queued" and body["kind"] == "webhook"
    assert isinstance(body["marketplaces"], dict)


def test_another_sellers_run_is_not_found(api: Api) -> None:
    run_id = api.webhooks.event("catalog.updated", {"products": [product("R-1")]}).json()["run_id"]
    with api.engine.begin() as conn:
        other = add_seller(conn, "shop-2")
    theirs = requests.get(f"{api.url}/v1/runs/{run_id}", headers=bearer(other.api_key), timeout=5)
    nothing = requests.get(f"{api.url}/v1/runs/0000", headers=bearer(other.api_key), timeout=5)
    assert theirs.status_code == nothing.status_code == 404


def test_listings_come_in_keyset_pages_that_cover_each_once(api: Api) -> None:
    add_listings(api, "shop-1", 7)
    url = f"{api.url}/v1/sellers/shop-1/listings"
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = requests.get(url, params=params, headers=bearer(api.seller.api_key), timeout=5).json()
        seen += [item["sku"] for item in page["items"]]
        pages += 1
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3 and seen == [f"L-{i:03d}" for i in range(7)]


def test_listings_are_filtered_by_status_and_marketplace(api: Api) -> None:
    add_listings(api, "shop-1", 6)
    with api.engine.begin() as conn:
        conn.execute(
            sa.update(Listing)
            .where(Listing.sku == "L-001")
            .values(status="error", last_error_code="25002", last_error_message="category needs Brand")
        )
    url = f"{api.url}/v1/sellers/shop-1/listings"
    key = bearer(api.seller.api_key)
    ebay = requests.get(url, params={"marketplace": "ebay"}, headers=key, timeout=5).json()
    assert [item["sku"] for item in ebay["items"]] == ["L-001", "L-003", "L-005"]
    errors = requests.get(url, params={"status": "error"}, headers=key, timeout=5).json()["items"]
    assert [(i["sku"], i["error"]["code"]) for i in errors] == [("L-001", "25002")]
    assert requests.get(url, params={"status": "gone"}, headers=key, timeout=5).status_code == 422
    assert requests.get(url, params={"cursor": "bm9wZQ"}, headers=key, timeout=5).status_code == 422


def test_held_listings_are_listed_with_the_brand_and_how_to_clear_it(api: Api) -> None:
    add_listings(api, "shop-1", 3)
    with api.engine.begin() as conn:
        conn.execute(
            sa.update(Listing)
            .where(Listing.sku == "L-002")
            .values(
                status="held",
                last_error_code="BRAND_HOLD",
                last_error_message="Held, not pushed to amazon: image 1 matches the brand Acme ...",
                last_error_field="image_urls[0]",
            )
        )
    url = f"{api.url}/v1/sellers/shop-1/listings"
    held = requests.get(url, params={"status": "held"}, headers=bearer(api.seller.api_key), timeout=5)
    assert [
        (i["sku"], i["status"], i["error"]["code"], i["error"]["field"]) for i in held.json()["items"]
    ] == [("L-002", "held", "BRAND_HOLD", "image_urls[0]")]
    assert "Acme" in held.json()["items"][0]["error"]["message"]


def test_another_sellers_listings_are_not_found(api: Api) -> None:
    with api.engine.begin() as conn:
        add_seller(conn, "shop-2")
    add_listings(api, "shop-2", 2)
    answer = requests.get(
        f"{api.url}/v1/sellers/shop-2/listings", headers=bearer(api.seller.api_key), timeout=5
    )
    assert answer.status_code == 404


def test_health_and_readiness(api: Api) -> None:
    assert requests.get(f"{api.url}/healthz", timeout=5).json() == {"status": "ok"}
    ready = requests.get(f"{api.url}/readyz", timeout=5)
    assert ready.status_code == 200 and ready.json()["checks"] == {"redis": "ok", "database": "ok"}


def test_readiness_fails_while_redis_is_down(services: Services) -> None:
    server = start_valkey()
    url = server.connection_url
    client = redis.Redis.from_url(url, socket_timeout=1, socket_connect_timeout=1)
    svc = Services(services.engine, client)
    with ServedApp(svc) as served:
        assert requests.get(f"{served.url}/readyz", timeout=5).status_code == 200
        server.stop()
        down = requests.get(f"{served.url}/readyz", timeout=5)
        assert down.status_code == 503
        assert (
            down.json()["checks"]["redis"].startswith("unreachable")
            and down.json()["checks"]["database"] == "ok"
        )
        assert url not in down.text
    client.close()


def test_the_openapi_document_describes_the_endpoints(api: Api) -> None:
    paths = requests.get(f"{api.url}/openapi.json", timeout=5).json()["paths"]
    webhook = paths["/v1/sellers/{seller_id}/webhooks"]["post"]
    headers = {p["name"] for p in webhook["parameters"] if p["in"] == "header"}
    assert headers == {"webhook-id", "webhook-timestamp", "webhook-signature"}
    assert [p["name"] for p in webhook["parameters"] if p["in"] == "path"] == ["seller_id"]
    assert {
        "/v1/sellers/{seller_id}/webhooks",
        "/v1/runs/{run_id}",
        "/v1/sellers/{seller_id}/listings",
    } <= set(paths)
    assert requests.get(f"{api.url}/docs", timeout=5).status_code == 200
