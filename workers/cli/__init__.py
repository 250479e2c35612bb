"""The `listing-sync` command line: one module per command group, each command with --help.

Every command imports what it works with (SQLAlchemy and the store, the broker, the connectors, the brand
matcher...) inside its function, and only typer and the command definitions are imported here: `--help` and
a usage error then cost a fraction of a second instead of importing everything for every command. Types
that typer reads from the signatures (enums, defaults) come from light modules such as
`workers.values`; the rest are imported under `TYPE_CHECKING` only.
"""

from __future__ import annotations

import typer

from workers.cli import (
    accounts,
    api,
    brands,
    check,
    findings,
    imports,
    sandbox,
    scan,
    scheduler,
    sellers,
    serve,
    status,
    sync,
    worker,
)

app = typer.Typer(
    name="listing-sync",
    help="Keep a seller's catalogue live on Amazon, eBay and Tmall.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold secrets
)
accounts.register(sellers.app)  # sellers connect / sellers show
app.add_typer(sellers.app, name="sellers")
app.add_typer(brands.app, name="brands")
app.command("check")(check.check)
app.command("import")(imports.import_file)
app.command("status")(status.status)
app.command("sandbox")(sandbox.sandbox)
app.add_typer(findings.app, name="findings")
app.command("sync")(sync.sync)
app.command("scan")(scan.scan)
app.command("worker")(worker.worker)
app.command("api")(api.api)
app.command("scheduler")(scheduler.scheduler)
app.command("serve")(serve.serve)


def main() -> None:
    app()
