"""Plain-text rendering of a patient's clinical summary for ``patient show``."""

from __future__ import annotations

from typing import Any

from trdplanner.clinical import Instrument
from trdplanner.core.views import ClinicalSummary


def render_summary(summary: ClinicalSummary, sessions: list[Any]) -> str:
    p = summary.profile
    lines = [f"{p.full_name} ({p.code})  id {p.id}"]
    if p.primary_diagnosis:
        icd = f" [{p.primary_diagnosis_icd10}]" if p.primary_diagnosis_icd10 else ""
        lines.append(f"Diagnosis: {p.primary_diagnosis}{icd}")
    ep = p.current_episode
    if ep:
        onset = ep.onset.isoformat() if ep.onset else "unknown"
        psych = {True: ", psychotic features", False: ", no psychotic features",
                 None: ", psychotic features not recorded"}[ep.psychotic_features]
        lines.append(f"Current episode: {ep.number}, onset {onset}, {ep.severity or 'severity not set'}{psych}")
    lines.append(f"Risk: {p.risk_level}" + (f" - {p.risk_summary}" if p.risk_summary else ""))
    lines.append("")
    lines.append(f"TRD status: {summary.trd.explanation}")
    lines.append(f"Thase-Rush stage: {summary.thase_rush.roman}. {summary.thase_rush.explanation}")
    msm = summary.maudsley
    if msm.total is not None:
        lines.append(f"Maudsley Staging Method: {msm.total} ({msm.category}). {msm.explanation}")
    else:
        lines.append(f"Maudsley Staging Method: not scored. {msm.explanation}")
    if summary.trials:
        lines.append("")
        lines.append("Treatment trials:")
        for t, a in zip(summary.trials, summary.trd.assessments, strict=True):
            dates = f"{t.start or '?'} to {t.stop or 'ongoing'}"
            lines.append(f"  - {t.agent or t.kind} ({t.drug_class or t.kind}), {dates}: {a.reason}")
    if summary.measures:
        lines.append("")
        lines.append("Measures:")
        for m in summary.measures:
            name = Instrument(m.record.instrument).display_name
            extra = ""
            if m.change is not None:
                extra = f", change {m.change.delta:+d}"
            lines.append(
                f"  {m.record.taken_on}  {name:<9} {m.score.total:>2}/{m.score.max_total} {m.score.severity}{extra}"
            )
            for message in m.score.flag_messages:  # each finding once (PHQ-9 item 9 says it all)
                lines.append(f"      ! {message}")
    if sessions:
        lines.append("")
        lines.append(f"Sessions: {len(sessions)} (last {sessions[-1].date})")
    return "\n".join(lines)
