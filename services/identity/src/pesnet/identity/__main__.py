"""`python -m pesnet.identity`: run the service.

`python -m pesnet.identity create-admin USERNAME`: create the first administrator
(the password from `PESNET_ADMIN_PASSWORD`, else asked for); refused once an
administrator exists."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys

from pesnet.identity.bootstrap import build_app, create_first_administrator
from pesnet.identity.settings import Settings
from pesnet.shared.errors import DomainError
from pesnet.shared.http import serve
from pesnet.shared.settings import load_settings


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m pesnet.identity")
    commands = parser.add_subparsers(dest="command")
    create = commands.add_parser("create-admin", help="create the first administrator")
    create.add_argument("username")
    args = parser.parse_args(argv)
    if args.command is None:
        serve(load_settings(Settings), build_app)
        return 0
    settings = load_settings(Settings)
    password = os.environ.get("PESNET_ADMIN_PASSWORD") or getpass.getpass("password: ")
    try:
        account_id = asyncio.run(create_first_administrator(settings, args.username, password))
    except DomainError as exc:
        print(f"refused: {exc.text}", file=sys.stderr)
        return 1
    print(f"administrator {args.username} created: {account_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
