"""How a patient, session and clinician are named on paper (per the privacy setting)."""

from __future__ import annotations

from trdplanner.catalog import PrefillContext
from trdplanner.core.records import ClinicianRec, PatientProfile, SessionRec
from trdplanner.core.services.templating import SessionBundle, modality_label, print_name
from trdplanner.export.base import DocInfo
from trdplanner.export.worksheet import Identity
from trdplanner.settings import Settings


def patient_label(profile: PatientProfile, settings: Settings) -> str:
    """The name printed on pages: the code, initials or full name per ``print_identity``."""
    return print_name(profile, settings.print_identity)


def session_about(session: SessionRec) -> str:
    """How a title names a session: "session 7 (2026-11-15)"."""
    return f"session {session.number} ({session.date.isoformat()})"


def patient_doc_info(
    kind: str,
    about: str,
    profile: PatientProfile,
    clinician: ClinicianRec | None,
    settings: Settings,
    *,
    header_right: str | None = None,
    draft: bool = False,
) -> DocInfo:
    """The running title and metadata of a document about one patient.

    The title carries only the print code; the named title (used in metadata only when the
    user allows names there) is built separately rather than by substituting into the title.
    """
    return DocInfo(
        title=f"{kind} - {profile.code} - {about}",
        kind=kind,
        author=clinician.display if clinician else "TRD Planner",
        patient_code=profile.code,
        header_right=header_right or patient_label(profile, settings),
        named_title=f"{kind} - {profile.full_name} - {about}",
        draft=draft,
    )


def session_label(session: SessionRec) -> str:
    parts = [f"Session {session.number}"]
    if session.modality:
        parts.append(modality_label(session.modality))
    return ", ".join(parts)


def bundle_identity(bundle: SessionBundle, settings: Settings) -> Identity:
    return Identity(
        name=patient_label(bundle.profile, settings),
        patient_code=bundle.profile.code,
        date=bundle.session.date.isoformat(),
        clinician=bundle.clinician.display if bundle.clinician else "",
        session=session_label(bundle.session),
    )


def prefill_identity(ctx: PrefillContext) -> Identity:
    """Identity for a sheet printed for a patient outside a session (from its prefill context)."""
    return Identity(
        name=str(ctx.patient.get("print_name") or ""),
        patient_code=str(ctx.patient.get("print_code") or ""),
        date=str(ctx.session.get("date") or ""),
        clinician=str(ctx.clinician.get("display") or ""),
    )
