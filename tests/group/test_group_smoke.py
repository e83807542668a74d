from __future__ import annotations

import pytest
from sqlalchemy import text

pytestmark = pytest.mark.postgres


def test_smoke(practice) -> None:
    ctx = practice.ctx("cla")
    with ctx.db.reading() as s:
        assert s.execute(text("SELECT session_user")).scalar_one() == practice.logins["cla"]
    me = ctx.practice.current_clinician()
    assert me is not None and me.login == practice.logins["cla"]
