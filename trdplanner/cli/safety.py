"""Data-safety commands: backup, restore, audit, encrypt, passphrase change, patient purge.

Passphrases are never arguments (other users can read a process's argument list): they come
from $TRDPLANNER_PASSPHRASE or ``--passphrase-file``, and a new one from
$TRDPLANNER_NEW_PASSPHRASE or ``--new-passphrase-file`` (or a prompt on a terminal).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trdplanner.cli import output
from trdplanner.cli.args import patient_id
from trdplanner.core.errors import InputError
from trdplanner.core.serialize import to_data
from trdplanner.core.vocab import PatientStatus
from trdplanner.paths import PASSPHRASE_ENV, AppPaths

if TYPE_CHECKING:  # the composition root loads the database layer; only the handlers need it
    from trdplanner.context import AppContext

NEW_PASSPHRASE_ENV = "TRDPLANNER_NEW_PASSPHRASE"


def register(commands: Any) -> None:
    b = commands.add_parser("backup", help="write a verified copy of the database (encrypted like it) to FILE")
    b.add_argument("file", type=Path, metavar="FILE")
    b.set_defaults(handler=run_backup)

    r = commands.add_parser(
        "restore",
        help="replace the database with a backup (checked first; the current database is kept aside)",
        description="Replace the database with the backup FILE. The backup must open with the passphrase "
        "(the one it was made with), pass SQLite's integrity check, hold TRD Planner's schema with its "
        "protections, and pass the checks of 'audit verify' (chain, signatures, the anchor written beside it) "
        "before anything is replaced. If the current database holds records the backup lacks, they are listed "
        "and you are asked; --yes answers for scripts, and without a terminal and without --yes it refuses. The "
        "current database is moved to <name>.before-restore-<time>. Refused while the app has the data open.",
    )
    r.add_argument("file", type=Path, metavar="FILE")
    r.add_argument("--yes", action="store_true",
                   help="do not ask before losing what the current database holds that the backup lacks (scripts)")
    r.set_defaults(standalone=run_restore)

    audit = commands.add_parser("audit", help="check or list the audit trail")
    sub = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    v = sub.add_parser(
        "verify",
        help="check the audit chain, every signed note, addendum and signing key; names each failure (exit 4)",
    )
    v.add_argument("--anchor", type=Path, metavar="FILE",
                   help="also check against an anchor file saved earlier (a copy of audit-anchor.json, or a "
                   "backup's .anchor.json)")
    v.set_defaults(handler=run_audit_verify)
    acc = sub.add_parser(
        "accept",
        help="after looking into an anchor problem (rolled back, truncated, rewritten): accept the database as it "
        "is now; recorded in the audit trail",
    )
    acc.set_defaults(handler=run_audit_accept)
    ls = sub.add_parser("list", help="the newest audit events")
    ls.add_argument("--limit", type=int, default=50, help="how many (default 50; 0 for all)")
    ls.add_argument("--action", default="", help="only actions starting with this, e.g. note. or backup")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(handler=run_audit_list)

    enc = commands.add_parser(
        "encrypt",
        help="encrypt an unencrypted database in place with a new passphrase (verified copy first)",
        description="Encrypt a plain database with SQLCipher. The new passphrase comes from "
        f"{PASSPHRASE_ENV}, --passphrase-file, or a prompt. An encrypted copy is written and verified "
        "(integrity check, row counts of every table) before it replaces the plain file, which is then "
        "overwritten and removed. Close the app first.",
    )
    enc.add_argument(
        "--wipe-plain-copies",
        action="store_true",
        help="also overwrite and remove unencrypted upgrade copies and backups in the data folder",
    )
    enc.set_defaults(standalone=run_encrypt)

    pp = commands.add_parser("passphrase", help="change the database passphrase")
    pp_sub = pp.add_subparsers(dest="passphrase_command", metavar="ACTION", required=True)
    change = pp_sub.add_parser(
        "change",
        help="re-key the database with a new passphrase",
        description=f"The current passphrase comes from {PASSPHRASE_ENV} or --passphrase-file; the new one "
        f"from {NEW_PASSPHRASE_ENV}, --new-passphrase-file, or a prompt. Backups made before keep the passphrase "
        "they were made with. Close the app first.",
    )
    change.add_argument("--new-passphrase-file", type=Path, metavar="FILE", help="the new passphrase's file")
    change.set_defaults(standalone=run_passphrase_change)

    _register_purge(commands)


def _register_purge(commands: Any) -> None:
    """``patient purge``: added to the existing ``patient`` command's actions."""
    patient = commands.choices["patient"]
    actions = next(a for a in patient._actions if isinstance(a, argparse._SubParsersAction))
    purge = actions.add_parser(
        "purge",
        help="delete an ARCHIVED patient's whole record for good (asks for confirmation; audited)",
        description="Delete an archived patient and everything recorded for them, signed notes included. "
        "Asks you to type the patient's code; --yes skips that for scripts. Without a terminal and without "
        "--yes it refuses. The audit trail keeps the patient's database id and a hash of the code.",
    )
    purge.add_argument("patient", metavar="ID", help="patient id or print code")
    purge.add_argument("--yes", action="store_true", help="do not ask (scripts)")
    purge.set_defaults(handler=run_purge)


