"""Every document that leaves the app is recorded in the audit trail, whoever printed it.

The window (Print, Save As) and the command line (``-o FILE``, a note printed as text) both call
``PrintLog.record``, so a print is audited the same way from either; neither builds audit rows itself.
Only ids and kinds are recorded: never a file name, which may name the patient.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import select

from trdplanner.core.db import Database
from trdplanner.core.models import Patient
from trdplanner.core.services.audit import AuditService


class Output(StrEnum):
    """Where a printed document went."""

    FILE = "file"  # a PDF written to disk (Save As, print to file, -o FILE)
    PRINTER = "printer"  # sent to a printer
    TEXT = "text"  # shown as text on the command line


class PrintLog:
    def __init__(self, db: Database) -> None:
        self.db = db
        self._audit = AuditService(db)

    def record(self, document: str, *, output: Output, patient_id: int | None = None, patient_code: str = "",
               protected: bool = False) -> None:
        """Record that ``document`` (its kind, e.g. "Progress note") was printed to ``output``.

        The patient is named by id, or by the print code on the document's footer; a document about
        no patient (a blank worksheet) is recorded without one. In a read-only data folder nothing
        can be recorded, and the caller is told through the database's ``on_unrecorded`` hook.
        """
        if patient_id is None and patient_code:
            with self.db.reading() as s:
                patient_id = s.scalar(select(Patient.id).where(Patient.code == patient_code))
        detail = {"document": document, "password": protected, "output": Output(output).value}
        self._audit.record("document.print", "patient" if patient_id else "", patient_id or "", detail)
