"""The practice and its clinicians; in a group practice, their logins, roles and caseloads.

In a solo (SQLite) practice the clinicians are names, credentials and licences for prints
and signatures. In a group practice on PostgreSQL each clinician is also a login role the
server authenticates; adding one creates the role (through practice setup's
``trd_create_login``, which only an admin or the database owner may call) and the server's
row-level security decides what each login sees.
"""

from __future__ import annotations

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from trdplanner.core.convert import record_from_row, row_from_record, update_row
from trdplanner.core.db import Database
from trdplanner.core.errors import AccessDenied, InputError, NotFoundError
from trdplanner.core.group import validate_login
from trdplanner.core.models import Clinician, Patient, PatientShare, Practice
from trdplanner.core.records import ClinicianRec, PracticeRec
from trdplanner.core.validate import not_blank, one_of
from trdplanner.core.versioning import check_version, touch
from trdplanner.core.vocab import ClinicianRole

MIN_PASSWORD = 12


def _by_login(s: Session, login: str) -> Clinician:
    row = s.scalar(select(Clinician).where(Clinician.login == login))
    if row is None:
        raise NotFoundError("clinician", login)
    return row


def _verifier(s: Session, login: str, password: str) -> str:
    """The server's password verifier (SCRAM-SHA-256 by default), made by libpq on this machine,
    so the plain password is never sent in a statement the server might log."""
    driver = s.connection().connection.driver_connection
    pgconn = driver.pgconn  # type: ignore[union-attr]
    return bytes(pgconn.encrypt_password(password.encode(), login.encode())).decode()


