"""Group practice access rules, attacked as an insider would: through the app and through raw
SQL with one's own credentials, on a real PostgreSQL server (CI sets TRDPLANNER_TEST_PG_URL)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import NullPool

from tests.group.conftest import Practice
from tests.signing_helpers import cosign_note as _cosign
from tests.signing_helpers import sign_note as _sign
from trdplanner.context import AppContext
from trdplanner.core import group
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD as PW
from trdplanner.core.errors import AccessDenied, NotFoundError, StaleError
from trdplanner.core.records import NoteSectionRec, PatientProfile
from trdplanner.core.services.notes import verify
from trdplanner.core.vocab import PatientStatus

pytestmark = pytest.mark.postgres

SECTIONS = [NoteSectionRec("subjective", "Subjective", "Synthetic: mood 4/10, sleeping better.")]






def _patient_with_note(ctx: AppContext, code: str) -> tuple[int, int]:
    """A patient in the logged-in clinician's caseload, with one session and a draft note."""
    me = ctx.practice.current_clinician()
    assert me is not None and me.id is not None
    pid = ctx.patients.create(PatientProfile(code, f"Synthetic {code}"), clinician_id=me.id)
    session = ctx.sessions.create(pid, date=dt.date(2026, 1, 5), clinician_id=me.id)
    assert session.id is not None
    ctx.notes.save_draft(session.id, "soap", SECTIONS)
    return pid, session.id


def _scalar(engine: Any, sql: str, **params: Any) -> Any:
    with engine.begin() as conn:
        return conn.execute(text(sql), params).scalar()


def _refused(engine: Any, sql: str, **params: Any) -> str:
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.execute(text(sql), params)
    return str(caught.value.orig)


def test_each_login_is_its_own_server_role_with_a_scram_password(practice: Practice) -> None:
    for who in ("admin", "sup", "cla", "clb", "aud"):
        raw = practice.raw(who)
        assert _scalar(raw, "SELECT session_user") == practice.logins[who]
        raw.dispose()
    owner = create_engine(practice.owner_url, poolclass=NullPool)
    rows = {
        r.rolname: r
        for r in owner.connect().execute(
            text("SELECT rolname, rolpassword, rolsuper, rolcreaterole, rolcreatedb, rolbypassrls FROM pg_authid"
                 " WHERE rolname = ANY(:names)"), {"names": list(practice.logins.values())})
    }
    owner.dispose()
    assert len(rows) == 5
    for r in rows.values():
        assert r.rolpassword.startswith("SCRAM-SHA-256$")  # a verifier, never the password
        assert not (r.rolsuper or r.rolcreaterole or r.rolcreatedb or r.rolbypassrls)


def test_a_clinician_cannot_read_another_clinicians_patient(practice: Practice) -> None:
    a, b = practice.ctx("cla"), practice.ctx("clb")
    pid_a, session_a = _patient_with_note(a, "A-001")
    pid_b, _ = _patient_with_note(b, "B-001")
    # Through the app: the list, the profile, the notes.
    assert [p.code for p in b.patients.summaries(status=None)] == ["B-001"]
    assert [p.code for p in a.patients.summaries(status=None)] == ["A-001"]
    with pytest.raises(NotFoundError):
        b.patients.get(pid_a)
    assert b.notes.for_session(session_a) is None
    # Through raw SQL with clb's own credentials: nothing of A's, in any table.
    raw = practice.raw("clb")
    assert _scalar(raw, "SELECT count(*) FROM patient WHERE id = :p", p=pid_a) == 0
    assert _scalar(raw, "SELECT count(*) FROM therapy_session WHERE patient_id = :p", p=pid_a) == 0
    assert _scalar(raw, "SELECT count(*) FROM progress_note WHERE session_id = :s", s=session_a) == 0
    assert _scalar(raw, "SELECT count(*) FROM progress_note") == 1  # B's own draft only
    # ... and cannot change or delete it either: the rows are invisible to UPDATE and DELETE.
    assert _scalar(raw, "WITH u AS (UPDATE patient SET full_name = 'x' WHERE id = :p RETURNING 1)"
                        " SELECT count(*) FROM u", p=pid_a) == 0
    # Inserting a row that hangs off A's patient is refused.
    assert "row-level security" in _refused(
        raw, "INSERT INTO measure (patient_id, instrument, taken_on, total, notes, alert_acknowledged_by, created_at,"
             " version, updated_by) VALUES (:p, 'phq9', '2026-01-05', 3, '', '', now(), 1, '')", p=pid_a)
    # Nor can clb create a patient in someone else's caseload.
    assert "row-level security" in _refused(
        raw, "INSERT INTO patient (code, full_name, preferred_name, pronouns, phone, email, address,"
             " emergency_contact_name, emergency_contact_relation, emergency_contact_phone, status, primary_diagnosis,"
             " primary_diagnosis_icd10, risk_level, risk_summary, clinician_id, search_text, created_at, updated_at,"
             " version, updated_by) VALUES ('X-1', 'x', '', '', '', '', '', '', '', '', 'active', '', '',"
             " 'unknown', '', :c, '', now(), now(), 1, '')", c=practice.ids["cla"])
    raw.dispose()
    assert pid_b != pid_a


