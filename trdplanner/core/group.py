"""Group practice on PostgreSQL: the server's login roles, grants and row-level security.

Authentication and access control belong to the server. ``practice setup`` (run once by the
database owner, again after every upgrade; running it twice changes nothing) makes:

* four group roles, ``<prefix>_clinician``, ``_supervisor``, ``_admin`` and ``_auditor``, and
  ``<prefix>_staff`` which the first three belong to and which holds the table privileges
  (SELECT, INSERT, UPDATE, DELETE and sequence use: never TRUNCATE, TRIGGER or REFERENCES;
  the tables stay owned by the owner, so no app role can ALTER them or disable a trigger);
* row-level security on every table that holds patient data, with policies that call a few
  SECURITY DEFINER helpers (``trd_can_read``/``trd_can_write``) keyed on ``session_user``;
* triggers that take the actor from the server: an audit entry must name ``session_user``,
  a signature, addendum or co-signature must be by the clinician whose login is
  ``session_user``, ``updated_by`` is stamped with it, and only an admin reassigns a patient;
* SECURITY DEFINER functions an admin calls to create a login (with a password verifier made
  by libpq on the client: the plain password never reaches the server's logs) and to
  disable one.

Each clinician then connects as their own login role. A login is only ever created inside
the practice's group roles, with NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, text

from trdplanner.core.errors import InputError
from trdplanner.core.vocab import ClinicianRole

LOGIN_RE = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
PREFIX_RE = re.compile(r"^[a-z_][a-z0-9_]{0,40}$")
GROUPS = tuple(r.value for r in ClinicianRole)  # clinician, supervisor, admin, auditor

# Tables whose rows belong to one patient, and the expression that names that patient.
_DIRECT = ("comorbidity", "contributing_factor", "care_team_member", "medication", "episode", "trial",
           "measure", "therapy_session", "treatment_plan", "treatment_course", "course_session")
_VIA = {
    "template_instance": "trd_session_patient(session_id)",
    "homework": "trd_session_patient(session_id)",
    "progress_note": "trd_session_patient(session_id)",
    "note_addendum": "trd_note_patient(note_id)",
    "note_cosignature": "trd_note_patient(note_id)",
    "plan_problem": "trd_plan_patient(plan_id)",
    "plan_goal": "trd_problem_patient(problem_id)",
    "plan_intervention": "trd_problem_patient(problem_id)",
    "plan_objective": "trd_goal_patient(goal_id)",
    "session_attendee": "trd_session_patient(session_id)",
}
# Therapy groups: the group and its meetings are read by its facilitators and by the clinicians
# of its members; a member row and an attendance row only by the facilitators and by whoever
# reads that member's own record (see _group_policies).
GROUP_TABLES = ("therapy_group", "group_facilitator", "group_member", "group_meeting", "group_attendance")
_VERSIONED = ("patient", "therapy_session", "progress_note", "treatment_plan", "trial", "measure",
              "practice", "clinician")
_SIGNED = ("progress_note", "note_addendum", "note_cosignature")
ALL_TABLES = ("patient", "patient_flags", "patient_share", "purge_permit", "clinician", "practice",
              "audit_event", "signing_key", "key_event", *_DIRECT, *_VIA, *GROUP_TABLES)


@dataclass(frozen=True)
class GroupInfo:
    prefix: str

    def role(self, name: str) -> str:
        return f"{self.prefix}_{name}"


def default_prefix(database: str) -> str:
    """``trd_`` and the database name, folded to a role-name-safe form."""
    cleaned = re.sub(r"[^a-z0-9_]", "_", database.lower())
    return ("trd_" + cleaned)[:40]


def group_info(conn: Connection) -> GroupInfo | None:
    """The practice's group roles, or None when ``practice setup`` has not been run on this database."""
    if conn.dialect.name != "postgresql":
        return None
    exists = conn.execute(text("SELECT to_regproc('trd_group_prefix') IS NOT NULL")).scalar_one()
    if not exists:
        return None
    return GroupInfo(str(conn.execute(text("SELECT trd_group_prefix()")).scalar_one()))


# --------------------------------------------------------------------------- setup


