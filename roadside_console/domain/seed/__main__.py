"""Seed the database: `python -m roadside_console.domain.seed` creates the demo tenants.

`--bookings N` instead generates N realistic bookings for performance work (see `bulk.py`).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from roadside_console.domain.core.settings import get_settings
from roadside_console.domain.core.uow import UnitOfWork
from roadside_console.domain.seed.demo import DemoLogins, seed_demo

LOGINS_FILE = Path("var/demo-logins.txt")


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and seed."""
    parser = argparse.ArgumentParser(prog="python -m roadside_console.domain.seed")
    parser.add_argument("--bookings", type=int, help="generate N bulk bookings instead of the demo")
    parser.add_argument("--tenant", default=None, help="tenant slug for bulk bookings")
    args = parser.parse_args(argv)
    if args.bookings is not None:
        from roadside_console.domain.seed import bulk

        return bulk.main(
            ["--bookings", str(args.bookings)] + (["--tenant", args.tenant] if args.tenant else [])
        )

    with UnitOfWork() as uow:
        logins = seed_demo(uow, password=get_settings().roadside_demo_password)
    if logins is None:
        where = f"; demo logins are in {LOGINS_FILE}" if LOGINS_FILE.exists() else ""
        print(f"Demo data already present{where}.")
        return 0
    text = _format(logins)
    if not os.environ.get("ROADSIDE_DEMO_PASSWORD"):
        LOGINS_FILE.parent.mkdir(parents=True, exist_ok=True)
        LOGINS_FILE.write_text(text)
        LOGINS_FILE.chmod(0o600)
    sys.stdout.write(text)
    return 0


def _format(logins: DemoLogins) -> str:
    lines = ["", "Demo logins (password for all: " + logins.password + ")"]
    lines += [
        f"  {login.role:<10} {login.email:<32} workspace {login.workspace}"
        for login in logins.logins
    ]
    return "\n".join(lines) + "\n\n"


if __name__ == "__main__":
    raise SystemExit(main())