def test_sharing_gives_a_second_clinician_the_patient_and_unsharing_takes_it_away(practice: Practice) -> None:
    a, b = practice.ctx("cla"), practice.ctx("clb")
    pid, _ = _patient_with_note(a, "A-002")
    a.practice.share(pid, practice.logins["clb"])
    assert [p.code for p in b.patients.summaries()] == ["A-002"]
    profile = b.patients.get(pid)
    profile.phone = "555-0100"
    b.patients.update(profile)
    # A shared clinician cannot pass the patient on, nor take it over.
    with pytest.raises(AccessDenied, match="outside your caseload"):
        b.practice.share(pid, practice.logins["sup"])
    raw = practice.raw("clb")
    assert "only an admin assigns" in _refused(raw, "UPDATE patient SET clinician_id = :c WHERE id = :p",
                                               c=practice.ids["clb"], p=pid)
    raw.dispose()
    a.practice.unshare(pid, practice.logins["clb"])
    assert b.patients.summaries() == []


def test_supervisor_reads_and_cosigns_a_supervisees_note_and_nothing_else(practice: Practice) -> None:
    a, b, sup = practice.ctx("cla"), practice.ctx("clb"), practice.ctx("sup")
    pid_a, session_a = _patient_with_note(a, "A-003")
    pid_b, session_b = _patient_with_note(b, "B-003")
    # Before the supervisee signs there is nothing to co-sign.
    with pytest.raises(Exception, match="only a signed note"):
        _cosign(sup, session_a, practice.ids["sup"])
    signed = _sign(a, session_a, practice.ids["cla"])
    assert signed.awaiting_cosigner.startswith("Dr. Sup")
    # The supervisor sees the supervisee's patient, not the unsupervised colleague's.
    assert [p.code for p in sup.patients.summaries()] == ["A-003"]
    assert [p.code for p in sup.patients.summaries(awaiting_cosign_by=practice.ids["sup"])] == ["A-003"]
    with pytest.raises(NotFoundError):
        sup.patients.get(pid_b)
    # Reads, but does not edit, the supervisee's record.
    profile = sup.patients.get(pid_a)
    profile.phone = "555-0199"
    with pytest.raises((AccessDenied, StaleError)):  # RLS hides the row from the UPDATE
        sup.patients.update(profile)
    assert a.patients.get(pid_a).phone == ""
    cosigned = _cosign(sup, session_a, practice.ids["sup"])
    assert [c.signer_name for c in cosigned.cosignatures] == ["Dr. Sup, PhD"]
    assert cosigned.cosignatures[0].signer_login == practice.logins["sup"]
    assert cosigned.awaiting_cosigner == "" and verify(cosigned)
    assert sup.patients.summaries(awaiting_cosign_by=practice.ids["sup"]) == []
    with pytest.raises(Exception, match="already co-signed"):
        _cosign(sup, session_a, practice.ids["sup"])
    # clb's note has no supervisor: nobody co-signs it, and the supervisor cannot even see it.
    _sign(b, session_b, practice.ids["clb"])
    with pytest.raises(Exception, match=r"no draft|only a signed note"):
        _cosign(sup, session_b, practice.ids["sup"])
    # Raw SQL: the supervisor cannot add a co-signature to a note they do not supervise, and
    # clb cannot co-sign cla's note (not visible) nor forge the supervisor's co-signature.
    note_b = _scalar(practice.raw("clb"), "SELECT id FROM progress_note WHERE session_id = :s", s=session_b)
    insert = ("INSERT INTO note_cosignature (note_id, signer_id, signer_name, signer_login, signed_at, fingerprint)"
              " VALUES (:n, :c, 'x', '', now(), 'f')")
    assert "row-level security" in _refused(practice.raw("sup"), insert, n=note_b, c=practice.ids["sup"])
    forged = _refused(practice.raw("clb"), insert, n=note_b, c=practice.ids["sup"])
    assert "nobody can sign as someone else" in forged or "row-level security" in forged


