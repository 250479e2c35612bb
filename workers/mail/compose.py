"""Compose an alert e-mail: text and HTML alternatives, the two images inline, signed confirm/dismiss links.

Every header is set through `EmailMessage` and `email.headerregistry`, and every value from a listing is
folded to one line first: a title or seller name with line breaks or odd Unicode cannot add a header.
"""

from __future__ import annotations

import datetime as dt
import html
import unicodedata
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any, cast

from workers.mail.errors import PermanentMailError

SUBJECT_LIMIT = 180
MAX_IMAGED_ITEMS = 10  # a digest shows images for this many findings; the rest as text only


@dataclass(frozen=True)
class AlertContent:
    """What one alert e-mail says: the finding, who it goes to, the links and the two thumbnails."""

    finding_id: int
    brand: str
    marketplace: str
    listing_id: str
    score: float
    evidence: dict[str, Any]
    recipient: str
    sender: str
    confirm_url: str
    dismiss_url: str
    listing_thumbnail: bytes | None
    brand_thumbnail: bytes | None


def one_line(value: object, limit: int | None = None) -> str:
    """`value` as one line: control, format and separator characters become spaces, runs collapse."""
    text = "".join(" " if unicodedata.category(ch)[0] in "CZ" and ch != " " else ch for ch in str(value))
    text = " ".join(text.split())
    if limit is not None and len(text) > limit:
        text = text[: limit - 1] + "…"
    return text


def _address(value: str, field: str) -> Address:
    try:
        address = Address(addr_spec=one_line(value))
    except (ValueError, IndexError) as exc:
        raise PermanentMailError(f"{field}: not a usable e-mail address ({exc})") from None
    if not address.domain:
        raise PermanentMailError(f"{field}: not a usable e-mail address (no domain)")
    return address


def _facts(content: AlertContent) -> list[tuple[str, str]]:
    ev = content.evidence
    return [
        ("Title", one_line(ev.get("title", ""))),
        ("Seller", one_line(ev.get("seller", ""))),
        ("Price", one_line(f"{ev.get('price', '?')} {ev.get('currency', '')}")),
        ("Marketplace", one_line(f"{content.marketplace} listing {content.listing_id}")),
        ("Link", one_line(ev.get("url", ""))),
        ("Score", f"{content.score:.2f}"),
    ]


def _reasons(content: AlertContent) -> list[str]:
    return [one_line(r) for r in content.evidence.get("reasons", [])]


def _item_text(content: AlertContent) -> list[str]:
    return [
        *(f"{label}: {value}" for label, value in _facts(content)),
        "",
        "Evidence:",
        *(f"  - {reason}" for reason in _reasons(content)),
        "",
        f"Confirm it is a counterfeit: {content.confirm_url}",
        f"Dismiss it (this seller is genuine): {content.dismiss_url}",
    ]


def _image_cell(cid: str | None, caption: str) -> str:
    if cid is None:
        return f"<td><p>{caption}: image unavailable</p></td>"
    return f'<td><img src="cid:{cid[1:-1]}" alt="{caption}" width="240"><br>{caption}</td>'


def _item_html(content: AlertContent, listing_cid: str | None, brand_cid: str | None) -> str:
    e = html.escape
    rows = "".join(f"<tr><th align='left'>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in _facts(content))
    reasons = "".join(f"<li>{e(r)}</li>" for r in _reasons(content))
    return (
        f"<table><tr>{_image_cell(listing_cid, 'The listing')}{_image_cell(brand_cid, 'Your image')}"
        "</tr></table>"
        f"<table>{rows}</table><p>Evidence:</p><ul>{reasons}</ul>"
        f'<p><a href="{e(content.confirm_url)}">Confirm: it is a counterfeit</a> &middot; '
        f'<a href="{e(content.dismiss_url)}">Dismiss: this seller is genuine</a></p>'
    )


def _build(items: list[AlertContent], subject: str, intro: str, message_id: str) -> EmailMessage:
    """multipart/alternative: text, then HTML related to the items' inline images."""
    first = items[0]
    msg = EmailMessage()
    msg["From"] = _address(first.sender, "sender")
    msg["To"] = _address(first.recipient, "recipient")
    msg["Subject"] = one_line(subject, SUBJECT_LIMIT)
    msg["Message-ID"] = message_id
    msg["Date"] = format_datetime(dt.datetime.now(dt.UTC))
    msg["X-Listing-Sync-Finding"] = " ".join(str(item.finding_id) for item in items)
    domain = message_id.rsplit("@", 1)[-1].rstrip(">")
    images: list[tuple[str, bytes, str]] = []
    text = [intro, ""]
    sections = []
    for number, item in enumerate(items, 1):
        cids: list[str | None] = []
        for kind, data in (("listing", item.listing_thumbnail), ("brand", item.brand_thumbnail)):
            cid = make_msgid(kind, domain) if data and len(images) < 2 * MAX_IMAGED_ITEMS else None
            if cid is not None and data is not None:
                images.append((cid, data, f"{kind}-{number}.jpg"))
            cids.append(cid)
        heading = (
            f"{number}. {item.marketplace} listing {one_line(item.listing_id)}" if len(items) > 1 else ""
        )
        text += [heading, *_item_text(item), ""] if heading else [*_item_text(item), ""]
        sections.append((f"<h3>{html.escape(heading)}</h3>" if heading else "") + _item_html(item, *cids))
    msg.set_content("\n".join(text))
    msg.add_alternative(
        f"<!doctype html><html><body><p>{html.escape(intro)}</p>{'<hr>'.join(sections)}</body></html>",
        subtype="html",
    )
    html_part = cast(EmailMessage, cast(list[Any], msg.get_payload())[1])
    for cid, data, name in images:
        html_part.add_related(data, "image", "jpeg", cid=cid, disposition="inline", filename=name)
    return msg


def compose(content: AlertContent, message_id: str) -> EmailMessage:
    """One finding's alert: text and HTML, the listing's and the brand's images side by side."""
    brand = one_line(content.brand)
    title = one_line(content.evidence.get("title", ""))
    subject = f"Suspected counterfeit of {brand} on {content.marketplace}: {title}"
    intro = f"A listing on {content.marketplace} looks like a copy of {brand}'s product images."
    return _build([content], subject, intro, message_id)


def compose_digest(items: list[AlertContent], message_id: str) -> EmailMessage:
    """One contact's daily digest: every finding not yet mailed to it, images for the first ten."""
    if not items:
        raise ValueError("a digest needs at least one finding")
    brand = one_line(items[0].brand)
    subject = f"{len(items)} suspected counterfeit{'s' if len(items) > 1 else ''} of {brand}"
    intro = f"Listings that look like copies of {brand}'s product images, found since the last digest."
    return _build(items, subject, intro, message_id)
