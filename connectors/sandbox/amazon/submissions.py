"""Put, patch and delete a listing as Amazon does: one code path for the Listings Items API and feeds."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from connectors.sandbox.amazon.contract import ATTRIBUTE_PATH
from connectors.sandbox.amazon.requirements import INVALID, issue, listing_issues
from connectors.sandbox.amazon.state import Listing, ListingStore, asin_for, iso
from connectors.sandbox.ledger import Ledger

NOT_LISTED = "4000004"
BAD_PATCH = "4000005"


@dataclass
class Submission:
    """The outcome of one submission, shaped as `ListingsItemSubmissionResponse` by `body`."""

    sku: str
    status: str
    issues: list[dict[str, Any]] = field(default_factory=list)
    identifiers: list[dict[str, str]] = field(default_factory=list)
    submission_id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def errors(self) -> list[dict[str, Any]]:
        return [i for i in self.issues if i["severity"] == "ERROR"]

    def body(self, included: Sequence[str] = ("issues",)) -> dict[str, Any]:
        answer: dict[str, Any] = {"sku": self.sku, "status": self.status, "submissionId": self.submission_id}
        if "issues" in included:
            answer["issues"] = self.issues
        if "identifiers" in included:
            answer["identifiers"] = self.identifiers
        return answer


def _same_place(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return a.get("marketplace_id") == b.get("marketplace_id") and a.get("language_tag") == b.get(
        "language_tag"
    )


def apply_patches(
    attributes: dict[str, Any], patches: Sequence[Any]
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The attributes after the JSON Patch operations (add, replace, merge, delete), and bad operations."""
    result = copy.deepcopy(attributes)
    problems = []
    for i, patch in enumerate(patches):
        op = patch.get("op") if isinstance(patch, dict) else None
        path = patch.get("path") if isinstance(patch, dict) else None
        if not isinstance(path, str) or not ATTRIBUTE_PATH.match(path):
            message = f"Patch {i}: path {path!r} is not /attributes/<top-level attribute>."
            problems.append(issue(BAD_PATCH, message, None, "INVALID_ATTRIBUTE"))
            continue
        name = path.split("/")[2]
        value = patch.get("value")
        if op in ("add", "replace", "merge") and not isinstance(value, list):
            problems.append(
                issue(BAD_PATCH, f"Patch {i}: '{op}' needs a 'value' list.", name, "INVALID_ATTRIBUTE")
            )
        elif op in ("add", "replace"):
            result[name] = copy.deepcopy(value)
        elif op == "merge":
            entries = result.setdefault(name, [])
            for new in value:
                old = next((e for e in entries if isinstance(e, dict) and _same_place(e, new)), None)
                if old is None:
                    entries.append(copy.deepcopy(new))
                else:
                    old.update(copy.deepcopy(new))
        elif op == "delete":
            if isinstance(value, list) and value:
                kept = [e for e in result.get(name, []) if not any(_same_place(e, v) for v in value)]
                if kept:
                    result[name] = kept
                else:
                    result.pop(name, None)
            else:
                result.pop(name, None)
        else:
            problems.append(
                issue(BAD_PATCH, f"Patch {i}: op {op!r} is not supported.", name, "INVALID_ATTRIBUTE")
            )
    return result, problems


class Submissions:
    """Applies submissions to the store and records every accepted write in the ledger."""

    def __init__(self, store: ListingStore, ledger: Ledger, clock: Callable[[], float]) -> None:
        self.store = store
        self.ledger = ledger
        self._clock = clock

    def put(
        self, seller_id: str, marketplace_ids: Sequence[str], sku: str, body: dict[str, Any], *, preview: bool
    ) -> Submission:
        """Create or fully replace the listing (putListingsItem, a feed's UPDATE)."""
        product_type, attributes = body["productType"], body["attributes"]
        requirements = body.get("requirements", "LISTING")
        issues = listing_issues(product_type, requirements, attributes, marketplace_ids)
        return self._finish(
            seller_id, marketplace_ids, sku, product_type, requirements, attributes, issues, preview
        )

    def patch(
        self, seller_id: str, marketplace_ids: Sequence[str], sku: str, body: dict[str, Any], *, preview: bool
    ) -> Submission:
        """Change attributes of an existing listing (patchListingsItem, a feed's PATCH or PARTIAL_UPDATE)."""
        product_type = body["productType"]
        existing = [self.store.get(seller_id, m, sku) for m in marketplace_ids]
        missing = [m for m, listing in zip(marketplace_ids, existing, strict=True) if listing is None]
        if missing:
            message = (
                f"The SKU '{sku}' is not listed in marketplace {missing[0]}; create it with a put first."
            )
            return Submission(sku, "INVALID", [issue(NOT_LISTED, message, None, "OTHER")])
        current = existing[0]
        assert current is not None
        issues: list[dict[str, Any]] = []
        if current.product_type != product_type:
            why = f"the listing's product type is '{current.product_type}', not '{product_type}'."
            issues.append(
                issue(INVALID, f"The provided value for 'productType' is invalid: {why}", None, "OTHER")
            )
        attributes, problems = apply_patches(current.attributes, body["patches"])
        issues.extend(problems)
        issues.extend(listing_issues(current.product_type, current.requirements, attributes, marketplace_ids))
        return self._finish(
            seller_id,
            marketplace_ids,
            sku,
            current.product_type,
            current.requirements,
            attributes,
            issues,
            preview,
        )

    def delete(self, seller_id: str, marketplace_ids: Sequence[str], sku: str) -> Submission:
        """End the listing; deleting one that is not there is accepted and changes nothing."""
        for marketplace_id in marketplace_ids:
            if self.store.delete(seller_id, marketplace_id, sku):
                self.ledger.ended(seller_id, sku)
        return Submission(sku, "ACCEPTED")

    def _finish(
        self,
        seller_id: str,
        marketplace_ids: Sequence[str],
        sku: str,
        product_type: str,
        requirements: str,
        attributes: dict[str, Any],
        issues: list[dict[str, Any]],
        preview: bool,
    ) -> Submission:
        asin = asin_for(seller_id, sku, attributes)
        identifiers = [{"marketplaceId": m, "asin": asin} for m in marketplace_ids]
        if any(i["severity"] == "ERROR" for i in issues):
            return Submission(sku, "INVALID", issues)
        if preview:
            return Submission(sku, "VALID", issues, identifiers)
        now = iso(self._clock())
        for marketplace_id in marketplace_ids:
            old = self.store.get(seller_id, marketplace_id, sku)
            listing = Listing(
                seller_id,
                marketplace_id,
                sku,
                product_type,
                requirements,
                attributes,
                created=old.created if old else now,
                updated=now,
                asin=asin,
                issues=[i for i in issues if i["severity"] != "ERROR"],
            )
            if self.store.save(listing):
                self.ledger.created(seller_id, sku)
            else:
                self.ledger.updated(seller_id, sku)
        return Submission(sku, "ACCEPTED", issues, identifiers)