def _functions(g: GroupInfo, schema: str) -> list[str]:
    members = ", ".join(f"'{g.role(r)}'" for r in GROUPS)
    definer = f"LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp"
    is_role = "pg_has_role(session_user, {role}, 'MEMBER')"
    admin = is_role.format(role=f"'{g.role('admin')}'")
    supervisor = is_role.format(role=f"'{g.role('supervisor')}'")
    staff = is_role.format(role=f"'{g.role('staff')}'")
    return [
        "CREATE OR REPLACE FUNCTION trd_group_prefix() RETURNS text LANGUAGE sql IMMUTABLE AS "
        f"$$ SELECT '{g.prefix}'::text $$",
        f"""CREATE OR REPLACE FUNCTION trd_me() RETURNS integer {definer} AS $$
            SELECT id FROM clinician WHERE login = session_user AND active $$""",
        f"CREATE OR REPLACE FUNCTION trd_is_admin() RETURNS boolean {definer} AS $$ SELECT {admin} $$",
        f"CREATE OR REPLACE FUNCTION trd_is_staff() RETURNS boolean {definer} AS $$ SELECT {staff} $$",
        # Own caseload, a patient shared with me, a supervisee's patient (supervisors), everyone (admin).
        # Takes the owner as an argument so a patient row's own policy needs no look-up of itself
        # (a row being inserted is not yet visible to the look-up).
        f"""CREATE OR REPLACE FUNCTION trd_can_read_patient(pid integer, owner integer) RETURNS boolean {definer} AS $$
            SELECT {admin} OR owner = trd_me()
                OR EXISTS (SELECT 1 FROM patient_share s WHERE s.patient_id = pid AND s.clinician_id = trd_me())
                OR ({supervisor} AND EXISTS (
                    SELECT 1 FROM clinician c WHERE c.id = owner AND c.supervisor_id = trd_me())) $$""",
        f"""CREATE OR REPLACE FUNCTION trd_can_write_patient(pid integer, owner integer) RETURNS boolean {definer} AS $$
            SELECT owner = trd_me()
                OR EXISTS (SELECT 1 FROM patient_share s WHERE s.patient_id = pid AND s.clinician_id = trd_me()) $$""",
        f"""CREATE OR REPLACE FUNCTION trd_can_read(pid integer) RETURNS boolean {definer} AS $$
            SELECT coalesce((SELECT trd_can_read_patient(p.id, p.clinician_id) FROM patient p WHERE p.id = pid),
                            false) $$""",
        # Writing: own caseload and shared patients only; a supervisor reads a supervisee's record.
        f"""CREATE OR REPLACE FUNCTION trd_can_write(pid integer) RETURNS boolean {definer} AS $$
            SELECT coalesce((SELECT trd_can_write_patient(p.id, p.clinician_id) FROM patient p WHERE p.id = pid),
                            false) $$""",
        f"""CREATE OR REPLACE FUNCTION trd_session_patient(sid integer) RETURNS integer {definer} AS $$
            SELECT patient_id FROM therapy_session WHERE id = sid $$""",
        f"""CREATE OR REPLACE FUNCTION trd_note_patient(nid integer) RETURNS integer {definer} AS $$
            SELECT t.patient_id FROM progress_note n JOIN therapy_session t ON t.id = n.session_id
            WHERE n.id = nid $$""",
        f"""CREATE OR REPLACE FUNCTION trd_plan_patient(plid integer) RETURNS integer {definer} AS $$
            SELECT patient_id FROM treatment_plan WHERE id = plid $$""",
        f"""CREATE OR REPLACE FUNCTION trd_problem_patient(prid integer) RETURNS integer {definer} AS $$
            SELECT trd_plan_patient(plan_id) FROM plan_problem WHERE id = prid $$""",
        f"""CREATE OR REPLACE FUNCTION trd_goal_patient(gid integer) RETURNS integer {definer} AS $$
            SELECT trd_problem_patient(problem_id) FROM plan_goal WHERE id = gid $$""",
        # The supervisor of the clinician who signed the note (who may co-sign it).
        f"""CREATE OR REPLACE FUNCTION trd_note_supervisor(nid integer) RETURNS integer {definer} AS $$
            SELECT c.supervisor_id FROM progress_note n JOIN clinician c ON c.id = n.signer_id
            WHERE n.id = nid AND n.status = 'signed' $$""",
        # Appending to the hash chain needs the last entry; a clinician may not read the others.
        f"""CREATE OR REPLACE FUNCTION trd_audit_tail() RETURNS TABLE (
                id integer, hash varchar, at timestamp, actor varchar, action varchar,
                object_type varchar, object_id varchar) {definer} AS $$
            SELECT id, hash, at, actor, action, object_type, object_id FROM audit_event
            ORDER BY id DESC LIMIT 1 $$""",
        # ---- triggers: the actor comes from the server
        f"""CREATE OR REPLACE FUNCTION trd_audit_actor() RETURNS trigger LANGUAGE plpgsql
            SET search_path = {schema}, pg_temp AS $$
            BEGIN
                IF NEW.actor IS DISTINCT FROM session_user::text THEN
                    RAISE EXCEPTION 'the audit trail records the login (%), not %', session_user, NEW.actor
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END $$""",
        f"""CREATE OR REPLACE FUNCTION trd_stamp_updated_by() RETURNS trigger LANGUAGE plpgsql
            SET search_path = {schema}, pg_temp AS $$
            BEGIN
                NEW.updated_by := session_user;
                RETURN NEW;
            END $$""",
        f"""CREATE OR REPLACE FUNCTION trd_sign_as_self() RETURNS trigger LANGUAGE plpgsql
            SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
            DECLARE
                signer_login text;
            BEGIN
                IF TG_TABLE_NAME = 'progress_note' THEN  -- only the change that signs a note
                    IF NEW.status <> 'signed' OR (TG_OP = 'UPDATE' AND OLD.status = 'signed') THEN
                        RETURN NEW;
                    END IF;
                END IF;
                IF NOT {staff} THEN  -- the database owner (migrations, restores) is not an app login
                    RETURN NEW;
                END IF;
                SELECT login INTO signer_login FROM clinician WHERE id = NEW.signer_id;
                IF signer_login IS DISTINCT FROM session_user::text
                        AND NOT (TG_OP = 'INSERT' AND TG_TABLE_NAME <> 'note_cosignature' AND {admin}) THEN
                    RAISE EXCEPTION 'nobody can sign as someone else: % is logged in', session_user
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                NEW.signer_login := session_user;
                RETURN NEW;
            END $$""",
        f"""CREATE OR REPLACE FUNCTION trd_patient_owner_guard() RETURNS trigger LANGUAGE plpgsql
            SET search_path = {schema}, pg_temp AS $$
            BEGIN
                IF NEW.clinician_id IS DISTINCT FROM OLD.clinician_id AND trd_is_staff() AND NOT trd_is_admin() THEN
                    RAISE EXCEPTION 'only an admin assigns a patient to another clinician'
                        USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END $$""",
        # ---- logins, for admins (and the owner, to make the first admin)
        f"""CREATE OR REPLACE FUNCTION trd_create_login(login text, verifier text, grp text) RETURNS void
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
            BEGIN
                IF NOT ({admin} OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = session_user
                                          AND (rolcreaterole OR rolsuper))) THEN
                    RAISE EXCEPTION 'only an admin adds clinicians' USING ERRCODE = 'insufficient_privilege';
                END IF;
                IF login !~ '^[a-z_][a-z0-9_]{{0,62}}$' THEN
                    RAISE EXCEPTION 'not a valid login name: %', login USING ERRCODE = 'invalid_parameter_value';
                END IF;
                IF grp NOT IN ({", ".join(f"'{r}'" for r in GROUPS)}) THEN
                    RAISE EXCEPTION 'not a practice role: %', grp USING ERRCODE = 'invalid_parameter_value';
                END IF;
                EXECUTE format('CREATE ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS '
                               'NOREPLICATION INHERIT PASSWORD %L IN ROLE %I',
                               login, verifier, '{g.prefix}_' || grp);
            END $$""",
        f"""CREATE OR REPLACE FUNCTION trd_clinician_login_guard() RETURNS trigger LANGUAGE plpgsql
            SET search_path = {schema}, pg_temp AS $$
            BEGIN
                -- A login, once given, names that clinician for good: re-pointing it would let one
                -- person sign under another's name.
                IF OLD.login IS NOT NULL AND NEW.login IS DISTINCT FROM OLD.login THEN
                    RAISE EXCEPTION 'a clinician''s login cannot be changed' USING ERRCODE = 'insufficient_privilege';
                END IF;
                RETURN NEW;
            END $$""",
        f"""CREATE OR REPLACE FUNCTION trd_set_login_enabled(login text, enabled boolean) RETURNS void
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = {schema}, pg_temp AS $$
            BEGIN
                IF NOT ({admin} OR EXISTS (SELECT 1 FROM pg_roles WHERE rolname = session_user
                                          AND (rolcreaterole OR rolsuper))) THEN
                    RAISE EXCEPTION 'only an admin deactivates clinicians' USING ERRCODE = 'insufficient_privilege';
                END IF;
                -- Only a login made for this practice (a direct member of one of its group roles),
                -- never another role on the server.
                IF NOT EXISTS (SELECT 1 FROM clinician c WHERE c.login = trd_set_login_enabled.login)
                        OR NOT EXISTS (
                            SELECT 1 FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
                            JOIN pg_roles u ON u.oid = m.member
                            WHERE u.rolname = trd_set_login_enabled.login AND NOT u.rolsuper
                              AND g.rolname IN ({members})) THEN
                    RAISE EXCEPTION '% is not a clinician of this practice', login
                        USING ERRCODE = 'invalid_parameter_value';
                END IF;
                EXECUTE format('ALTER ROLE %I %s', login, CASE WHEN enabled THEN 'LOGIN' ELSE 'NOLOGIN' END);
            END $$""",
    ]


