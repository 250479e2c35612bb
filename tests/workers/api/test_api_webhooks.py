"""The signed webhook over real HTTP: security cases, per-product errors, replays, and what gets stored."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator

import sqlalchemy as sa
from api_client import Api, payload, product

from workers.api.deps import Services
from workers.api.webhooks import seller_secrets
from workers.store.models import Product, SyncRun, WebhookDelivery
from workers.store.sellers import add_seller, add_webhook_secret, retire_webhook_secrets

Planned = Callable[[], int]


def runs(api: Api) -> list[SyncRun]:
    with api.engine.connect() as conn:
        return list(conn.execute(sa.select(SyncRun).order_by(SyncRun.created_at)))


def skus(api: Api, *, deleted: bool = False) -> set[str]:
    query = sa.select(Product.sku).where(
        Product.deleted_at.is_not(None) if deleted else Product.deleted_at.is_(None)
    )
    with api.engine.connect() as conn:
        return set(conn.execute(query).scalars())


def test_a_signed_catalog_update_is_stored_and_answered_with_its_run(api: Api, planned: Planned) -> None:
    answer = api.webhooks.event("catalog.updated", {"products": [product("A-1"), product("A-2")]})
    assert answer.status_code == 202, answer.text
    body = answer.json()
    assert body["accepted"] == 2 and body["rejected"] == []
    (run,) = runs(api)
    assert body["run_id"] == run.id and run.seller_id == "shop-1" and str(run.kind) == "webhook"
    assert skus(api) == {"A-1", "A-2"}
    assert planned() == 1


def test_invalid_products_are_reported_per_sku_while_valid_ones_are_accepted(api: Api) -> None:
    products = [product("OK-1"), product("BAD-1", price="-3"), product("BAD-2", gtin="4006381333932"), "junk"]
    answer = api.webhooks.event("catalog.updated", {"products": products})
    assert answer.status_code == 202
    body = answer.json()
    assert body["accepted"] == 1 and body["run_id"] is not None
    rejected = {(r["sku"], r["index"]): r["errors"] for r in body["rejected"]}
    assert set(rejected) == {("BAD-1", 1), ("BAD-2", 2), (None, 3)}
    assert [e["field"] for e in rejected["BAD-1", 1]] == ["price"]
    assert [e["field"] for e in rejected["BAD-2", 2]] == ["gtin"]
    assert "check digit" in rejected["BAD-2", 2][0]["message"]
    assert skus(api) == {"OK-1"}


def test_a_wrong_signature_is_refused_and_nothing_is_stored(api: Api, planned: Planned) -> None:
    body = payload("catalog.updated", {"products": [product("A-1")]})
    headers = api.webhooks.headers(body)
    tampered = body.replace(b"24.50", b"0.01")
    answer = api.webhooks.send(tampered, headers=headers)
    assert answer.status_code == 401
    assert skus(api) == set() and runs(api) == [] and planned() == 0


def test_a_signature_made_with_another_secret_is_refused(api: Api) -> None:
    other = "whsec_" + "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    answer = api.webhooks.event("sync.requested", {}, secret=other)
    assert answer.status_code == 401


def test_stale_and_future_timestamps_are_refused(api: Api) -> None:
    stale = api.webhooks.event("sync.requested", {}, age=301)
    future = api.webhooks.event("sync.requested", {}, age=-301)
    assert (stale.status_code, future.status_code) == (401, 401)
    assert "tolerance" in stale.json()["error"]
    within = api.webhooks.event("catalog.updated", {"products": [product("A-1")]}, age=240)
    assert within.status_code == 202


def test_missing_signature_headers_are_refused(api: Api) -> None:
    body = payload("sync.requested", {})
    for missing in ("webhook-id", "webhook-timestamp", "webhook-signature"):
        headers = api.webhooks.headers(body)
        del headers[missing]
        assert api.webhooks.send(body, headers=headers).status_code == 401


def test_an_unknown_seller_is_answered_exactly_like_a_bad_signature(api: Api) -> None:
    body = payload("catalog.updated", {"products": [product("A-1")]})
    headers = api.webhooks.headers(body)
    headers_bad = dict(headers, **{"webhook-signature": "v1,bm90IGEgc2lnbmF0dXJl"})
    unknown = api.webhooks.send(body, seller_id="no-such-shop", headers=headers)
    bad = api.webhooks.send(body, headers=headers_bad)
    assert unknown.status_code == bad.status_code == 401
    assert unknown.content == bad.content
    drop = {"date", "content-length"}
    assert {k: v for k, v in unknown.headers.items() if k.lower() not in drop} == {
        k: v for k, v in bad.headers.items() if k.lower() not in drop
    }


def test_both_secrets_verify_during_a_rotation_and_a_retired_one_stops(api: Api) -> None:
    old = api.seller.webhook_secret
    with api.engine.begin() as conn:
        new = add_webhook_secret(conn, "shop-1")
    assert (
        api.webhooks.event("catalog.updated", {"products": [product("A-1")]}, secret=old).status_code == 202
    )
    assert (
        api.webhooks.event("catalog.updated", {"products": [product("A-2")]}, secret=new).status_code == 202
    )
    with api.engine.begin() as conn:
        retire_webhook_secrets(conn, "shop-1", keep=new)
    assert api.webhooks.event("sync.requested", {}, secret=old).status_code == 401
    assert api.webhooks.event("sync.requested", {}, secret=new).status_code == 202


def test_a_secret_of_another_seller_does_not_sign_for_this_one(api: Api) -> None:
    with api.engine.begin() as conn:
        other = add_seller(conn, "shop-2")
    answer = api.webhooks.event("sync.requested", {}, secret=other.webhook_secret)
    assert answer.status_code == 401


def test_a_replayed_delivery_gets_the_first_answer_and_starts_nothing(api: Api, planned: Planned) -> None:
    body = payload("catalog.updated", {"products": [product("A-1")]})
    first = api.webhooks.send(body, webhook_id="msg_once")
    again = api.webhooks.send(body, webhook_id="msg_once")
    assert first.status_code == again.status_code == 202
    assert again.json() == first.json()
    assert again.headers["webhook-replayed"] == "true"
    assert len(runs(api)) == 1 and planned() == 1


def test_concurrent_deliveries_of_one_id_open_one_run(api: Api, planned: Planned) -> None:
    body = payload("catalog.updated", {"products": [product(f"C-{i}") for i in range(20)]})
    headers = api.webhooks.headers(body, webhook_id="msg_raced")
    barrier = threading.Barrier(8)
    answers: list[dict[str, object]] = []

    def send() -> None:
        barrier.wait()
        response = api.webhooks.send(body, headers=headers)
        assert response.status_code == 202
        answers.append(response.json())

    threads = [threading.Thread(target=send) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(answers) == 8 and all(answer == answers[0] for answer in answers)
    assert [run.id for run in runs(api)] == [answers[0]["run_id"]]
    with api.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(WebhookDelivery)).scalar() == 1
    assert planned() == 1


def test_an_oversize_body_is_refused_while_it_is_read(api: Api) -> None:
    big = payload("catalog.updated", {"products": [product(f"B-{i}") for i in range(400)]})
    assert len(big) > 64 * 1024
    declared = api.webhooks.send(big)
    assert declared.status_code == 413

    sent: list[int] = []

    def chunked() -> Iterator[bytes]:  # no Content-Length: the limit must bite while reading
        for start in range(0, len(big), 8192):
            sent.append(start)
            yield big[start : start + 8192]

    streamed = api.webhooks.send(chunked(), headers=api.webhooks.headers(big))  # type: ignore[arg-type]
    assert streamed.status_code == 413
    assert skus(api) == set()


def test_malformed_json_is_a_400_with_details(api: Api) -> None:
    answer = api.webhooks.send(b'{"type": "catalog.updated", "data": ')
    assert answer.status_code == 400
    assert "not JSON" in answer.json()["error"]["message"]


def test_a_bad_signature_is_refused_before_the_body_is_parsed(api: Api) -> None:
    body = b"not json at all"
    headers = dict(api.webhooks.headers(body), **{"webhook-signature": "v1,AAAA"})
    assert api.webhooks.send(body, headers=headers).status_code == 401


def test_payloads_that_are_not_an_event_are_a_422_naming_the_field(api: Api) -> None:
    unknown_type = api.webhooks.event("catalog.exploded", {})
    assert unknown_type.status_code == 422
    assert unknown_type.json()["error"]["errors"][0]["loc"] == ["type"]
    no_products = api.webhooks.event("catalog.updated", {"items": []})
    assert no_products.status_code == 422
    locs = [e["loc"] for e in no_products.json()["error"]["errors"]]
    assert ["data", "products"] in locs
    bad_marketplace = api.webhooks.event("sync.requested", {"marketplaces": ["etsy"]})
    assert bad_marketplace.status_code == 422
    assert runs(api) == []


def test_catalog_deleted_soft_deletes_and_reports_unknown_skus(api: Api) -> None:
    api.webhooks.event("catalog.updated", {"products": [product("D-1"), product("D-2")]})
    answer = api.webhooks.event("catalog.deleted", {"skus": ["D-1", "NOPE"]})
    assert answer.status_code == 202
    body = answer.json()
    assert body["accepted"] == 1 and [r["sku"] for r in body["rejected"]] == ["NOPE"]
    assert skus(api) == {"D-2"} and skus(api, deleted=True) == {"D-1"}
    assert body["run_id"] == runs(api)[-1].id


def test_sync_requested_counts_the_whole_catalogue_or_the_skus_named(api: Api) -> None:
    api.webhooks.event("catalog.updated", {"products": [product(f"S-{i}") for i in range(3)]})
    everything = api.webhooks.event("sync.requested", {"marketplaces": ["ebay"]}).json()
    assert everything["accepted"] == 3 and everything["run_id"]
    some = api.webhooks.event("sync.requested", {"skus": ["S-1", "S-9"]}).json()
    assert some["accepted"] == 1 and [r["sku"] for r in some["rejected"]] == ["S-9"]
    assert len(runs(api)) == 3


def test_no_answer_carries_the_secret(api: Api) -> None:
    secret = api.seller.webhook_secret
    answers = [
        api.webhooks.event("sync.requested", {}, age=900),
        api.webhooks.send(
            b"{}", headers={"webhook-id": "x", "webhook-timestamp": "1", "webhook-signature": secret}
        ),
        api.webhooks.send(b"[", headers=api.webhooks.headers(b"[")),
    ]
    for answer in answers:
        assert secret not in answer.text and secret.removeprefix("whsec_") not in answer.text


def test_deliveries_arriving_together_read_the_sellers_secrets_once(services: Services) -> None:
    with services.engine.begin() as conn:
        add_seller(conn, "shop-2")
    reads: list[str] = []

    def count(conn: object, cursor: object, statement: str, *args: object) -> None:
        if "FROM webhook_secrets" in statement:
            reads.append(statement)

    async def together() -> list[list[str]]:
        return await asyncio.gather(*(seller_secrets(services, "shop-2") for _ in range(10)))

    sa.event.listen(services.engine, "before_cursor_execute", count)
    try:
        first = asyncio.run(together())
        again = asyncio.run(together())  # nothing kept (a TTL of 0 here): read again, once
    finally:
        sa.event.remove(services.engine, "before_cursor_execute", count)
    assert len(reads) == 2
    assert all(got == first[0] and len(got) == 1 for got in [*first, *again])
