"""Every mapped table is audited or declared exempt, and printing is audited by the service, whoever prints.

The insider's way round an audit trail is a table nobody remembered to audit: a new clinical table
written without an event. These tests fail on such a table before it ships, and show the runtime guard
refusing the write (nothing saved) if one slips through.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from trdplanner.context import AppContext
from trdplanner.core import audit
from trdplanner.core.demo import create_demo
from trdplanner.core.models import Base, SigningKey
from trdplanner.core.services.printlog import Output


@pytest.fixture
def ctx(data_dir: Path) -> Iterator[AppContext]:
    c = AppContext.open(str(data_dir), encrypt_new=False, passphrase="")
    create_demo(c)
    yield c
    c.close()


def test_every_mapped_table_is_audited_or_exempt_and_not_both() -> None:
    mapped = {m.class_ for m in Base.registry.mappers}
    audited, exempt = set(audit.AUDITED), set(audit.EXEMPT)
    assert mapped - audited - exempt == set(), "neither audited nor declared exempt"
    assert audited & exempt == set()
    assert (audited | exempt) - mapped == set()  # nothing listed that no longer exists
    assert all(len(reason) > 20 for reason in audit.EXEMPT.values())  # each exemption says why


def test_a_table_dropped_from_the_lists_stops_its_first_write_and_nothing_is_saved(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As if signing keys were a new table nobody audited: rotating a key is refused, and nothing changes."""
    from trdplanner.core.demo import DEMO_SIGNING_PASSWORD

    me = ctx.practice.default_clinician()
    assert me is not None and me.id is not None
    keys_before = ctx.signing.list_keys(me.id)
    monkeypatch.setattr(audit, "EXEMPT", {k: v for k, v in audit.EXEMPT.items() if k is not SigningKey})
    with pytest.raises(audit.UnauditedTable, match="SigningKey"):
        ctx.signing.rotate(me.id, DEMO_SIGNING_PASSWORD, "a new signing password 42")
    assert ctx.signing.list_keys(me.id) == keys_before
    with ctx.db.reading() as s:
        assert s.scalar(select(SigningKey.id).where(SigningKey.clinician_id == me.id).order_by(SigningKey.id.desc())
                        .limit(1)) == max(k.id for k in keys_before)


def test_the_print_log_records_kind_patient_and_output_never_the_file(ctx: AppContext) -> None:
    pid = ctx.patients.id_for_code("DEMO-02")
    count = ctx.audit.count()
    ctx.prints.record("Progress note", output=Output.PRINTER, patient_code="DEMO-02")
    ctx.prints.record("Worksheet", output=Output.FILE, protected=True)  # a blank page: no patient
    events = ctx.audit.list(2)
    assert ctx.audit.count() == count + 2
    blank, note = events
    assert (note.action, note.object_type, note.object_id) == ("document.print", "patient", str(pid))
    assert note.detail == {"document": "Progress note", "output": "printer", "password": False}
    assert (blank.object_type, blank.object_id) == ("", "")
    assert blank.detail["password"] is True
    assert ctx.audit.verify().ok
    with pytest.raises(ValueError):
        ctx.prints.record("Progress note", output="fax")  # type: ignore[arg-type]