def _group_functions(g: GroupInfo, schema: str) -> list[str]:
    """Helpers of the group tables' policies (SECURITY DEFINER: they look past row-level security
    to answer one yes/no question, never to hand rows out)."""
    definer = f"LANGUAGE sql STABLE SECURITY DEFINER SET search_path = {schema}, pg_temp"
    return [
        f"""CREATE OR REPLACE FUNCTION trd_group_leader(gid integer) RETURNS boolean {definer} AS $$
            SELECT EXISTS (SELECT 1 FROM group_facilitator f
                           WHERE f.group_id = gid AND f.clinician_id = trd_me()) $$""",
        # A group being created has no facilitator yet: its creator names the first ones.
        f"""CREATE OR REPLACE FUNCTION trd_group_unled(gid integer) RETURNS boolean {definer} AS $$
            SELECT NOT EXISTS (SELECT 1 FROM group_facilitator f WHERE f.group_id = gid) $$""",
        f"""CREATE OR REPLACE FUNCTION trd_can_write_group(gid integer) RETURNS boolean {definer} AS $$
            SELECT trd_is_admin() OR trd_group_leader(gid) $$""",
        # Reading the group itself (name, meetings, agenda, shared part): its facilitators and the
        # clinicians of its members. Nothing of another member comes with it.
        f"""CREATE OR REPLACE FUNCTION trd_can_read_group(gid integer) RETURNS boolean {definer} AS $$
            SELECT trd_can_write_group(gid) OR trd_group_unled(gid)
                OR EXISTS (SELECT 1 FROM group_member m WHERE m.group_id = gid AND trd_can_read(m.patient_id)) $$""",
        f"""CREATE OR REPLACE FUNCTION trd_meeting_group(mid integer) RETURNS integer {definer} AS $$
            SELECT group_id FROM group_meeting WHERE id = mid $$""",
    ]


