"""`listing-sync sellers connect` and `sellers show`: a seller's marketplace accounts, secrets encrypted."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated, Any
from urllib.parse import quote

import typer

from workers.cli.common import USAGE, fail, store
from workers.settings import Settings, SettingsError

if TYPE_CHECKING:
    from workers.accounts import Account

# Where a sandbox marketplace hands out a seller's credentials (the sandboxes' shared inspection layout).
SANDBOX_CREDENTIALS = "/_sandbox/sellers/{seller}/credentials"


def secret(envvar: str, what: str) -> Any:
    """An option for a secret, also read from `envvar` so that it need not appear in a command line."""
    return typer.Option(envvar=envvar, show_default=False, help=f"{what} (secret).")


def sandbox_credentials(url: str, marketplace: str, seller: str) -> dict[str, str]:
    """Ask a running sandbox marketplace for the seller's credentials."""
    from connectors.errors import ConnectorError
    from connectors.http import check, decode, send, shared_session

    route = SANDBOX_CREDENTIALS.format(seller=quote(seller, safe=""))
    try:
        body = decode(check(send(shared_session(), "GET", url.rstrip("/") + route)))
    except ConnectorError as exc:
        fail(f"--sandbox {url}: no {marketplace} sandbox credentials there ({exc.message})")
    if not isinstance(body, dict):
        fail(f"--sandbox {url}: the credentials answer is not a JSON object")
    return {str(k): str(v) for k, v in body.items() if v is not None}


def _settings(pairs: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            fail(f"--setting {pair!r}: expected NAME=VALUE")
        try:
            out[name.strip()] = json.loads(value)
        except ValueError:
            out[name.strip()] = value
    return out


def connect(
    seller: Annotated[str, typer.Argument(metavar="SELLER", help="The seller's id.")],
    marketplace: Annotated[str, typer.Argument(metavar="MARKETPLACE", help="amazon, ebay or tmall.")],
    client_id: Annotated[str | None, typer.Option(help="Amazon LWA / eBay app client id.")] = None,
    client_secret: Annotated[str | None, secret("LISTING_SYNC_CLIENT_SECRET", "App client secret")] = None,
    refresh_token: Annotated[
        str | None, secret("LISTING_SYNC_REFRESH_TOKEN", "The seller's refresh token")
    ] = None,
    app_key: Annotated[str | None, typer.Option(help="TOP app key.")] = None,
    app_secret: Annotated[str | None, secret("LISTING_SYNC_APP_SECRET", "TOP app secret")] = None,
    session: Annotated[str | None, secret("LISTING_SYNC_TOP_SESSION", "The shop's TOP session key")] = None,
    selling_partner_id: Annotated[str | None, typer.Option(help="Amazon: the seller's merchant id.")] = None,
    marketplace_id: Annotated[
        list[str] | None, typer.Option("--marketplace-id", help="e.g. ATVPDKIKX0DER or EBAY_US; repeatable.")
    ] = None,
    endpoint: Annotated[
        str | None, typer.Option(help="API base URL (default: the marketplace's own).")
    ] = None,
    sandbox: Annotated[
        str | None, typer.Option(help="Base URL of a sandbox marketplace; its credentials are used.")
    ] = None,
    setting: Annotated[
        list[str] | None, typer.Option("--setting", help="NAME=VALUE (JSON values allowed); repeatable.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")] = False,
) -> None:
    """Connect a seller's marketplace account; the credentials are stored encrypted."""
    # Imported here: the connectors are slow to import, and every other command would pay for them.
    from connectors.registry import CREDENTIAL_FIELDS
    from workers.accounts import AccountError, list_accounts, save_account

    if marketplace not in CREDENTIAL_FIELDS:
        fail(f"MARKETPLACE: expected one of {', '.join(CREDENTIAL_FIELDS)}, got {marketplace!r}")
    if sandbox and endpoint:
        fail("give --sandbox or --endpoint, not both")
    given = {
        "client_id": client_id,
        "client_secret": client_secret,
        "refresh_token": refresh_token,
        "app_key": app_key,
        "app_secret": app_secret,
        "session": session,
    }
    settings = _settings(setting or [])
    fetched = sandbox_credentials(sandbox, marketplace, seller) if sandbox else {}
    if fetched.get("scope") and "scopes" not in settings:
        settings["scopes"] = fetched["scope"].split()
    partner = selling_partner_id or fetched.get("seller_id")
    if marketplace == "amazon":
        if not partner:
            fail("amazon needs --selling-partner-id (the seller's merchant id)")
        settings["seller_id"] = partner
    credentials = {
        name: given.get(name) or fetched.get(name) or "" for name in CREDENTIAL_FIELDS[marketplace]
    }
    missing = [f"--{name.replace('_', '-')}" for name, value in credentials.items() if not value]
    if missing:
        fail(f"{marketplace} needs {', '.join(missing)}")
    try:
        secret_key = Settings.from_env().secret_key
    except SettingsError as exc:
        fail(str(exc))
    with store() as engine, engine.begin() as conn:
        try:
            save_account(
                conn,
                seller,
                marketplace,
                credentials=credentials,
                secret_key=secret_key,
                endpoint=sandbox or endpoint,
                marketplace_ids=marketplace_id or [],
                settings=settings,
            )
        except AccountError as exc:
            fail(str(exc), USAGE)
        account = next(a for a in list_accounts(conn, seller) if a.marketplace == marketplace)
    if as_json:
        typer.echo(json.dumps(_shown(account)))
        return
    typer.echo(f"Connected {seller} to {account.marketplace} at {account.endpoint} (credentials encrypted).")


def _shown(account: Account) -> dict[str, Any]:
    return {
        "marketplace": account.marketplace,
        "endpoint": account.endpoint,
        "marketplace_ids": account.marketplace_ids,
        "settings": account.settings,
        "credentials": account.credential_names,
        "updated_at": account.updated_at.isoformat() if account.updated_at else None,
    }


def show(
    seller: Annotated[str, typer.Argument(metavar="SELLER", help="The seller's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object instead of text.")] = False,
) -> None:
    """Show the seller's connected marketplace accounts (never the secrets)."""
    from workers.accounts import list_accounts

    with store() as engine, engine.connect() as conn:
        accounts = list_accounts(conn, seller)
    if as_json:
        typer.echo(json.dumps({"seller": seller, "accounts": [_shown(a) for a in accounts]}))
        return
    if not accounts:
        typer.echo(f"{seller} has no marketplace accounts; connect one with `listing-sync sellers connect`.")
    for a in accounts:
        ids = ",".join(a.marketplace_ids) or "-"
        typer.echo(
            f"{a.marketplace}\t{a.endpoint}\t{ids}\tcredentials: {', '.join(a.credential_names)} (encrypted)"
        )


def register(app: typer.Typer) -> None:
    """Add `connect` and `show` to the `sellers` command group."""
    app.command("connect")(connect)
    app.command("show")(show)