def test_nobody_can_sign_as_someone_else(practice: Practice) -> None:
    a = practice.ctx("cla")
    pid, session = _patient_with_note(a, "A-004")
    a.practice.share(pid, practice.logins["clb"])
    b = practice.ctx("clb")
    # Through the app: clb tries to sign cla's shared note as cla.
    with pytest.raises(AccessDenied, match="Nobody can sign as someone else"):
        b.notes.sign(session, practice.ids["cla"], password=PW)
    # Through raw SQL: the trigger refuses whatever signer the client names.
    raw = practice.raw("clb")
    msg = _refused(raw, "UPDATE progress_note SET status = 'signed', signer_id = :c, signer_name = 'Dr. Cla',"
                        " signed_at = now(), fingerprint = 'f' WHERE session_id = :s", c=practice.ids["cla"], s=session)
    assert "nobody can sign as someone else" in msg
    # Signing as oneself works, and the server records the login that signed.
    signed = _sign(b, session, practice.ids["clb"])
    assert signed.signer_name.startswith("Dr. Clb") and signed.signer_login == practice.logins["clb"]
    assert _scalar(raw, "SELECT signer_login FROM progress_note WHERE session_id = :s", s=session) == \
        practice.logins["clb"]
    # An addendum as someone else is refused too.
    with pytest.raises(AccessDenied):
        b.notes.add_addendum(session, practice.ids["cla"], "Synthetic late entry.", password=PW)
    raw.dispose()