class PracticeService:
    def __init__(self, db: Database) -> None:
        self.db = db
        # Solo practice: which clinician unlocked the app (None: the first active one).
        self.solo_clinician_id: int | None = None

    # ------------------------------------------------------------------ practice details

    def practice(self) -> PracticeRec | None:
        with self.db.reading() as s:
            row = s.scalars(select(Practice).order_by(Practice.id)).first()
            return record_from_row(PracticeRec, row) if row else None

    def save_practice(self, rec: PracticeRec) -> PracticeRec:
        not_blank("practice.name", rec.name)
        with self.db.transaction() as s:
            row = s.scalars(select(Practice).order_by(Practice.id)).first()
            if row is None:
                row = row_from_record(Practice, rec)
                s.add(row)
            else:
                check_version(row, rec.version, "practice details")
                touch(row)
                update_row(row, rec)
            s.flush()
            return record_from_row(PracticeRec, row)

    # ------------------------------------------------------------------ clinicians

    def clinicians(self, *, include_inactive: bool = True) -> list[ClinicianRec]:
        with self.db.reading() as s:
            query = select(Clinician).order_by(Clinician.id)
            if not include_inactive:
                query = query.where(Clinician.active.is_(True))
            return [record_from_row(ClinicianRec, r) for r in s.scalars(query)]

    def clinician(self, clinician_id: int) -> ClinicianRec:
        with self.db.reading() as s:
            row = s.get(Clinician, clinician_id)
            if row is None:
                raise NotFoundError("clinician", clinician_id)
            return record_from_row(ClinicianRec, row)

    def by_login(self, login: str) -> ClinicianRec:
        with self.db.reading() as s:
            return record_from_row(ClinicianRec, _by_login(s, login))

    def current_clinician(self) -> ClinicianRec | None:
        """Who is working: on a server, the clinician whose login the server authenticated;
        in a solo practice, the clinician who unlocked the app (the first active one by default)."""
        login = self.db.login
        with self.db.reading() as s:
            if login is not None and self.db.group is not None:
                row = s.scalar(select(Clinician).where(Clinician.login == login, Clinician.active.is_(True)))
            elif self.solo_clinician_id is not None:
                row = s.get(Clinician, self.solo_clinician_id)
            else:
                row = s.scalars(select(Clinician).where(Clinician.active.is_(True)).order_by(Clinician.id)).first()
            return record_from_row(ClinicianRec, row) if row else None

    def _require_admin(self, s: Session, what: str) -> None:
        """Group practice: admins (and the database owner, to make the first admin) only.
        The server enforces the same through policies and trd_create_login; this says it plainly."""
        if not s.info.get("group"):
            return
        allowed = s.execute(text(
            "SELECT trd_is_admin() OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = session_user"
            " AND (rolcreaterole OR rolsuper))")).scalar_one()
        if not allowed:
            raise AccessDenied(f"Only an admin {what}.")

    def _refresh_solo_actor(self) -> None:
        if not self.db.is_server:
            current = self.current_clinician()
            self.db.acting_clinician = current.display if current else None

    def supervises_anyone(self, clinician_id: int) -> bool:
        with self.db.reading() as s:
            return s.scalar(select(Clinician.id).where(Clinician.supervisor_id == clinician_id).limit(1)) is not None

    def default_clinician(self) -> ClinicianRec | None:
        """The clinician who signs and heads prints: the one working now (see current_clinician)."""
        return self.current_clinician()

    def add_clinician(self, rec: ClinicianRec, *, password: str | None = None) -> ClinicianRec:
        """Add a clinician. In a group practice ``rec.login`` and ``password`` are required and
        the login role is created on the server, in the practice's group role for ``rec.role``."""
        not_blank("clinician.name", rec.name)
        one_of("clinician.role", rec.role, ClinicianRole)
        group = self.db.group
        if group is not None:
            if not rec.login:
                raise InputError("clinician.login", "is required in a group practice")
            validate_login(rec.login)
            if password is None or len(password) < MIN_PASSWORD:
                raise InputError("password", f"must be at least {MIN_PASSWORD} characters")
        elif rec.login is not None:
            validate_login(rec.login)
        with self.db.transaction() as s:
            self._require_admin(s, "adds clinicians")
            if rec.login and s.scalar(select(Clinician.id).where(Clinician.login == rec.login)) is not None:
                raise InputError("clinician.login", f"{rec.login!r} is already a clinician of this practice")
            if rec.supervisor_id is not None and s.get(Clinician, rec.supervisor_id) is None:
                raise NotFoundError("clinician", rec.supervisor_id)
            practice = s.scalars(select(Practice).order_by(Practice.id)).first()
            row = row_from_record(Clinician, rec, practice_id=practice.id if practice else None)
            s.add(row)
            s.flush()
            if group is not None and rec.login and password is not None:
                s.execute(
                    text("SELECT trd_create_login(:login, :verifier, :grp)"),
                    {"login": rec.login, "verifier": _verifier(s, rec.login, password), "grp": rec.role},
                )
            added = record_from_row(ClinicianRec, row)
        self._refresh_solo_actor()
        return added

    def update_clinician(self, rec: ClinicianRec) -> ClinicianRec:
        """Name, credentials, licence, e-mail and supervisor (the login and role stay as created)."""
        if rec.id is None:
            raise InputError("clinician.id", "is required to update a clinician")
        not_blank("clinician.name", rec.name)
        with self.db.transaction() as s:
            row = s.get(Clinician, rec.id)
            if row is None:
                raise NotFoundError("clinician", rec.id)
            check_version(row, rec.version, "clinician")
            if rec.supervisor_id == row.id:
                raise InputError("clinician.supervisor", "a clinician cannot supervise themselves")
            for name in ("name", "credentials", "licence_number", "email", "supervisor_id"):
                setattr(row, name, getattr(rec, name))
            touch(row)
            s.flush()
            updated = record_from_row(ClinicianRec, row)
        self._refresh_solo_actor()
        return updated

    def set_supervisor(self, login: str, supervisor_login: str | None) -> ClinicianRec:
        with self.db.transaction() as s:
            self._require_admin(s, "changes who supervises whom")
            row = _by_login(s, login)
            row.supervisor_id = _by_login(s, supervisor_login).id if supervisor_login else None
            if row.supervisor_id == row.id:
                raise InputError("clinician.supervisor", "a clinician cannot supervise themselves")
            s.flush()
            return record_from_row(ClinicianRec, row)

    def deactivate(self, login: str) -> ClinicianRec:
        """The login is disabled on the server; the clinician's signatures stay valid."""
        with self.db.transaction() as s:
            self._require_admin(s, "deactivates clinicians")
            row = _by_login(s, login)
            row.active = False
            s.flush()
            if self.db.group is not None:
                s.execute(text("SELECT trd_set_login_enabled(:login, false)"), {"login": login})
            return record_from_row(ClinicianRec, row)

    # ------------------------------------------------------------------ caseloads

    def _patient(self, s: Session, patient_id: int) -> Patient:
        row = s.get(Patient, patient_id)
        if row is None:
            raise NotFoundError("patient", patient_id)
        return row

    def assign(self, patient_id: int, login: str) -> None:
        """Make ``login`` the patient's own clinician (admins; the server refuses anyone else)."""
        with self.db.transaction() as s:
            self._require_admin(s, "assigns patients to clinicians")
            self._patient(s, patient_id).clinician_id = _by_login(s, login).id

    def share(self, patient_id: int, login: str) -> None:
        with self.db.transaction() as s:
            self._patient(s, patient_id)
            clinician = _by_login(s, login)
            if s.get(PatientShare, (patient_id, clinician.id)) is None:
                s.add(PatientShare(patient_id=patient_id, clinician_id=clinician.id))

    def unshare(self, patient_id: int, login: str) -> None:
        with self.db.transaction() as s:
            self._patient(s, patient_id)
            clinician = _by_login(s, login)
            row = s.get(PatientShare, (patient_id, clinician.id))
            if row is None:
                raise InputError("share", f"the patient is not shared with {login}")
            s.delete(row)

    def shared_with(self, patient_id: int) -> list[str]:
        with self.db.reading() as s:
            return list(
                s.scalars(
                    select(Clinician.login)
                    .join(PatientShare, PatientShare.clinician_id == Clinician.id)
                    .where(PatientShare.patient_id == patient_id, Clinician.login.is_not(None))
                    .order_by(Clinician.login)
                )
            )

    def remove_shares_of(self, clinician_id: int) -> None:
        with self.db.transaction() as s:
            s.execute(delete(PatientShare).where(PatientShare.clinician_id == clinician_id))
