"""``trdplanner practice ...`` and ``trdplanner clinician ...``: the practice, its clinicians
and, in a group practice on PostgreSQL, their logins.

``practice setup`` is run once by the database owner (again after each upgrade; a second run
changes nothing). Passwords are never arguments (other users can read a process's argument
list): a new clinician's comes from ``--password-file``, and the server password of the person
running the command from ``--db-password-file``, $PGPASSWORD or ~/.pgpass.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trdplanner.cli import output
from trdplanner.core.errors import InputError
from trdplanner.core.records import ClinicianRec, PracticeRec
from trdplanner.core.vocab import ClinicianRole

if TYPE_CHECKING:  # the composition root loads the database layer; only the handlers need it
    from trdplanner.context import AppContext


def connection_options(parser: argparse.ArgumentParser) -> None:
    """--db and --db-password-file after the command too (``practice setup --db URL``)."""
    parser.add_argument("--db", metavar="URL", default=argparse.SUPPRESS,
                        help="the database URL (as the global --db)")
    parser.add_argument("--db-password-file", metavar="FILE", type=Path, default=argparse.SUPPRESS,
                        help="read the server password from the first line of FILE")


def read_secret(path: Path, where: str) -> str:
    from trdplanner.core.crypto import read_passphrase_file

    try:
        return read_passphrase_file(path)
    except InputError as exc:
        raise InputError(where, exc.problem) from None


def register(commands: Any) -> None:
    practice = commands.add_parser("practice", help="the practice's details; set up a group practice")
    sub = practice.add_subparsers(dest="practice_command", metavar="ACTION", required=True)
    setup = sub.add_parser(
        "setup",
        help="(database owner, once) migrate a PostgreSQL database and create the group roles and policies",
        description="Migrate the database to the newest schema and create (or refresh) the practice's group "
        "roles, grants, row-level security policies and triggers. Run as the database owner, who needs "
        "CREATEROLE. Running it again changes nothing.",
    )
    setup.add_argument("--prefix", help="name the group roles PREFIX_clinician and so on (default: trd_<database>)")
    connection_options(setup)
    setup.set_defaults(handler=run_setup)
    show = sub.add_parser("show", help="the practice's name, address and phone")
    show.add_argument("--json", action="store_true", help="print JSON")
    connection_options(show)
    show.set_defaults(handler=show_practice)
    edit = sub.add_parser("set", help="change the practice's name, address or phone (they head every print)")
    edit.add_argument("--name")
    edit.add_argument("--address")
    edit.add_argument("--phone")
    connection_options(edit)
    edit.set_defaults(handler=set_practice)

    clinician = commands.add_parser("clinician", help="add, list, edit or deactivate clinicians")
    csub = clinician.add_subparsers(dest="clinician_command", metavar="ACTION", required=True)
    add = csub.add_parser(
        "add",
        help="add a clinician (in a group practice, also their PostgreSQL login)",
        description="Add a clinician. In a group practice LOGIN becomes their PostgreSQL login role, in the "
        "practice's group role for --role, with the password read from --password-file (at least 12 "
        "characters); only an admin (or the database owner, for the first admin) may do this.",
    )
    add.add_argument("login", metavar="LOGIN", help="lower-case letters, digits and _")
    add.add_argument("--name", required=True)
    add.add_argument("--credentials", default="")
    add.add_argument("--licence", default="")
    add.add_argument("--email", default="")
    add.add_argument("--role", default=ClinicianRole.CLINICIAN.value, choices=[r.value for r in ClinicianRole])
    add.add_argument("--supervisor", metavar="LOGIN", help="the clinician who co-signs this clinician's notes")
    add.add_argument("--password-file", type=Path, metavar="FILE",
                     help="the new login's password, first line of FILE (required in a group practice)")
    connection_options(add)
    add.set_defaults(handler=add_clinician)
    ls = csub.add_parser("list", help="list the practice's clinicians")
    ls.add_argument("--json", action="store_true", help="print JSON")
    connection_options(ls)
    ls.set_defaults(handler=list_clinicians)
    edit_c = csub.add_parser("edit", help="change a clinician's name, credentials, licence, e-mail or supervisor")
    edit_c.add_argument("login", metavar="LOGIN")
    edit_c.add_argument("--name")
    edit_c.add_argument("--credentials")
    edit_c.add_argument("--licence")
    edit_c.add_argument("--email")
    edit_c.add_argument("--supervisor", metavar="LOGIN", help="LOGIN, or '' for none")
    connection_options(edit_c)
    edit_c.set_defaults(handler=edit_clinician)
    off = csub.add_parser("deactivate", help="disable a clinician's login; their signatures stay valid")
    off.add_argument("login", metavar="LOGIN")
    connection_options(off)
    off.set_defaults(handler=deactivate_clinician)


def run_setup(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.core import group

    if not ctx.db.is_server:
        raise InputError("db", "practice setup is for a PostgreSQL database (give --db postgresql+psycopg://...)")
    info = group.setup(ctx.db.engine, args.prefix)
    ctx.db.forget_group()
    roles = ", ".join(info.role(r) for r in group.GROUPS)
    print(f"Group practice ready in this database. Group roles: {roles}.")
    print("Next: add the first admin with 'trdplanner clinician add LOGIN --name NAME --role admin "
          "--password-file FILE'.")
    return 0


def show_practice(ctx: AppContext, args: argparse.Namespace) -> int:
    rec = ctx.practice.practice()
    if args.json:
        output.emit_json(rec)
        return 0
    if rec is None:
        print("No practice details yet. Set them with 'trdplanner practice set --name NAME'.")
        return 0
    print(f"{rec.name}\n{rec.address}\n{rec.phone}".rstrip())
    return 0


def set_practice(ctx: AppContext, args: argparse.Namespace) -> int:
    rec = ctx.practice.practice() or PracticeRec(name="")
    for name in ("name", "address", "phone"):
        value = getattr(args, name)
        if value is not None:
            setattr(rec, name, value)
    saved = ctx.practice.save_practice(rec)
    print(f"Practice details saved: {saved.name}")
    return 0


def add_clinician(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.core import group

    group.validate_login(args.login)
    password = read_secret(args.password_file, "password-file") if args.password_file else None
    if ctx.db.group is not None and password is None:
        raise InputError("password-file", "is required in a group practice (the new login's password)")
    supervisor = ctx.practice.by_login(args.supervisor).id if args.supervisor else None
    rec = ClinicianRec(
        name=args.name, credentials=args.credentials, licence_number=args.licence, email=args.email,
        login=args.login, role=args.role, supervisor_id=supervisor,
    )
    added = ctx.practice.add_clinician(rec, password=password)
    where = " with a login on the server" if ctx.db.group is not None else ""
    print(f"Added {added.display} ({added.login}, {added.role}){where}.")
    return 0


def list_clinicians(ctx: AppContext, args: argparse.Namespace) -> int:
    rows = ctx.practice.clinicians()
    logins = {c.id: c.login for c in rows}
    if args.json:
        output.emit_json(rows)
        return 0
    if not rows:
        print("No clinicians yet. Add one with 'trdplanner clinician add LOGIN --name NAME'.")
        return 0
    print(output.table(
        [[c.login or "-", c.display, c.licence_number or "-", c.role,
          logins.get(c.supervisor_id) or "-" if c.supervisor_id else "-", "yes" if c.active else "no"]
         for c in rows],
        ["Login", "Name", "Licence", "Role", "Supervisor", "Active"],
    ))
    return 0


def edit_clinician(ctx: AppContext, args: argparse.Namespace) -> int:
    rec = ctx.practice.by_login(args.login)
    for arg, attr in (("name", "name"), ("credentials", "credentials"), ("licence", "licence_number"),
                      ("email", "email")):
        value = getattr(args, arg)
        if value is not None:
            setattr(rec, attr, value)
    if args.supervisor is not None:
        rec.supervisor_id = ctx.practice.by_login(args.supervisor).id if args.supervisor else None
    saved = ctx.practice.update_clinician(rec)
    print(f"Saved {saved.display} ({saved.login}).")
    return 0


def deactivate_clinician(ctx: AppContext, args: argparse.Namespace) -> int:
    rec = ctx.practice.deactivate(args.login)
    print(f"Deactivated {rec.display} ({rec.login}): the login is disabled; their signatures stay valid.")
    return 0


# ------------------------------------------------------------------ patient assign / share / unshare


def register_patient_actions(sub: Any) -> None:
    assign = sub.add_parser("assign", help="(admin) make a clinician the patient's own clinician")
    assign.add_argument("patient", metavar="ID", help="patient id or print code")
    assign.add_argument("--clinician", metavar="LOGIN", required=True)
    connection_options(assign)
    assign.set_defaults(handler=assign_patient)
    share = sub.add_parser("share", help="share a patient with another clinician")
    share.add_argument("patient", metavar="ID", help="patient id or print code")
    share.add_argument("--with", dest="with_login", metavar="LOGIN", required=True)
    connection_options(share)
    share.set_defaults(handler=share_patient)
    unshare = sub.add_parser("unshare", help="stop sharing a patient with a clinician")
    unshare.add_argument("patient", metavar="ID", help="patient id or print code")
    unshare.add_argument("--with", dest="with_login", metavar="LOGIN", required=True)
    connection_options(unshare)
    unshare.set_defaults(handler=unshare_patient)


def assign_patient(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.cli.args import patient_id

    ctx.practice.assign(patient_id(ctx, args.patient), args.clinician)
    print(f"Patient {args.patient} is now in {args.clinician}'s caseload.")
    return 0


def share_patient(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.cli.args import patient_id

    ctx.practice.share(patient_id(ctx, args.patient), args.with_login)
    print(f"Patient {args.patient} is shared with {args.with_login}.")
    return 0


def unshare_patient(ctx: AppContext, args: argparse.Namespace) -> int:
    from trdplanner.cli.args import patient_id

    ctx.practice.unshare(patient_id(ctx, args.patient), args.with_login)
    print(f"Patient {args.patient} is no longer shared with {args.with_login}.")
    return 0
