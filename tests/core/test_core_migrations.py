"""Schema migrations, the copy kept before an upgrade, and how the database file is opened."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import IntegrityError

from trdplanner.core.db import Database, DatabaseError, create_db_engine, current_revision, head_revision, upgrade
from trdplanner.core.fingerprint import note_fingerprint
from trdplanner.core.models import Base
from trdplanner.core.services.measures import MeasureService
from trdplanner.core.services.notes import verify
from trdplanner.core.services.patients import PatientService
from trdplanner.core.services.sessions import SessionService
from trdplanner.core.services.transfer import TransferService

SIGNED_AT = dt.datetime(2025, 3, 1, 17, 30, tzinfo=dt.UTC)
SECTIONS = [("subjective", "Subjective", "Low mood; «sleep» 5 h."), ("plan", "Plan", "Continue.")]
FINGERPRINT = note_fingerprint("soap", SECTIONS, "Dr. Old, MD", SIGNED_AT)


def _build_at_0001(url: str) -> None:
    """A database as release 0001 left it, filled by raw SQL the way that release wrote rows."""
    engine = create_db_engine(url)
    try:
        upgrade(engine, "0001")
        assert current_revision(engine) == "0001"
        columns = {c["name"] for c in inspect(engine).get_columns("measure")}
        assert "alert_acknowledged_by" not in columns
        now = dt.datetime(2025, 3, 1, 12, 0)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO clinician (id, name, credentials, licence_number, email)"
                    " VALUES (1, :n, 'MD', 'L-1', '')"
                ),
                {"n": "Dr. Old"},
            )
            conn.execute(
                text(
                    "INSERT INTO patient (id, code, full_name, preferred_name, date_of_birth, pronouns, phone, email,"
                    " address, emergency_contact_name, emergency_contact_relation, emergency_contact_phone, status,"
                    " primary_diagnosis, primary_diagnosis_icd10, risk_level, risk_summary, clinician_id, created_at,"
                    " updated_at) VALUES (1, 'OLD-1', :name, 'Tom', :dob, '', '', '', '', '', '', '', 'active',"
                    " :dx, 'F33.2', 'high', '', 1, :now, :now)"
                ),
                {"name": "Tomás Álvarez", "dob": dt.date(1975, 1, 22), "dx": "Dépression récurrente", "now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO episode (id, patient_id, number, onset, ended, severity, psychotic_features)"
                    " VALUES (1, 1, 1, :onset, NULL, 'severe', :psy)"
                ),
                {"onset": dt.date(2023, 1, 10), "psy": False},
            )
            conn.execute(
                text(
                    "INSERT INTO trial (id, patient_id, episode_id, kind, agent, drug_class, dose, dose_unit,"
                    " min_effective_dose, start, stop, weeks_at_adequate_dose, adherence, baseline_score, end_score,"
                    " score_instrument, outcome, stop_reason, side_effects, prescriber, notes) VALUES (1, 1, 1,"
                    " 'antidepressant_monotherapy', 'Sertraline', 'SSRI', 150, 'mg/day', 50, :start, :stop, 8,"
                    " 'good', 20, 19, 'phq9', 'non_response', 'inefficacy', '', '', '')"
                ),
                {"start": dt.date(2023, 2, 1), "stop": dt.date(2023, 5, 1)},
            )
            conn.execute(
                text(
                    "INSERT INTO therapy_session (id, patient_id, clinician_id, number, date, duration_minutes, format,"
                    " modality, status, agenda, interventions, safety_plan_reviewed, created_at) VALUES (1, 1, 1, 1,"
                    " :d, 50, 'individual', 'cbt', 'completed', :agenda, '[]', :spr, :now)"
                ),
                {"d": dt.date(2025, 3, 1), "agenda": '["Mood check", "Safety plan"]', "spr": True, "now": now},
            )
            conn.execute(
                text(
                    "INSERT INTO progress_note (id, session_id, format, sections, status, signer_id, signer_name,"
                    " signed_at, fingerprint, updated_at) VALUES (1, 1, 'soap', :sections, 'signed', 1, 'Dr. Old, MD',"
                    " :signed, :fp, :now)"
                ),
                {
                    "sections": json.dumps([{"id": i, "title": t, "text": x} for i, t, x in SECTIONS]),
                    "signed": SIGNED_AT.replace(tzinfo=None),
                    "fp": FINGERPRINT,
                    "now": now,
                },
            )
            for mid, instrument, items, total, taken in (
                (1, "phq9", "[1, 1, 1, 1, 1, 1, 1, 1, 2]", 10, dt.date(2025, 3, 1)),
                (2, "madrs", None, 30, dt.date(2025, 3, 2)),
            ):
                conn.execute(
                    text(
                        "INSERT INTO measure (id, patient_id, session_id, instrument, taken_on, items, total, notes,"
                        " created_at) VALUES (:id, 1, 1, :ins, :taken, :items, :total, 'old row', :now)"
                    ),
                    {"id": mid, "ins": instrument, "taken": taken, "items": items, "total": total, "now": now},
                )
    finally:
        engine.dispose()


def test_upgrade_from_0001_keeps_every_row_and_adds_new_columns(db_url: str) -> None:
    _build_at_0001(db_url)

    db = Database.open(db_url)
    try:
        assert current_revision(db.engine) == head_revision()
        insp = inspect(db.engine)
        measure_cols = {c["name"]: c for c in insp.get_columns("measure")}
        assert {"alert_acknowledged_by", "alert_acknowledged_at"} <= set(measure_cols)
        assert "search_text" in {c["name"] for c in insp.get_columns("patient")}
        # Every table the app's models know is there after the upgrade.
        assert {t.name for t in Base.metadata.sorted_tables} <= set(insp.get_table_names())

        patients = PatientService(db)
        profile = patients.get(1)
        assert (profile.code, profile.full_name, profile.primary_diagnosis) == (
            "OLD-1",
            "Tomás Álvarez",
            "Dépression récurrente",
        )
        assert profile.episodes[0].onset == dt.date(2023, 1, 10)
        # Rows written before search_text existed are found by the accent-free search.
        assert [s.id for s in patients.summaries("alvarez depression")] == [1]

        measures = MeasureService(db).list(1)
        assert [(m.instrument, m.items, m.total, m.notes, m.session_number) for m in measures] == [
            ("phq9", [1, 1, 1, 1, 1, 1, 1, 1, 2], 10, "old row", 1),
            ("madrs", None, 30, "old row", 1),
        ]
        assert all(m.alert_acknowledged_by == "" and m.alert_acknowledged_at is None for m in measures)
        acked = MeasureService(db).acknowledge_alert(1, "Dr. New")
        assert acked.alert_acknowledged_by == "Dr. New"

        (session,) = SessionService(db).list(1)
        assert session.agenda == ["Mood check", "Safety plan"] and session.safety_plan_reviewed
        assert session.note is not None
        assert session.note.signed_at == SIGNED_AT
        assert session.note.fingerprint == FINGERPRINT
        assert verify(session.note)  # a note signed before the upgrade still verifies...
        from trdplanner.core.integrity import verify_all
        from trdplanner.core.signing import check_note

        # ...said as what it is, and accepted by `audit verify` because the upgrade listed it.
        assert "before signatures were introduced" in check_note(session.note).text
        report = verify_all(db)
        assert report.ok, report.failures

        # The migrated record exports and imports like any other.
        exported = TransferService(db).export_json(1)
        assert '"full_name": "Tomás Álvarez"' in exported
    finally:
        db.close()

    if db_url.startswith("sqlite"):
        backup = db.upgrade_backup
        assert backup is not None and backup.exists()
        assert backup.parent == Path(db_url.removeprefix("sqlite:///")).parent
        con = sqlite3.connect(backup)
        try:
            assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [("0001",)]
            assert con.execute("SELECT full_name FROM patient").fetchall() == [("Tomás Álvarez",)]
            assert con.execute("SELECT count(*) FROM measure").fetchone() == (2,)
            cols = {row[1] for row in con.execute("PRAGMA table_info(measure)")}
            assert "alert_acknowledged_by" not in cols
        finally:
            con.close()
    else:
        assert db.upgrade_backup is None  # a server database is backed up by its own tools

    # Opening an up-to-date database neither migrates nor copies anything.
    again = Database.open(db_url)
    assert again.upgrade_backup is None
    again.close()


def test_new_database_is_created_at_head_without_a_backup(db_url: str) -> None:
    db = Database.open(db_url)
    try:
        assert db.upgrade_backup is None
        assert current_revision(db.engine) == head_revision()
        assert {t.name for t in Base.metadata.sorted_tables} <= set(inspect(db.engine).get_table_names())
        assert PatientService(db).summaries(status=None) == []
    finally:
        db.close()


def test_file_with_foreign_tables_is_refused_and_left_alone(data_dir: Path) -> None:
    path = data_dir / "accounts.sqlite3"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    con.execute("INSERT INTO invoices (amount) VALUES (12.5)")
    con.commit()
    con.close()

    with pytest.raises(DatabaseError) as err:
        Database.open(f"sqlite:///{path}")
    assert str(err.value).startswith("database: ")
    assert "did not create" in str(err.value)

    con = sqlite3.connect(path)
    try:
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert tables == {"invoices"}
        assert con.execute("SELECT amount FROM invoices").fetchall() == [(12.5,)]
    finally:
        con.close()
    assert list(data_dir.glob("accounts.sqlite3.before-*")) == []


def test_database_holding_foreign_tables_is_refused_on_any_backend(db_url: str) -> None:
    engine = create_db_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount INTEGER)"))
        conn.execute(text("INSERT INTO invoices (id, amount) VALUES (1, 125)"))
    engine.dispose()

    with pytest.raises(DatabaseError, match="did not create"):
        Database.open(db_url)

    engine = create_db_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) == {"invoices"}  # nothing added, nothing dropped
        with engine.connect() as conn:
            assert conn.execute(text("SELECT amount FROM invoices")).scalar() == 125
    finally:
        engine.dispose()


def test_file_that_is_not_a_database_is_refused_clearly(data_dir: Path) -> None:
    path = data_dir / "notes.txt"
    original = b"Dear diary, this is not a database at all.\n" * 100
    path.write_bytes(original)
    with pytest.raises(DatabaseError) as err:
        Database.open(f"sqlite:///{path}")
    assert str(err.value).startswith("database: ")
    assert "\n" not in str(err.value)
    assert path.read_bytes() == original


def test_sqlite_runs_with_wal_and_foreign_keys(data_dir: Path) -> None:
    db = Database.open(f"sqlite:///{data_dir / 'x.sqlite3'}")
    try:
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        # Foreign keys are enforced, not just declared: a measure for no patient is refused.
        with pytest.raises(IntegrityError), db.engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO measure (patient_id, instrument, taken_on, total, notes, alert_acknowledged_by,"
                    " created_at) VALUES (999, 'phq9', '2025-01-01', 3, '', '', '2025-01-01 00:00:00')"
                )
            )
    finally:
        db.close()


@pytest.mark.parametrize(
    "url",
    [
        "this is not a url",
        "",
        "nosuchdialect://host/db",  # no such database kind
        "mysql://user@localhost/trd",  # a real kind whose driver is not installed
        "postgresql+psycopg://nobody@127.0.0.1:1/trd",  # nothing listening
    ],
)
def test_unusable_database_url_is_a_database_error(url: str) -> None:
    with pytest.raises(DatabaseError) as err:
        Database.open(url)
    assert str(err.value).startswith("database: ")
