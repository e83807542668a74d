"""A group practice on a real PostgreSQL server: one fresh database, its group roles and five
login roles (admin, supervisor, two clinicians, auditor), all dropped when the test ends.

Role names are cluster-wide, so every name carries a random token. The development and CI
servers use trust authentication, which accepts any password; the tests therefore also check
the server's own idea of who is connected (session_user), and access is enforced by grants
and row-level security, which trust does not bypass.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from tests.conftest import PG_URL_ENV, fresh_pg_database
from trdplanner.context import AppContext
from trdplanner.core import group
from trdplanner.core.db import Database
from trdplanner.core.records import ClinicianRec, PracticeRec
from trdplanner.core.services.practice import PracticeService

PASSWORD = "correct horse battery staple"


@dataclass
class Practice:
    owner_url: str
    prefix: str
    logins: dict[str, str]  # role in the test (admin, sup, cla, clb, aud) -> login name
    ids: dict[str, int]
    data_dir: Path
    _contexts: list[AppContext] = field(default_factory=list)
    extra_logins: list[str] = field(default_factory=list)  # made by a test; dropped with the others

    def url(self, who: str) -> str:
        u = make_url(self.owner_url).set(username=self.logins[who], password=PASSWORD)
        return u.render_as_string(hide_password=False)

    def ctx(self, who: str) -> AppContext:
        """The app opened as ``who``, the way a workstation opens it."""
        c = AppContext.open(str(self.data_dir / who), self.url(who))
        self._contexts.append(c)
        return c

    def raw(self, who: str) -> object:
        """A plain SQLAlchemy engine logged in as ``who``: SQL typed by hand, no app in between."""
        return create_engine(self.url(who), poolclass=NullPool)

    def close(self) -> None:
        for c in self._contexts:
            c.close()


@pytest.fixture
def practice(tmp_path: Path, pg_migrated_template: str) -> Iterator[Practice]:
    admin_url = os.environ.get(PG_URL_ENV)
    if not admin_url:
        pytest.skip(f"{PG_URL_ENV} is not set")
    token = secrets.token_hex(4)
    logins = {k: f"{k}_{token}" for k in ("admin", "sup", "cla", "clb", "aud")}
    prefix = ""
    p: Practice | None = None
    try:
        with fresh_pg_database(admin_url, pg_migrated_template) as owner_url:
            db = Database.open(owner_url)
            info = group.setup(db.engine)
            prefix = info.prefix
            db.forget_group()
            service = PracticeService(db)
            service.save_practice(PracticeRec("Synthetic Group Practice"))
            ids: dict[str, int] = {}
            for key, role in (("admin", "admin"), ("sup", "supervisor"), ("aud", "auditor")):
                ids[key] = service.add_clinician(
                    ClinicianRec(f"Dr. {key.title()}", "PhD", login=logins[key], role=role), password=PASSWORD
                ).id or 0
            # cla is supervised by sup; clb is not (a fully licensed colleague).
            for key, supervisor in (("cla", ids["sup"]), ("clb", None)):
                ids[key] = service.add_clinician(
                    ClinicianRec(f"Dr. {key.title()}", "LCSW", login=logins[key], role="clinician",
                                 supervisor_id=supervisor),
                    password=PASSWORD,
                ).id or 0
            db.close()
            p = Practice(owner_url, prefix, logins, ids, tmp_path)
            yield p
            p.close()
    finally:
        if p is not None:
            p.close()
        _drop_roles(admin_url, [*logins.values(), *(p.extra_logins if p else [])], prefix)


def _drop_roles(admin_url: str, logins: list[str], prefix: str) -> None:
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            for name in logins:
                conn.execute(text(f'DROP ROLE IF EXISTS "{name}"'))
            if prefix:
                for name in ("clinician", "supervisor", "admin", "auditor", "staff"):
                    conn.execute(text(f'DROP ROLE IF EXISTS "{prefix}_{name}"'))
    finally:
        engine.dispose()
