"""The practice and its clinicians."""

from __future__ import annotations

from sqlalchemy import select

from trdplanner.core.convert import record_from_row, row_from_record, update_row
from trdplanner.core.db import Database
from trdplanner.core.errors import NotFoundError
from trdplanner.core.models import Clinician, Practice
from trdplanner.core.records import ClinicianRec, PracticeRec
from trdplanner.core.validate import not_blank


class PracticeService:
    def __init__(self, db: Database) -> None:
        self.db = db

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
                update_row(row, rec)
            s.flush()
            return record_from_row(PracticeRec, row)

    def clinicians(self) -> list[ClinicianRec]:
        with self.db.reading() as s:
            rows = s.scalars(select(Clinician).order_by(Clinician.id))
            return [record_from_row(ClinicianRec, r) for r in rows]

    def clinician(self, clinician_id: int) -> ClinicianRec:
        with self.db.reading() as s:
            row = s.get(Clinician, clinician_id)
            if row is None:
                raise NotFoundError("clinician", clinician_id)
            return record_from_row(ClinicianRec, row)

    def default_clinician(self) -> ClinicianRec | None:
        found = self.clinicians()
        return found[0] if found else None

    def add_clinician(self, rec: ClinicianRec) -> ClinicianRec:
        not_blank("clinician.name", rec.name)
        with self.db.transaction() as s:
            practice = s.scalars(select(Practice).order_by(Practice.id)).first()
            row = row_from_record(Clinician, rec, practice_id=practice.id if practice else None)
            s.add(row)
            s.flush()
            return record_from_row(ClinicianRec, row)
