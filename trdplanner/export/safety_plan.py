"""The safety plan printout: the patient's latest plan in larger type, or a fold-up version.

The full-page version keeps the plan's own order and headings and prints the answers
without writing space around them, so it can be read at a glance in a crisis. The fold-up
version puts the same content in three panels on one landscape sheet, to fold into a
pocket-sized leaflet. With no plan on file, a blank plan prefilled with the patient's
details is printed, and the page says so.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Paragraph, Spacer

from trdplanner.catalog import Template
from trdplanner.core.views import SafetyPlan
from trdplanner.export.base import PORTRAIT, TRIFOLD, DocInfo, PdfDocument, PdfOptions
from trdplanner.export.identity import patient_label
from trdplanner.export.layout import Layout, grid
from trdplanner.export.styles import INK
from trdplanner.export.worksheet import Identity, worksheet_story
from trdplanner.settings import Settings

_LARGE = 1.12
_FOLD = 0.8


class SafetyPlanDocument(PdfDocument):
    def __init__(
        self,
        plan: SafetyPlan,
        template: Template,
        values: Mapping[str, Any] | None,
        settings: Settings,
        *,
        fold: bool = False,
        options: PdfOptions | None = None,
    ) -> None:
        """``template``/``values``: the plan on file, or the catalog template and its prefill."""
        super().__init__(options)
        self.plan = plan
        self.template = template
        self.values = values
        self.settings = settings
        self.fold = fold
        self.first_template = TRIFOLD if fold else PORTRAIT
        self.styles = self.styles.scaled(_FOLD if fold else _LARGE)

    def info(self) -> DocInfo:
        p = self.plan.profile
        return DocInfo(
            title=f"Safety plan - {p.code}",
            kind="Safety plan",
            author=self.plan.clinician.display if self.plan.clinician else "TRD Planner",
            patient_code=p.code,
            header_right=patient_label(p, self.settings),
            named_title=f"Safety plan - {p.full_name}",
        )

    def _identity(self) -> Identity:
        plan = self.plan
        when = plan.session.date.isoformat() if plan.session else str(plan.prefill.session.get("date") or "")
        return Identity(
            name=patient_label(plan.profile, self.settings),
            patient_code=plan.profile.code,
            date=when,
            clinician=plan.clinician.display if plan.clinician else "",
        )

    def story(self) -> list[Flowable]:
        s = self.styles
        width = self.body_width()
        out: list[Flowable] = []
        if self.plan.values is None:
            note = (
                "No safety plan is on file for this patient yet. This is a blank plan with their details "
                "filled in, to complete together in session."
            )
            out += [
                grid(
                    [[Paragraph(f"<b>{note}</b>", s.body)]],
                    [width],
                    [
                        ("BOX", (0, 0), (-1, -1), 1.2, INK),
                        ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
                        ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
                        ("TOPPADDING", (0, 0), (-1, -1), 2 * mm),
                    ],
                ),
                Spacer(1, 3 * mm),
            ]
        layout = Layout(s, width, compact=self.plan.values is not None, terse=self.fold)
        subtitle = "Keep this where you can find it quickly. You can use any step at any time."
        out += worksheet_story(self.template, self.values, layout, self._identity(), subtitle=subtitle)
        return out
