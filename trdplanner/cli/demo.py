"""``trdplanner demo``: create the demo practice."""

from __future__ import annotations

import argparse
from typing import Any

from trdplanner.context import AppContext


def register(commands: Any) -> None:
    demo = commands.add_parser("demo", help="create a demo practice with synthetic patients")
    demo.add_argument(
        "--no-encryption",
        action="store_true",
        help="keep a NEW demo database unencrypted (synthetic patients only; never for real records)",
    )
    demo.set_defaults(handler=run_demo)


def run_demo(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.core.demo import create_demo

    added, present = create_demo(ctx)
    if added:
        print(
            f"Demo practice ready: {added} synthetic patients added"
            + (f", {present} already there." if present else ".")
        )
    else:
        print(f"Demo practice already present ({present} patients); nothing added.")
    print("All demo people are invented. Try: trdplanner patient list")
    return 0
