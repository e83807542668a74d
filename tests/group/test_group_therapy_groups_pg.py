"""Therapy groups in a group practice, attacked as an insider would: a member's clinician sees the
group meeting (name, date, agenda, shared part) and their own patient, never another member's
row, session or note; nobody makes themselves a facilitator of someone else's group."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.group.conftest import Practice
from tests.signing_helpers import _ensure_key
from trdplanner.core.demo import DEMO_SIGNING_PASSWORD
from trdplanner.core.errors import AccessDenied
from trdplanner.core.group_records import MemberNotePart
from trdplanner.core.records import PatientProfile

pytestmark = pytest.mark.postgres

DAY = dt.date(2026, 1, 6)


def _scalar(engine: Any, sql: str, **params: Any) -> Any:
    with engine.begin() as conn:
        return conn.execute(text(sql), params).scalar()


def _refused(engine: Any, sql: str, **params: Any) -> str:
    with pytest.raises(DBAPIError) as caught, engine.begin() as conn:
        conn.execute(text(sql), params)
    return str(caught.value.orig)


def _run_group(practice: Practice) -> dict[str, Any]:
    """cla facilitates; one member is cla's patient, the other clb's (shared with cla to run the group)."""
    a, b = practice.ctx("cla"), practice.ctx("clb")
    pid_a = a.patients.create(PatientProfile("GA-01", "Alice Synthetic"), clinician_id=practice.ids["cla"])
    pid_b = b.patients.create(PatientProfile("GB-01", "Bruno Synthetic"), clinician_id=practice.ids["clb"])
    b.practice.share(pid_b, practice.logins["cla"])
    group = a.groups.create("Synthetic DBT skills", "dbt", [practice.ids["cla"]])
    for pid in (pid_a, pid_b):
        a.groups.add_member(group.id, pid, DAY)
    meeting = a.groups.add_meeting(group.id, DAY)
    for pid in (pid_a, pid_b):
        a.groups.record_attendance(meeting.id, pid, "attended")
    a.groups.write_shared_note(meeting.id, "Taught wise mind.")
    a.groups.write_member_note(meeting.id, pid_a, MemberNotePart("Alice-only participation detail."))
    a.groups.write_member_note(meeting.id, pid_b, MemberNotePart("Bruno-only participation detail."))
    _ensure_key(a, practice.ids["cla"])
    a.groups.sign_member_note(meeting.id, pid_a, practice.ids["cla"], password=DEMO_SIGNING_PASSWORD)
    return {"a": a, "b": b, "pid_a": pid_a, "pid_b": pid_b, "group": group.id, "meeting": meeting.id,
            "session_a": a.groups.member_session(meeting.id, pid_a)}


def test_the_facilitator_runs_the_group_across_two_caseloads(practice: Practice) -> None:
    run = _run_group(practice)
    a = run["a"]
    group = a.groups.get(run["group"])
    assert sorted(m.code for m in group.members) == ["GA-01", "GB-01"]
    assert {x.status for x in a.groups.get_meeting(run["meeting"]).attendance} == {"attended"}
    events = [e for e in a.audit.list(limit=None, action="group")]
    assert {e.actor for e in events} == {practice.logins["cla"]}


def test_another_members_clinician_sees_the_meeting_and_only_their_own_patient(practice: Practice) -> None:
    run = _run_group(practice)
    b = run["b"]
    group = b.groups.get(run["group"])
    assert [m.code for m in group.members] == ["GB-01"]  # not Alice
    meeting = b.groups.get_meeting(run["meeting"])
    assert meeting.shared_note == "Taught wise mind." and meeting.agenda
    assert [x.patient_id for x in meeting.attendance] == [run["pid_b"]]
    assert b.notes.for_session(run["session_a"]) is None
    # Raw SQL with clb's own credentials: no row of Alice's anywhere.
    raw = practice.raw("clb")
    assert _scalar(raw, "SELECT count(*) FROM therapy_group") == 1
    assert _scalar(raw, "SELECT count(*) FROM group_meeting") == 1
    assert _scalar(raw, "SELECT count(*) FROM group_member WHERE patient_id = :p", p=run["pid_a"]) == 0
    assert _scalar(raw, "SELECT count(*) FROM group_attendance WHERE patient_id = :p", p=run["pid_a"]) == 0
    assert _scalar(raw, "SELECT count(*) FROM therapy_session WHERE patient_id = :p", p=run["pid_a"]) == 0
    assert _scalar(raw, "SELECT count(*) FROM progress_note n WHERE n.sections::text LIKE '%Alice-only%'") == 0
    assert _scalar(raw, "SELECT count(*) FROM patient WHERE id = :p", p=run["pid_a"]) == 0
    # ... and cannot make themselves a facilitator, add a member, or rewrite the meeting.
    assert "row-level security" in _refused(
        raw, "INSERT INTO group_facilitator (group_id, clinician_id) VALUES (:g, :c)",
        g=run["group"], c=practice.ids["clb"])
    assert "row-level security" in _refused(
        raw, "INSERT INTO group_member (group_id, patient_id, joined_on) VALUES (:g, :p, '2026-01-01')",
        g=run["group"], p=run["pid_b"])
    assert _scalar(raw, "WITH u AS (UPDATE group_meeting SET shared_note = 'x' RETURNING 1)"
                        " SELECT count(*) FROM u") == 0
    assert _scalar(raw, "WITH d AS (DELETE FROM group_attendance RETURNING 1) SELECT count(*) FROM d") == 0
    raw.dispose()
    # Through the app too: clb is not a facilitator.
    with pytest.raises(AccessDenied):
        b.groups.add_facilitator(run["group"], practice.ids["clb"])


def test_a_clinician_with_no_member_sees_no_group(practice: Practice) -> None:
    _run_group(practice)
    raw = practice.raw("sup")  # a supervisor of cla reads cla's patients, so sees the group ...
    assert _scalar(raw, "SELECT count(*) FROM therapy_group") == 1
    raw.dispose()
    raw = practice.raw("aud")  # ... the auditor reads no clinical table at all
    assert "permission denied" in _refused(raw, "SELECT count(*) FROM group_meeting")
    raw.dispose()


def test_the_group_tables_are_row_level_secured(practice: Practice) -> None:
    raw = practice.raw("cla")
    for table in ("therapy_group", "group_facilitator", "group_member", "group_meeting", "group_attendance",
                  "session_attendee"):
        assert _scalar(raw, "SELECT relrowsecurity FROM pg_class WHERE relname = :t", t=table) is True
    raw.dispose()


def test_upgrading_a_group_database_to_0010_secures_the_group_tables(practice: Practice) -> None:
    """A practice set up before groups existed: the upgrade grants and secures the new tables itself."""
    from alembic import command
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from trdplanner.core.db import _alembic_config, upgrade

    owner = create_engine(practice.owner_url, poolclass=NullPool)
    with owner.begin() as conn:
        command.downgrade(_alembic_config(conn), "0009")
        assert conn.execute(text("SELECT to_regclass('group_meeting')")).scalar() is None
    upgrade(owner)
    owner.dispose()
    run = _run_group(practice)  # granted, not "permission denied"
    raw = practice.raw("clb")
    assert _scalar(raw, "SELECT count(*) FROM group_member WHERE patient_id = :p", p=run["pid_a"]) == 0
    assert _scalar(raw, "SELECT relrowsecurity FROM pg_class WHERE relname = 'group_attendance'") is True
    raw.dispose()
