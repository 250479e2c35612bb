"""`python -m workers.store revision MESSAGE`: write a new migration from the models (see `migrate`)."""

from __future__ import annotations

import argparse

from workers.store.migrate import new_revision

parser = argparse.ArgumentParser(prog="python -m workers.store")
commands = parser.add_subparsers(dest="command", required=True)
commands.add_parser("revision", help="write a new migration from the models").add_argument("message")
args = parser.parse_args()
print(f"wrote {new_revision(args.message)}: review it before committing")
