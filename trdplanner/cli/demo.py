"""``trdplanner demo``: create the demo practice."""

from __future__ import annotations

import argparse
import importlib.metadata
import os
import shlex
import site
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import trdplanner

if TYPE_CHECKING:  # the composition root loads the database layer; only the handlers need it
    from trdplanner.context import AppContext


def register(commands: Any) -> None:
    demo = commands.add_parser("demo", help="create a demo practice with synthetic patients")
    demo.add_argument(
        "--no-encryption",
        action="store_true",
        help="keep a NEW demo database unencrypted (synthetic patients only; never for real records)",
    )
    demo.set_defaults(handler=run_demo)


def _installed() -> bool:
    """Whether ``python -m trdplanner`` works from any folder: installed (or editable) in site-packages.

    A checkout that was once built holds a trdplanner.egg-info beside the package, which
    importlib.metadata also finds while the checkout is on the path; that one does not count.
    """
    sites = {Path(p).resolve() for p in [*site.getsitepackages(), site.getusersitepackages()]}
    return any(
        Path(str(dist.locate_file(""))).resolve() in sites
        for dist in importlib.metadata.distributions(name="trdplanner")
    )


def try_command(ctx: AppContext, args: argparse.Namespace, *action: str) -> str:
    """A command that reaches this practice as printed: this Python, this data dir, this database.

    "trdplanner" alone may not be on PATH (a virtual environment that is not activated), and
    without --data-dir it would open the default, empty practice instead of the demo.
    """
    frozen = bool(getattr(sys, "frozen", False))  # the packaged app: the executable is the app itself
    argv = [sys.executable, *([] if frozen else ["-m", "trdplanner"]), "--data-dir", str(ctx.paths.data_dir)]
    if args.db:
        argv += ["--db", args.db]
    if args.passphrase_file:
        argv += ["--passphrase-file", str(Path(args.passphrase_file).resolve())]
    argv += list(action)
    if os.name == "nt":
        return subprocess.list2cmdline(argv)
    command = shlex.join(argv)
    if not frozen and not _installed():  # run from a checkout: python finds the package only through PYTHONPATH
        root = Path(trdplanner.__file__).resolve().parent.parent
        command = f"PYTHONPATH={shlex.quote(str(root))} {command}"
    return command


def run_demo(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.core.demo import create_demo
    from trdplanner.core.demo_group import DEMO_GROUP_NAME, create_demo_group

    added, present = create_demo(ctx)
    group_added = create_demo_group(ctx)
    if added:
        print(
            f"Demo practice ready: {added} synthetic patients added"
            + (f", {present} already there." if present else ".")
        )
    else:
        print(f"Demo practice already present ({present} patients); nothing added.")
    print("All demo people are invented. Try:")
    print(f"    {try_command(ctx, args, 'patient', 'list')}")
    if group_added:
        print("A DBT skills group of six ran for four weeks (attendance, homework, a signed note per member):")
        print(f"    {try_command(ctx, args, 'group', 'show', DEMO_GROUP_NAME)}")
    if ctx.key is not None and not args.passphrase_file:
        print("(The demo database is encrypted: keep TRDPLANNER_PASSPHRASE set, or add --passphrase-file FILE.)")
    return 0
