"""``trdplanner key``: a clinician's signing key (create, rotate, revoke, list).

A signing password is never an argument (other users can read argument lists): it comes
from ``--password-file FILE`` (its first line), or a prompt when run at a terminal.
Other signing commands read it the same way through :func:`signing_password`.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trdplanner.cli import output
from trdplanner.core.errors import InputError

if TYPE_CHECKING:  # the composition root loads the database layer; only the handlers need it
    from trdplanner.context import AppContext


def add_password_file(parser: argparse.ArgumentParser, name: str = "--password-file", what: str = "signing") -> None:
    parser.add_argument(name, type=Path, metavar="FILE",
                        help=f"read the {what} password from the first line of FILE (else you are asked at a terminal)")


def signing_password(file: Path | None, prompt: str = "Signing password: ", *, confirm: bool = False) -> str:
    """The password from FILE, or typed at a terminal; InputError if neither is possible."""
    from trdplanner.core.crypto import read_passphrase_file

    if file is not None:
        try:
            return read_passphrase_file(file)
        except InputError as exc:
            raise InputError("password-file", exc.problem) from None
    if not sys.stdin.isatty():
        raise InputError("password-file", "give the signing password with --password-file FILE or run at a terminal")
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Type it again: ") != first:
        raise InputError("signing password", "the two entries differ")
    return first


def register(commands: Any) -> None:
    key = commands.add_parser("key", help="a clinician's signing key: create, rotate, revoke, list")
    sub = key.add_subparsers(dest="key_command", metavar="ACTION", required=True)
    create = sub.add_parser("create", help="create the clinician's signing key, sealed with their signing password")
    create.add_argument("clinician", type=int, metavar="CLINICIAN_ID")
    add_password_file(create)
    create.set_defaults(handler=run_create)
    rotate = sub.add_parser("rotate", help="replace the clinician's key (the old key signs the hand-over)")
    rotate.add_argument("clinician", type=int, metavar="CLINICIAN_ID")
    add_password_file(rotate)
    add_password_file(rotate, "--new-password-file", "new signing")
    rotate.set_defaults(handler=run_rotate)
    revoke = sub.add_parser("revoke", help="stop the clinician's key signing anything from now on")
    revoke.add_argument("clinician", type=int, metavar="CLINICIAN_ID")
    add_password_file(revoke)
    revoke.set_defaults(handler=run_revoke)
    ls = sub.add_parser("list", help="every signing key this database knows, with fingerprints")
    ls.set_defaults(handler=run_list)


def run_create(ctx: AppContext, args: argparse.Namespace) -> int:
    password = signing_password(args.password_file, "New signing password: ", confirm=args.password_file is None)
    info = ctx.signing.create_key(args.clinician, password)
    print(f"Signing key created for {info.holder_name}. Fingerprint: {info.fingerprint}")
    return 0


def run_rotate(ctx: AppContext, args: argparse.Namespace) -> int:
    old = signing_password(args.password_file, "Current signing password: ")
    new = signing_password(args.new_password_file, "New signing password: ", confirm=args.new_password_file is None)
    info = ctx.signing.rotate(args.clinician, old, new)
    print(f"New signing key for {info.holder_name}. Fingerprint: {info.fingerprint}")
    return 0


def run_revoke(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.core.signing import short

    info = ctx.signing.revoke(args.clinician, signing_password(args.password_file))
    print(f"Key {short(info.fingerprint)} of {info.holder_name} revoked; what it signed before stays valid.")
    return 0


def run_list(ctx: AppContext, args: argparse.Namespace) -> int:
    rows = [
        [str(k.clinician_id or "-"), k.holder_name, "this practice" if k.origin == "local" else "elsewhere",
         k.created_at.astimezone().strftime("%Y-%m-%d"),
         k.revoked_at.astimezone().strftime("%Y-%m-%d") if k.revoked_at else "", k.fingerprint]
        for k in ctx.signing.list_keys()
    ]
    if not rows:
        print("No signing keys yet.")
        return 0
    print(output.table(rows, ["Clinician", "Holder", "Key of", "Created", "Revoked", "Fingerprint"]))
    return 0
