"""The contract check on its own: requests shaped as the models say pass, others are named and refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests
from amazon_helpers import US, amazon_attributes

from connectors.sandbox.amazon import CapturedRequest, check_request
from connectors.sandbox.amazon.spec import MODEL_FILES

TOKEN = {"x-amz-access-token": "Atza|x"}
JSON = {**TOKEN, "Content-Type": "application/json"}
PATH = "/listings/2021-08-01/items/A1SELLER/SKU%2F1"


def put(
    query: str = f"marketplaceIds={US}", body: object = None, headers: dict[str, str] = JSON
) -> CapturedRequest:
    body = {"productType": "PRODUCT", "attributes": amazon_attributes()} if body is None else body
    return CapturedRequest("PUT", PATH, query, headers, json.dumps(body).encode())


def names(request: CapturedRequest) -> list[str]:
    return [f"{p.location}:{p.name}" for p in check_request(request)]


def test_a_put_shaped_as_the_model_says_has_no_problems() -> None:
    assert check_request(put()) == []
    assert (
        check_request(put(f"marketplaceIds={US}&includedData=issues,identifiers&mode=VALIDATION_PREVIEW"))
        == []
    )


def test_every_operation_of_both_models_is_known() -> None:
    for method, path in [
        ("GET", f"{PATH}?marketplaceIds={US}"),
        ("DELETE", f"{PATH}?marketplaceIds={US}"),
        ("GET", f"/listings/2021-08-01/items/A1SELLER?marketplaceIds={US}"),
        ("GET", "/feeds/2021-06-30/feeds/123"),
        ("DELETE", "/feeds/2021-06-30/feeds/123"),
        ("GET", "/feeds/2021-06-30/feeds?feedTypes=JSON_LISTINGS_FEED"),
        ("GET", "/feeds/2021-06-30/documents/amzn1.tortuga.4.na.x"),
    ]:
        route, _, query = path.partition("?")
        assert check_request(CapturedRequest(method, route, query, TOKEN)) == [], (method, path)


def test_a_missing_marketplace_is_named() -> None:
    problems = check_request(put(query=""))
    assert [(p.location, p.name, p.status) for p in problems] == [("query", "marketplaceIds", 400)]
    assert "required" in problems[0].message


@pytest.mark.parametrize(
    ("query", "name"),
    [
        (f"marketplaceIds={US},A1F83G8C2ARO7P", "marketplaceIds"),  # put takes one marketplace
        ("marketplaceIds=XX_NOT_A_MARKETPLACE", "marketplaceIds"),
        (f"marketplaceIds={US}&marketplaceIds={US}", "marketplaceIds"),  # csv, not repeated
        (f"marketplaceIds={US}&includedData=summaries", "includedData"),  # not an enum value of put
        (f"marketplaceIds={US}&mode=PREVIEW", "mode"),
        (f"marketplaceIds={US}&marketplaceId={US}", "marketplaceId"),  # unknown parameter
        (f"marketplaceIds={US}&includedData=identifiers", "includedData"),  # only with VALIDATION_PREVIEW
    ],
)
def test_a_query_breaking_the_model_is_named(query: str, name: str) -> None:
    assert names(put(query=query)) == [f"query:{name}"]


def test_a_body_breaking_the_schema_is_named() -> None:
    assert names(put(body={"productType": "PRODUCT"})) == ["body:body"]
    assert names(put(body={"productType": 7, "attributes": {}})) == ["body:productType"]
    assert names(put(body={"productType": "PRODUCT", "attributes": {}, "requirements": "ALL"})) == [
        "body:requirements"
    ]


def test_a_body_that_is_not_json_or_not_declared_json_is_refused() -> None:
    raw = CapturedRequest("PUT", PATH, f"marketplaceIds={US}", JSON, b"{not json")
    assert names(raw) == ["body:body"]
    as_text = put(headers={**TOKEN, "Content-Type": "text/plain"})
    assert [(p.name, p.status) for p in check_request(as_text)] == [("Content-Type", 415)]


def test_a_missing_access_token_is_a_403_problem() -> None:
    problems = check_request(put(headers={"Content-Type": "application/json"}))
    assert [(p.name, p.status) for p in problems] == [("x-amz-access-token", 403)]


def test_patch_paths_must_name_a_top_level_attribute_and_carry_a_value() -> None:
    body = {
        "productType": "PRODUCT",
        "patches": [
            {"op": "replace", "path": "/attributes/item_name/0/value", "value": [{"value": "x"}]},
            {"op": "merge", "path": "/attributes/brand"},
            {"op": "delete", "path": "/attributes/bullet_point"},
        ],
    }
    request = CapturedRequest("PATCH", PATH, f"marketplaceIds={US}", JSON, json.dumps(body).encode())
    assert names(request) == ["body:patches[0].path", "body:patches[1].value"]


def test_unknown_paths_and_methods_are_not_operations() -> None:
    assert [p.status for p in check_request(CapturedRequest("GET", "/listings/2020-09-01/items/A/B"))] == [
        404
    ]
    assert [
        p.status for p in check_request(CapturedRequest("POST", PATH, f"marketplaceIds={US}", TOKEN))
    ] == [404]


def test_query_types_and_bounds_come_from_the_model() -> None:
    search = "/listings/2021-08-01/items/A1SELLER"
    too_big = CapturedRequest("GET", search, f"marketplaceIds={US}&pageSize=21", TOKEN)
    not_int = CapturedRequest("GET", search, f"marketplaceIds={US}&pageSize=ten", TOKEN)
    bad_date = CapturedRequest("GET", search, f"marketplaceIds={US}&createdAfter=yesterday", TOKEN)
    assert names(too_big) == names(not_int) == ["query:pageSize"]
    assert names(bad_date) == ["query:createdAfter"]
    assert names(CapturedRequest("GET", search, {"marketplaceIds": [US], "pageSize": ["20"]}, TOKEN)) == []


def test_the_token_request_needs_a_form_with_all_four_fields() -> None:
    form = b"grant_type=refresh_token&refresh_token=Atzr%7Cx&client_id=id&client_secret=secret"
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    assert check_request(CapturedRequest("POST", "/auth/o2/token", "", headers, form)) == []
    missing = CapturedRequest("POST", "/auth/o2/token", "", headers, b"grant_type=refresh_token&client_id=id")
    assert [p.name for p in check_request(missing)] == ["refresh_token", "client_secret"]
    as_json = CapturedRequest("POST", "/auth/o2/token", "", {"Content-Type": "application/json"}, b"{}")
    assert [p.name for p in check_request(as_json)] == ["Content-Type"]


def test_a_prepared_requests_request_can_be_checked() -> None:
    good = requests.Request(
        "PUT",
        "http://127.0.0.1:1/listings/2021-08-01/items/A1SELLER/RED%2F42",
        params={"marketplaceIds": US, "includedData": "issues"},
        json={"productType": "PRODUCT", "attributes": amazon_attributes()},
        headers=TOKEN,
    ).prepare()
    assert check_request(CapturedRequest.from_prepared(good)) == []
    bad = requests.Request(
        "GET", "http://127.0.0.1:1/listings/2021-08-01/items/A1SELLER/X", headers=TOKEN
    ).prepare()
    assert names(CapturedRequest.from_prepared(bad)) == ["query:marketplaceIds"]


def _shared_models() -> Path | None:
    here = Path(__file__).resolve()
    for parent in here.parents:
        for candidate in (
            parent / "shared" / "api-models" / "amazon",
            parent.parent / "shared" / "api-models" / "amazon",
        ):
            if candidate.is_dir():
                return candidate
    return None


@pytest.mark.skipif(
    _shared_models() is None, reason="the shared api-models folder is not beside this checkout"
)
def test_the_packaged_models_are_the_published_ones_unchanged() -> None:
    shared = _shared_models()
    assert shared is not None
    packaged = Path(__file__).resolve().parents[3] / "connectors" / "sandbox" / "amazon" / "models"
    for name in MODEL_FILES.values():
        assert (packaged / name).read_bytes() == (shared / name).read_bytes(), name
