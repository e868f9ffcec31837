"""Run every benchmark with its defaults and print the results."""

from __future__ import annotations

import sys

from bench import api_load, bulk_seed, console_load, dispatch, payouts, pricing, webhooks

BENCHMARKS = {
    "bulk_seed": bulk_seed.main,
    "pricing": pricing.main,
    "dispatch": dispatch.main,
    "payouts": payouts.main,
    "webhooks": webhooks.main,
    "api_load": api_load.main,
    "console_load": console_load.main,
}


def main() -> int:
    """Run each benchmark in turn; stop at the first failure."""
    for name, run in BENCHMARKS.items():
        print(f"== {name}", flush=True)
        status = run([])
        if status:
            return status
    return 0


if __name__ == "__main__":
    sys.exit(main())
