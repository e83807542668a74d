"""Two writers at once (the window and one of its background tasks, or two windows on one file)
both append to the audit chain: neither append is refused and the chain stays whole."""

from __future__ import annotations

import threading
from pathlib import Path

from trdplanner.context import AppContext


def test_concurrent_appends_from_two_connections_all_land_and_the_chain_verifies(data_dir: Path) -> None:
    first = AppContext.open(str(data_dir), encrypt_new=False, passphrase="")
    second = AppContext.open(str(data_dir), encrypt_new=False, passphrase="")  # another connection, same file
    before = first.audit.count()
    errors: list[BaseException] = []
    start = threading.Barrier(2)

    def append(ctx: AppContext, label: str) -> None:
        start.wait()
        try:
            for i in range(40):
                ctx.audit.record("calendar.export", "", "", {"writer": label, "n": i})
        except BaseException as exc:  # reported below, with the writer's events counted
            errors.append(exc)

    threads = [threading.Thread(target=append, args=(c, n)) for c, n in ((first, "a"), (second, "b"))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    try:
        assert errors == []
        assert first.audit.count() == before + 80
        assert first.audit.verify().ok
    finally:
        first.close()
        second.close()