def _group_policies(table: str) -> list[tuple[str, str, str, str]]:
    gid = {"therapy_group": "id", "group_attendance": "trd_meeting_group(meeting_id)"}.get(table, "group_id")
    lead = f"trd_can_write_group({gid})"
    if table in ("group_member", "group_attendance"):
        # One member's row: the facilitators, and whoever reads that member's record; not the
        # clinician of another member.
        read = f"{lead} OR trd_can_read(patient_id)"
        insert = f"{lead} AND trd_can_read(patient_id)"
    else:
        read = f"trd_can_read_group({gid})"
        insert = {"therapy_group": "trd_is_staff()",
                  "group_facilitator": f"{lead} OR trd_group_unled(group_id)"}.get(table, lead)
    return [
        ("trd_read", "SELECT", read, ""),
        ("trd_insert", "INSERT", "", insert),
        ("trd_update", "UPDATE", lead, lead),
        ("trd_delete", "DELETE", lead, ""),
    ]


def _policies(table: str) -> list[tuple[str, str, str, str]]:
    """(name, command, USING, WITH CHECK) for ``table``; '' leaves a clause out."""
    if table == "patient":
        return [
            ("trd_read", "SELECT", "trd_can_read_patient(id, clinician_id)", ""),
            ("trd_insert", "INSERT", "", "trd_is_admin() OR clinician_id = trd_me()"),
            # Reassigning (clinician_id) is refused to non-admins by trd_patient_owner_guard.
            ("trd_update", "UPDATE", "trd_is_admin() OR trd_can_write_patient(id, clinician_id)", "true"),
            ("trd_delete", "DELETE", "trd_is_admin()", ""),  # only an admin purges
        ]
    if table == "patient_flags":  # derived data; whoever reads the patient may refresh it
        return [("trd_all", "ALL", "trd_can_read(patient_id)", "trd_can_read(patient_id)")]
    if table == "patient_share":
        # Only an admin or the patient's own clinician shares them (a shared clinician cannot pass them on).
        owner = ("trd_is_admin() OR EXISTS (SELECT 1 FROM patient p WHERE p.id = patient_id"
                 " AND p.clinician_id = trd_me())")
        return [
            ("trd_read", "SELECT", "clinician_id = trd_me() OR trd_can_read(patient_id)", ""),
            ("trd_write", "ALL", owner, owner),
        ]
    if table == "purge_permit":
        return [("trd_admin", "ALL", "trd_is_admin()", "trd_is_admin()")]
    if table in ("clinician", "practice"):
        return [
            ("trd_read", "SELECT", "true", ""),
            ("trd_admin_insert", "INSERT", "", "trd_is_admin()"),
            ("trd_admin_update", "UPDATE", "trd_is_admin()", "trd_is_admin()"),
            ("trd_admin_delete", "DELETE", "trd_is_admin()", ""),
        ]
    if table == "signing_key":
        # Everyone reads public keys (to verify each other's signatures); a clinician creates and
        # rotates only their own (the private half is sealed with their own signing password).
        own = "clinician_id IS NULL OR clinician_id = trd_me() OR trd_is_admin()"
        return [
            ("trd_read", "SELECT", "true", ""),
            ("trd_insert", "INSERT", "", own),
            ("trd_update", "UPDATE", own, own),
        ]
    if table == "key_event":  # signed by the key's holder; append-only (guarded by triggers)
        return [("trd_read", "SELECT", "true", ""), ("trd_append", "INSERT", "", "true")]
    if table == "audit_event":
        return [
            ("trd_read", "SELECT",
             "actor = session_user OR trd_is_admin() OR pg_has_role(session_user, trd_group_prefix() || '_auditor',"
             " 'MEMBER')", ""),
            ("trd_append", "INSERT", "", "actor = session_user"),
        ]
    if table in GROUP_TABLES:
        return _group_policies(table)
    pid = "patient_id" if table in _DIRECT else _VIA[table]
    read = [("trd_read", "SELECT", f"trd_can_read({pid})", "")]
    if table == "note_cosignature":  # the signer's supervisor, as themselves, on a signed note
        return [*read, ("trd_cosign", "INSERT", "",
                        f"trd_can_read({pid}) AND signer_id = trd_me() AND trd_note_supervisor(note_id) = trd_me()")]
    write = f"trd_can_write({pid})"
    return [
        *read,
        ("trd_insert", "INSERT", "", write),
        ("trd_update", "UPDATE", write, write),
        ("trd_delete", "DELETE", write, ""),
    ]