# ------------------------------------------------------------------------------ helpers


def _sqlite_file(args: argparse.Namespace) -> tuple[AppPaths, Path]:
    from trdplanner.core import crypto

    paths = AppPaths.resolve(args.data_dir).ensure()
    path = crypto.sqlite_file(paths.database_url(args.db))
    if path is None:
        raise InputError("database", "this is a server database; encryption and backups there are the server's job")
    return paths, path


def _prompt_new(what: str) -> str | None:
    from trdplanner.core import crypto

    if not sys.stdin.isatty():
        return None
    first = getpass.getpass(f"{what}: ")
    crypto.check_new_passphrase(first)
    _score, hint = crypto.strength_hint(first)
    print(hint, file=sys.stderr)
    if getpass.getpass("Type it again: ") != first:
        raise InputError("passphrase", "the two entries differ")
    return first


def _new_passphrase(file: Path | None, env: str, what: str) -> str:
    from trdplanner.core import crypto

    prompted = False
    if file is not None:
        value: str | None = crypto.read_passphrase_file(file, "new-passphrase-file", output.warning)
    else:
        value = os.environ.get(env)
        if not value:
            value, prompted = _prompt_new(what), True
    if not value:
        raise InputError(
            "passphrase", f"give the new passphrase in {env}, with a passphrase file, or type it at a terminal"
        )
    crypto.check_new_passphrase(value)  # the window's rule, before anything is touched
    if not prompted:  # the prompt has already shown its hint
        output.weak_passphrase_warning(value)
    return value


# ------------------------------------------------------------------------------ commands