def test_the_audit_actor_is_the_login_the_server_saw(practice: Practice, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("USER", "dr.forged")
    monkeypatch.setenv("LOGNAME", "dr.forged")
    a = practice.ctx("cla")
    pid, session = _patient_with_note(a, "A-005")
    a.audit.record("patient.open", "patient", pid)
    _sign(a, session, practice.ids["cla"])
    events = a.audit.list(limit=None)
    assert events and {e.actor for e in events} == {practice.logins["cla"]}
    assert "note.sign" in {e.action for e in events}
    raw = practice.raw("cla")
    assert "audit trail records the login" in _refused(
        raw, "INSERT INTO audit_event (id, at, actor, action, object_type, object_id, detail, prev_hash, hash)"
             " VALUES (100000, now(), 'dr.forged', 'patient.open', 'patient', '1', '{}', 'x', 'y')")
    # A clinician reads only their own entries; the auditor reads the whole trail and no patient.
    b = practice.ctx("clb")
    _patient_with_note(b, "B-005")
    assert {e.actor for e in b.audit.list(limit=None)} == {practice.logins["clb"]}
    aud = practice.ctx("aud")
    assert {e.actor for e in aud.audit.list(limit=None)} >= {practice.logins["cla"], practice.logins["clb"]}
    assert aud.audit.verify().ok
    with pytest.raises(AccessDenied, match="permission denied for table"):
        aud.patients.summaries(status=None)
    raw_aud = practice.raw("aud")
    assert "permission denied" in _refused(raw_aud, "SELECT count(*) FROM patient")
    raw_aud.dispose()
    raw.dispose()


def test_a_stale_save_is_refused_with_who_and_when(practice: Practice) -> None:
    a = practice.ctx("cla")
    pid, _ = _patient_with_note(a, "A-006")
    a.practice.share(pid, practice.logins["clb"])
    b = practice.ctx("clb")
    mine, theirs = a.patients.get(pid), b.patients.get(pid)
    mine.phone = "555-0101"
    a.patients.update(mine)
    theirs.address = "1 Synthetic Street"
    with pytest.raises(StaleError) as caught:
        b.patients.update(theirs)
    assert caught.value.changed_by == practice.logins["cla"]
    assert caught.value.changed_at is not None
    assert practice.logins["cla"] in str(caught.value)
    assert b.patients.get(pid).address == ""  # nothing of the stale save was written
    fresh = b.patients.get(pid)
    fresh.address = "1 Synthetic Street"
    b.patients.update(fresh)  # reloaded, then saved: accepted on top of cla's change
    assert a.patients.get(pid).phone == "555-0101"


def test_only_an_admin_purges(practice: Practice) -> None:
    a = practice.ctx("cla")
    pid, session = _patient_with_note(a, "A-007")
    _sign(a, session, practice.ids["cla"])
    a.patients.set_status(pid, PatientStatus.ARCHIVED)
    with pytest.raises(AccessDenied):
        a.patients.purge(pid, confirm_code="A-007")
    raw = practice.raw("cla")
    assert _scalar(raw, "WITH d AS (DELETE FROM patient WHERE id = :p RETURNING 1) SELECT count(*) FROM d",
                   p=pid) == 0
    # Refused twice over: row-level security, and the guard that lets only the purge write permits.
    refusal = _refused(raw, "INSERT INTO purge_permit (patient_id) VALUES (:p)", p=pid)
    assert "row-level security" in refusal or "written only by the purge itself" in refusal
    raw.dispose()
    admin = practice.ctx("admin")
    admin.patients.purge(pid, confirm_code="A-007")
    assert a.patients.summaries(status=None) == []
    assert "patient.purge" in {e.action for e in admin.audit.list(limit=None)}


@pytest.mark.parametrize("who", ["cla", "sup", "admin", "aud"])
def test_the_apps_roles_cannot_disable_a_trigger_or_change_the_schema(practice: Practice, who: str) -> None:
    raw = practice.raw(who)
    for sql in (
        "ALTER TABLE progress_note DISABLE TRIGGER trd_signed_note_guard",
        "ALTER TABLE audit_event DISABLE TRIGGER ALL",
        "DROP TRIGGER trd_audit_guard ON audit_event",
        "ALTER TABLE patient DISABLE ROW LEVEL SECURITY",
        "DROP POLICY trd_read ON patient",
        "SET session_replication_role = replica",
        "TRUNCATE audit_event",
        "CREATE TABLE sneaky (id int)",
        "CREATE OR REPLACE FUNCTION trd_can_read(pid integer) RETURNS boolean LANGUAGE sql AS $$ SELECT true $$",
    ):
        message = _refused(raw, sql)
        assert "must be owner" in message or "permission denied" in message, (sql, message)
    raw.dispose()


def test_admin_manages_clinicians_and_deactivation_disables_the_login(practice: Practice) -> None:
    a = practice.ctx("cla")
    pid, session = _patient_with_note(a, "A-008")
    signed = _sign(a, session, practice.ids["cla"])
    admin = practice.ctx("admin")
    # A clinician cannot add a login; the admin can.
    from trdplanner.core.records import ClinicianRec

    new_login = practice.logins["cla"] + "x"
    with pytest.raises(AccessDenied, match=r"(?i)only an admin"):
        a.practice.add_clinician(ClinicianRec("Dr. New", login=new_login), password="a long synthetic password")
    try:
        added = admin.practice.add_clinician(ClinicianRec("Dr. New", login=new_login),
                                             password="a long synthetic password")
        assert added.login == new_login
        admin.practice.assign(pid, new_login)
        admin.practice.deactivate(new_login)
        admin.practice.deactivate(practice.logins["cla"])
        owner = create_engine(practice.owner_url, poolclass=NullPool)
        assert _scalar(owner, "SELECT rolcanlogin FROM pg_roles WHERE rolname = :r", r=practice.logins["cla"]) is False
        owner.dispose()
        with pytest.raises(OperationalError, match="not permitted to log in"):
            _scalar(practice.raw("cla"), "SELECT 1")
        # Their signature stays valid.
        assert verify(admin.notes.for_session(session) or signed)
        assert {c.login: c.active for c in admin.practice.clinicians()}[practice.logins["cla"]] is False
    finally:
        owner = create_engine(practice.owner_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        with owner.connect() as conn:
            conn.execute(text(f'DROP OWNED BY "{new_login}"'))
        owner.dispose()
        practice.extra_logins.append(new_login)


def test_practice_setup_twice_changes_nothing(practice: Practice) -> None:
    owner = create_engine(practice.owner_url, poolclass=NullPool)

    def snapshot() -> list[Any]:
        with owner.connect() as conn:
            return [
                conn.execute(text("SELECT tablename, policyname, cmd, qual, with_check FROM pg_policies"
                                  " ORDER BY 1, 2")).all(),
                conn.execute(text("SELECT grantee, table_name, privilege_type FROM information_schema.role_table_grants"
                                  " ORDER BY 1, 2, 3")).all(),
                conn.execute(text("SELECT tgname, tgrelid::regclass::text FROM pg_trigger WHERE NOT tgisinternal"
                                  " ORDER BY 1, 2")).all(),
                conn.execute(text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p ORDER BY 1"),
                             {"p": practice.prefix + "%"}).all(),
            ]

    before = snapshot()
    assert group.setup(owner).prefix == practice.prefix
    assert snapshot() == before
    owner.dispose()


def test_an_admin_cannot_repoint_a_login_or_disable_a_role_outside_the_practice(practice: Practice) -> None:
    raw = practice.raw("admin")
    # Re-pointing cla's record at the admin's own login would let the admin sign as Dr. Cla.
    assert "login cannot be changed" in _refused(raw, "UPDATE clinician SET login = :l WHERE id = :c",
                                                 l=practice.logins["admin"] + "x", c=practice.ids["cla"])
    # A clinician row naming the server's superuser does not make it the practice's to disable.
    with raw.begin() as conn:
        conn.execute(text("INSERT INTO clinician (name, credentials, licence_number, email, login, role, active,"
                          " version, updated_by) VALUES ('x', '', '', '', 'postgres', 'clinician', true, 1, '')"))
    assert "not a clinician of this practice" in _refused(raw, "SELECT trd_set_login_enabled('postgres', false)")
    owner = create_engine(practice.owner_url, poolclass=NullPool)
    assert _scalar(owner, "SELECT rolcanlogin FROM pg_roles WHERE rolname = 'postgres'") is True
    owner.dispose()
    raw.dispose()


def test_course_rows_are_row_level_secured_and_audited_as_the_login(practice: Practice) -> None:
    from trdplanner.core.records import CourseRec, CourseSessionRec

    a = practice.ctx("cla")
    pid_a, _ = _patient_with_note(a, "A-ECT")
    course = a.courses.add(pid_a, CourseRec("ect", dt.date(2026, 1, 5)))
    assert course.id is not None
    a.courses.add_session(course.id, CourseSessionRec(0, dt.date(2026, 1, 6), placement="bilateral"))
    events = [e for e in a.audit.list(limit=None, action="course.") if e.object_id == str(course.id)]
    assert {e.action for e in events} == {"course.create", "course.change"}
    assert {e.actor for e in events} == {practice.logins["cla"]}
    # clb, with their own credentials: A's course and its sessions are invisible and cannot be added to.
    raw = practice.raw("clb")
    assert _scalar(raw, "SELECT count(*) FROM treatment_course") == 0
    assert _scalar(raw, "SELECT count(*) FROM course_session") == 0
    assert _scalar(raw, "WITH d AS (DELETE FROM course_session WHERE course_id = :c RETURNING 1)"
                        " SELECT count(*) FROM d", c=course.id) == 0
    assert "row-level security" in _refused(
        raw, "INSERT INTO course_session (course_id, patient_id, number, given_on, bp_before, bp_after,"
             " adverse_events, travel_home, placement, cognitive_effects, notes) VALUES"
             " (:c, :p, 2, '2026-01-08', '', '', '', '', 'bilateral', '', '')", c=course.id, p=pid_a)
    raw.dispose()
    raw_a = practice.raw("cla")
    assert _scalar(raw_a, "SELECT count(*) FROM course_session WHERE patient_id = :p", p=pid_a) == 1
    raw_a.dispose()


def test_upgrading_a_group_database_to_0009_secures_the_course_tables(practice: Practice) -> None:
    """A practice set up before courses existed: the upgrade grants and secures the new tables itself."""
    from alembic import command

    from trdplanner.core.db import _alembic_config, upgrade
    from trdplanner.core.records import CourseRec

    owner = create_engine(practice.owner_url, poolclass=NullPool)
    with owner.begin() as conn:
        command.downgrade(_alembic_config(conn), "0008")  # as if set up before 0009
        assert conn.execute(text("SELECT to_regclass('course_session')")).scalar() is None
    upgrade(owner)
    owner.dispose()
    a = practice.ctx("cla")
    pid_a, _ = _patient_with_note(a, "A-UP")
    course = a.courses.add(pid_a, CourseRec("esketamine", dt.date(2026, 1, 5)))  # granted, not "permission denied"
    raw = practice.raw("clb")
    assert _scalar(raw, "SELECT count(*) FROM treatment_course") == 0  # and secured, not open
    assert _scalar(raw, "SELECT relrowsecurity FROM pg_class WHERE relname = 'course_session'") is True
    raw.dispose()
    assert course.id is not None