def _table_statements(g: GroupInfo, table: str) -> list[str]:
    """The staff grant, row-level security and policies of one table."""
    staff = g.role("staff")
    privileges = "SELECT, INSERT" if table == "audit_event" else "SELECT, INSERT, UPDATE, DELETE"
    out = [f'GRANT {privileges} ON "{table}" TO "{staff}"', f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY']
    for name, command, using, check in _policies(table):
        out.append(f'DROP POLICY IF EXISTS {name} ON "{table}"')
        sql = f'CREATE POLICY {name} ON "{table}" FOR {command}'
        sql += f" USING ({using})" if using else ""
        sql += f" WITH CHECK ({check})" if check else ""
        out.append(sql)
    return out


def secure_new_tables(conn: Connection, tables: tuple[str, ...]) -> None:
    """For a migration adding patient tables: on a group practice's database, grant and secure them at once.

    Without this the new tables would stay closed to every clinician (safe, but broken) until an
    admin ran ``practice setup`` again. Elsewhere (SQLite, a single-user server) it does nothing.
    """
    g = group_info(conn)
    if g is None:
        return
    if set(tables) & set(GROUP_TABLES):  # their policies call helpers made with them
        schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
        for sql in _group_functions(g, schema):
            conn.execute(text(sql))
        conn.execute(text(f'REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA "{schema}" FROM PUBLIC'))
        conn.execute(text(f'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA "{schema}" TO "{g.role("staff")}", '
                          f'"{g.role("auditor")}"'))
    for table in tables:
        for sql in _table_statements(g, table):
            conn.execute(text(sql))
        # setup_statements grants every sequence in the schema; a new table brings its own id sequence.
        sequence = conn.execute(text(  # a table without an id column (a link table) has none
            "SELECT pg_get_serial_sequence(:t, 'id') FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = :t AND column_name = 'id'"), {"t": table}).scalar()
        if sequence:
            conn.execute(text(f'GRANT USAGE, SELECT ON SEQUENCE {sequence} TO "{g.role("staff")}"'))


def setup_statements(g: GroupInfo, schema: str, existing_roles: set[str]) -> list[str]:
    staff, auditor = g.role("staff"), g.role("auditor")
    out: list[str] = []
    for name in ("staff", *GROUPS):
        role = g.role(name)
        if role not in existing_roles:
            out.append(f'CREATE ROLE "{role}" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS')
    for name in ("clinician", "supervisor", "admin"):
        out.append(f'GRANT "{staff}" TO "{g.role(name)}"')
    out += _functions(g, schema)
    out += _group_functions(g, schema)
    out.append(f'REVOKE ALL ON SCHEMA "{schema}" FROM PUBLIC')
    out.append(f'GRANT USAGE ON SCHEMA "{schema}" TO "{staff}", "{auditor}"')
    out.append(f'REVOKE ALL ON ALL TABLES IN SCHEMA "{schema}" FROM PUBLIC')
    out.append(f'REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA "{schema}" FROM PUBLIC')
    out.append(f'GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA "{schema}" TO "{staff}", "{auditor}"')
    out.append(f'GRANT SELECT ON alembic_version TO "{staff}", "{auditor}"')
    out.append(f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA "{schema}" TO "{staff}"')
    for table in ALL_TABLES:
        out += _table_statements(g, table)
    for table in ("audit_event", "clinician", "practice"):
        out.append(f'GRANT SELECT ON "{table}" TO "{auditor}"')
    out.append(f'GRANT INSERT ON audit_event TO "{auditor}"')
    # Triggers (CREATE OR REPLACE TRIGGER: PostgreSQL 14 and later).
    out.append("CREATE OR REPLACE TRIGGER trd_audit_actor BEFORE INSERT ON audit_event "
               "FOR EACH ROW EXECUTE FUNCTION trd_audit_actor()")
    for table in _VERSIONED:
        out.append(f'CREATE OR REPLACE TRIGGER trd_stamp_updated_by BEFORE INSERT OR UPDATE ON "{table}" '
                   "FOR EACH ROW EXECUTE FUNCTION trd_stamp_updated_by()")
    for table in _SIGNED:
        out.append(f'CREATE OR REPLACE TRIGGER trd_sign_as_self BEFORE INSERT OR UPDATE ON "{table}" '
                   "FOR EACH ROW EXECUTE FUNCTION trd_sign_as_self()")
    out.append("CREATE OR REPLACE TRIGGER trd_patient_owner_guard BEFORE UPDATE ON patient "
               "FOR EACH ROW EXECUTE FUNCTION trd_patient_owner_guard()")
    out.append("CREATE OR REPLACE TRIGGER trd_clinician_login_guard BEFORE UPDATE ON clinician "
               "FOR EACH ROW EXECUTE FUNCTION trd_clinician_login_guard()")
    return out


def setup(engine: Engine, prefix: str | None = None) -> GroupInfo:
    """Create or refresh the group roles, grants, policies and triggers. Idempotent.

    Run by the database owner, who needs CREATEROLE (it creates the group roles and, through
    ``trd_create_login``, the clinicians' logins).
    """
    with engine.begin() as conn:
        existing = group_info(conn)
        if prefix is None:
            prefix = existing.prefix if existing else default_prefix(str(conn.execute(
                text("SELECT current_database()")).scalar_one()))
        if not PREFIX_RE.match(prefix):
            raise InputError("prefix", "use lower-case letters, digits and _ (at most 40), starting with a letter")
        if existing is not None and existing.prefix != prefix:
            raise InputError("prefix", f"this database is already set up with group roles {existing.prefix}_*")
        g = GroupInfo(prefix)
        schema = str(conn.execute(text("SELECT current_schema()")).scalar_one())
        roles = {r for (r,) in conn.execute(text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"),
                                            {"p": prefix.replace("_", r"\_") + r"\_%"})}
        for sql in setup_statements(g, schema, roles):
            conn.execute(text(sql))
        return g


def validate_login(login: str) -> str:
    if not LOGIN_RE.match(login):
        raise InputError("login", "use lower-case letters, digits and _ (at most 63), starting with a letter")
    return login