def run_backup(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.core import backup

    info = backup.backup_database(ctx.db, args.file)
    state = "encrypted" if info.encrypted else "NOT encrypted"
    print(f"Backup written to {info.path} ({info.tables} tables, {info.rows} rows, {state}; integrity checked).")
    return 0


def run_restore(args: argparse.Namespace, passphrase: str | None) -> int:
    from trdplanner.core import backup

    paths, db_file = _sqlite_file(args)
    running = backup.app_running(paths.data_dir)
    if running is not None:
        raise InputError("restore", f"TRD Planner has this data open (process {running}); close it first")

    def confirm(lost: Any) -> bool:
        print("The current database holds records the backup does not. Restoring loses:", file=sys.stderr)
        for line in lost.lines():
            print(f"  - {line}", file=sys.stderr)
        if args.yes:
            return True
        if not sys.stdin.isatty():
            raise InputError("confirmation", "restore asks before losing records; run it at a terminal or add --yes")
        try:
            answer = input("Type 'restore' to replace the database anyway: ")
        except EOFError:
            answer = ""
        return answer.strip().lower() == "restore"

    from trdplanner.core.anchor import anchor_name

    url = paths.database_url(args.db)
    info = backup.restore_backup(db_file, args.file, passphrase, url=url, confirm=confirm,
                                 anchor_folder=paths.data_dir, anchor_file=anchor_name(url, f"sqlite:///{paths.database_file}"))
    print(f"Restored {info.rows} rows from {info.restored_from}.")
    if info.previous is not None:
        print(f"The database it replaced is kept at {info.previous}.")
    if not info.encrypted:
        print("The restored database is NOT encrypted; run 'trdplanner encrypt' to encrypt it.")
    return 0


def run_audit_verify(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.core.integrity import verify_all

    report = verify_all(ctx.db)
    check = report.chain
    if not check.ok:
        output.error(
            f"audit: broken at entry {check.broken_at}: {check.problem} "
            f"({check.count} entries before it verified)"
        )
    failures = list(report.failures)
    failures += [f"anchor: {p}" for p in ctx.anchor_problems]
    if args.anchor is not None:
        failures += [f"anchor {args.anchor.name}: {p}" for p in _against_anchor(ctx, args.anchor)]
    for failure in failures:
        output.error(f"audit: {failure}")
    if failures or not check.ok:
        return 4
    print(
        f"OK: {check.count} audit entries, chain intact; {report.notes_checked} signed notes, "
        f"{report.addenda_checked} addenda and {report.keys_checked} signing keys verified. Head: {check.head}"
    )
    return 0


def _against_anchor(ctx: AppContext, path: Path) -> list[str]:
    from trdplanner.core.anchor import Anchor, compare

    saved = Anchor(ctx.paths.data_dir).read(path)
    if saved is None:
        raise InputError("anchor", f"not found: {path}")
    with ctx.db.reading() as s:
        problem = compare(s, saved)
    out = [problem] if problem else []
    if not saved.sealed:
        out.append("its seal does not match: it was edited, or it was written by another data folder")
    return out


def run_audit_accept(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.core.anchor import accept

    problems = accept(ctx.db, ctx.paths.data_dir, ctx.anchor_name)
    if not problems:
        print("Nothing to accept: the anchor holds no problems.")
        return 0
    for p in problems:
        print(f"accepted: {p}")
    print("Recorded in the audit trail; the anchor now follows the database as it is.")
    return 0


def run_audit_list(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.core.services.audit import AuditService

    if args.limit < 0:
        raise InputError("limit", "must be 0 (all) or more")
    events = AuditService(ctx.db).list(args.limit or None, action=args.action)
    if args.json:
        output.emit_json([to_data(e) for e in events])
        return 0
    if not events:
        print("No audit entries.")
        return 0
    rows = [
        [
            str(e.id),
            e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"),
            e.actor,
            e.action,
            f"{e.object_type} {e.object_id}".strip(),
            ", ".join(f"{k}={v}" for k, v in sorted(e.detail.items()) if k != "fingerprint"),
        ]
        for e in events
    ]
    print(output.table(rows, ["#", "When", "Who", "Action", "Object", "Detail"]))
    return 0


def run_encrypt(args: argparse.Namespace, passphrase: str | None) -> int:
    from trdplanner.core import crypto, rekey

    paths, db_file = _sqlite_file(args)
    if not passphrase:
        passphrase = _prompt_new("New passphrase")
    elif crypto.file_state(db_file) == crypto.FileState.PLAIN:  # the prompt shows its own hint
        crypto.check_new_passphrase(passphrase)
        output.weak_passphrase_warning(passphrase)
    if not passphrase:
        raise InputError(
            "passphrase", f"give the new passphrase in {PASSPHRASE_ENV}, with --passphrase-file FILE, "
            "or type it at a terminal"
        )
    info = rekey.encrypt_in_place(
        db_file, passphrase, backups_dir=paths.backups_dir, wipe_plain_copies=args.wipe_plain_copies
    )
    print(f"Encrypted the database ({info.rows} rows verified); the unencrypted file was overwritten and removed.")
    print("Keep the passphrase safe: without it the records cannot be opened by anyone, including you.")
    for copy in info.plain_copies:
        print(f"warning: an unencrypted copy remains: {copy} (use --wipe-plain-copies to remove it)")
    return 0


def run_passphrase_change(args: argparse.Namespace, passphrase: str | None) -> int:
    from trdplanner.core import rekey

    _paths, db_file = _sqlite_file(args)
    if not passphrase:
        raise InputError(
            "passphrase", f"give the current passphrase in {PASSPHRASE_ENV} or with --passphrase-file FILE"
        )
    new = _new_passphrase(args.new_passphrase_file, NEW_PASSPHRASE_ENV, "New passphrase")
    rekey.change_passphrase(db_file, passphrase, new)
    print("Passphrase changed. Backups made earlier still open with the passphrase they were made with.")
    return 0


def run_purge(ctx: AppContext, args: argparse.Namespace) -> int:
    pid = patient_id(ctx, args.patient)
    profile = ctx.patients.get(pid)
    if profile.status != PatientStatus.ARCHIVED:
        raise InputError("patient", "only an archived patient can be purged; archive them first")
    if not args.yes:
        if not sys.stdin.isatty():
            raise InputError("confirmation", "purge asks for confirmation; run it at a terminal or add --yes")
        print(
            f"This deletes patient {pid} ({profile.code}) and every record of theirs, signed notes included. "
            "It cannot be undone (only a backup made before brings them back).",
            file=sys.stderr,
        )
        try:
            answer = input(f"Type the patient's code ({profile.code}) to confirm: ")
        except EOFError:
            answer = ""
        if answer.strip() != profile.code:
            raise InputError("confirmation", "did not match; nothing was deleted")
    ctx.patients.purge(pid, confirm_code=profile.code)
    print(f"Purged patient {pid}. The audit trail records the purge.")
    return 0
