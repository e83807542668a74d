"""``trdplanner patient ...``: list, show, import and export patients."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trdplanner.cli import output
from trdplanner.cli.args import patient_id
from trdplanner.core.errors import InputError
from trdplanner.core.fileio import write_text_atomic
from trdplanner.core.serialize import to_data
from trdplanner.core.views import ClinicalSummary, ScoredMeasure

if TYPE_CHECKING:  # the composition root loads the database layer; only the handlers need it
    from trdplanner.context import AppContext


def register(commands: Any) -> None:
    patient = commands.add_parser("patient", help="list, show, import or export patients")
    sub = patient.add_subparsers(dest="patient_command", metavar="ACTION", required=True)

    ls = sub.add_parser("list", help="list patients")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.add_argument("--all", action="store_true", help="include archived patients")
    ls.add_argument("--search", default="", help="filter by name, code or diagnosis")
    ls.add_argument("--cosign", action="store_true",
                    help="only patients with signed notes waiting for my co-signature (supervisors)")
    ls.set_defaults(handler=list_patients)

    show = sub.add_parser("show", help="show one patient's profile, TRD status and scores")
    show.add_argument("patient", metavar="ID", help="patient id or print code")
    show.add_argument("--json", action="store_true", help="print JSON")
    show.set_defaults(handler=show_patient)

    imp = sub.add_parser("import", help="import a patient from a JSON file (see docs/patient-json.md)")
    imp.add_argument("file", type=Path)
    imp.set_defaults(handler=import_patient)

    exp = sub.add_parser("export", help="export one patient's whole record as JSON or as a FHIR R4 Bundle")
    exp.add_argument("patient", metavar="ID", help="patient id or print code")
    exp.add_argument("-o", "--output", type=Path, help="write to this file (default: standard output)")
    exp.add_argument(
        "--format",
        choices=("json", "fhir"),
        default="json",
        help="json: the app's own lossless format (docs/patient-json.md); fhir: a FHIR R4 Bundle for other systems",
    )
    exp.add_argument(
        "--include-identity",
        action="store_true",
        help="FHIR only: add name, date of birth and contact details (by default the patient is the print code only)",
    )
    exp.set_defaults(handler=export_patient)

    schema = sub.add_parser("schema", help="print the JSON Schema of the patient file (docs/patient.schema.json)")
    schema.set_defaults(standalone=print_schema)  # needs no database
    from trdplanner.cli.practice import register_patient_actions

    register_patient_actions(sub)


def list_patients(ctx: AppContext, args: argparse.Namespace) -> int:
    rows = ctx.patients.summaries(args.search, status=None if args.all else "active")
    if args.cosign:
        rows = [r for r in rows if r.awaiting_my_cosignature]
    if args.json:
        output.emit_json(rows)
        return 0
    if not rows:
        if args.search.strip():
            print(f"No patients match {args.search.strip()!r}.")
        elif not args.all and ctx.patients.summaries(status=None):
            print("No active patients (add --all to include archived ones).")
        else:
            print("No patients yet. Run 'trdplanner demo' to add demo patients.")
        return 0
    print(
        output.table(
            [
                [
                    str(r.id),
                    r.code,
                    r.full_name,
                    r.primary_diagnosis,
                    r.status,
                    r.last_session.isoformat() if r.last_session else "-",
                ]
                for r in rows
            ],
            ["ID", "Code", "Name", "Diagnosis", "Status", "Last session"],
        )
    )
    return 0


def measure_json(m: ScoredMeasure) -> dict[str, Any]:
    change = m.change
    return {
        "id": m.record.id,
        "instrument": m.record.instrument,
        "date": m.record.taken_on.isoformat(),
        "items": m.record.items,
        "total": m.score.total,
        "max_total": m.score.max_total,
        "severity": m.score.severity,
        "flags": sorted(str(f) for f in m.score.flags),
        "alert_acknowledged_by": m.record.alert_acknowledged_by or None,
        "alert_acknowledged_at": to_data(m.record.alert_acknowledged_at),
        "suicidality_item": m.score.suicidality_item_score,
        "baseline": None
        if m.baseline is None
        else {
            "kind": str(m.baseline.kind),
            "label": m.baseline.label,
            "total": m.baseline.total,
            "date": m.baseline.point.taken_on.isoformat() if m.baseline.point else None,
            "episode": m.baseline.episode,
        },
        "change_from_baseline": None
        if change is None
        else {
            "baseline_total": change.baseline_total,
            "delta": change.delta,
            "percent_change": change.percent_change,
            "response": change.response,
            "remission": change.remission,
            "reliable_improvement": change.reliable_improvement,
            "reliable_deterioration": change.reliable_deterioration,
            "explanation": change.explanation,
        },
    }


def summary_json(summary: ClinicalSummary, sessions: list[Any], courses: list[Any] | None = None) -> dict[str, Any]:
    from trdplanner.cli.courses import course_json

    trd, tr, msm = summary.trd, summary.thase_rush, summary.maudsley
    return {
        "id": summary.profile.id,
        "profile": to_data(summary.profile),
        "trd": {
            "status": str(trd.status),
            "status_label": trd.status.label,
            "adequate_failed_trials": trd.adequate_failed_trials,
            "distinct_failed_agents": trd.distinct_failed_agents,
            "failed_agents": list(trd.failed_agents),
            "unrecognised_agents": list(trd.unrecognised_agents),
            "partial_responses": trd.partial_responses,
            "explanation": trd.explanation,
            "thase_rush_stage": tr.stage,
            "thase_rush_roman": tr.roman,
            "thase_rush_explanation": tr.explanation,
            "thase_rush_failed_classes": list(tr.failed_classes),
            "maudsley_score": msm.total,
            "maudsley_category": str(msm.category) if msm.category else None,
            "maudsley_status": str(msm.status),
            "maudsley_points": {
                "duration": msm.duration_points,
                "severity": msm.severity_points,
                "antidepressants": msm.antidepressant_points,
                "augmentation": msm.augmentation_points,
                "ect": msm.ect_points,
            },
            "maudsley_explanation": msm.explanation,
            "maudsley_failed_antidepressants": msm.failed_antidepressant_trials,
            "maudsley_missing": list(msm.missing),
            "as_of": summary.as_of.isoformat(),
            "trials": [
                {
                    "id": t.id,
                    "kind": t.kind,
                    "agent": t.agent,
                    "agent_identified_as": a.agent,
                    "agent_recognised": a.agent_recognised,
                    "drug_class": a.drug_class,
                    "adequate": a.adequate,
                    "failed": a.failed,
                    "counts_toward_trd": a.counts_toward_trd,
                    "merged_into": a.merged_into,
                    "conflict": a.conflict,
                    "missing": list(a.missing),
                    "reason": a.reason,
                }
                for t, a in zip(summary.trials, trd.assessments, strict=True)
            ],
        },
        "risk_flag": summary.risk_flag,
        "risk": {
            "flag": summary.risk.raised,
            "open_alerts": summary.risk.open_alerts,
            "explanation": summary.risk.explanation,
            # What the overview, agenda and prints show (core/risk_findings.py), most urgent first.
            "findings": [{"kind": f.kind.value, "urgency": f.urgency.value, "text": f.text}
                         for f in summary.risk_findings],
        },
        "measures": [measure_json(m) for m in summary.measures],
        "sessions": [
            {
                "id": s.id,
                "number": s.number,
                "date": s.date.isoformat(),
                "modality": s.modality,
                "status": s.status,
                "note_status": s.note.status if s.note else None,
            }
            for s in sessions
        ],
        "courses": [course_json(c) for c in courses or []],
    }


def show_patient(ctx: AppContext, args: argparse.Namespace) -> int:
    pid = patient_id(ctx, args.patient)
    summary = ctx.summary.for_patient(pid)
    sessions = ctx.sessions.list(pid)
    ctx.audit.record("patient.open", "patient", pid, {"via": "command line"})  # data safety: who read the record
    if args.json:
        output.emit_json(summary_json(summary, sessions, ctx.courses.views(pid)))
        return 0
    from trdplanner.cli.show_text import render_summary

    print(render_summary(summary, sessions))
    return 0


def import_patient(ctx: AppContext, args: argparse.Namespace) -> int:
    pid = ctx.transfer.import_file(args.file)
    print(f"Imported patient {pid}.")
    return 0


def export_patient(ctx: AppContext, args: argparse.Namespace) -> int:
    pid = patient_id(ctx, args.patient)
    if args.include_identity and args.format != "fhir":
        raise InputError("include-identity", "only applies to --format fhir (the JSON export always holds everything)")
    if args.format == "fhir":
        from trdplanner.export.fhir import bundle_json, patient_bundle

        record = ctx.transfer.export_for(pid, "fhir", identified=args.include_identity)
        text = bundle_json(patient_bundle(record, include_identity=args.include_identity))
    else:
        text = ctx.transfer.export_json(pid)
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        write_text_atomic(args.output, text)
    except OSError as exc:
        raise InputError("output", f"cannot write {args.output} ({exc.strerror})") from exc
    print(f"Exported patient {pid} to {args.output}.")
    return 0


def print_schema(args: argparse.Namespace, passphrase: str | None) -> int:
    from trdplanner.core.schema import schema_text

    sys.stdout.write(schema_text())
    return 0
