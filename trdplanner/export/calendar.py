"""Planned sessions as an iCalendar file (RFC 5545), written with the icalendar package.

A calendar is often synced to a phone or shared with a receptionist, so each event names
the patient by print code only: no name, no diagnosis, no modality, no clinical text.
Sessions have a date but no time of day in the record, so each is an all-day event
(marked free, so it does not block the whole day) that says how long the session is.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence

from icalendar import Calendar, Event

from trdplanner import __version__
from trdplanner.core.records import PlannedVisit

PRODID = f"-//TRD Planner//TRD Planner {__version__}//EN"


def event_uid(visit: PlannedVisit) -> str:
    # Stable, so importing a newer export updates the same events instead of duplicating them.
    return f"{uuid.uuid5(uuid.NAMESPACE_URL, f'trdplanner:{visit.code}:session:{visit.session_number}')}@trdplanner"


def event_summary(visit: PlannedVisit) -> str:
    return f"Session {visit.session_number} · {visit.code}"


def planned_sessions_ics(visits: Sequence[PlannedVisit], *, stamp: dt.datetime | None = None) -> bytes:
    """The visits as one VCALENDAR; ``stamp`` is the DTSTAMP (now unless given)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", "TRD Planner: planned sessions")
    when = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    for visit in visits:
        event = Event()
        event.add("uid", event_uid(visit))
        event.add("dtstamp", when)
        event.add("dtstart", visit.date)
        event.add("dtend", visit.date + dt.timedelta(days=1))
        event.add("summary", event_summary(visit))
        event.add("description", f"Planned {visit.duration_minutes}-minute session. Details are in TRD Planner.")
        event.add("transp", "TRANSPARENT")
        event.add("class", "CONFIDENTIAL")
        cal.add_component(event)
    return cal.to_ical()
