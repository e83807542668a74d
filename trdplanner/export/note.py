"""Progress notes on paper: header, sections, the day's measures, risk, signature, addenda.

A signed note prints its signer, time and content fingerprint, and says plainly whether the
fingerprint still matches the text; a mismatch is printed as a black banner that cannot be
missed. An unsigned note carries a DRAFT mark on every page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import white
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from trdplanner.catalog import risk_line
from trdplanner.catalog.notes import risk_positive
from trdplanner.clinical import Instrument
from trdplanner.core.records import NoteRec
from trdplanner.core.services.templating import SessionBundle, risk_mapping, session_measures
from trdplanner.core.signature_check import check_note, short
from trdplanner.core.vocab import AddendumKind, NoteFormat, NoteStatus
from trdplanner.export.base import DocInfo, PdfDocument, PdfOptions
from trdplanner.export.identity import patient_doc_info, patient_label, session_about, session_label
from trdplanner.export.layout import data_table, grid, kept, text_paragraphs
from trdplanner.export.scores import change_text, flag_labels
from trdplanner.export.styles import GAP, INK, RULE, TINT, Styles
from trdplanner.export.text import markup
from trdplanner.settings import Settings


@dataclass(frozen=True)
class NoteContent:
    """A note to print: the stored note, or (when there is none) a draft from a format."""

    bundle: SessionBundle
    note: NoteRec | None
    draft_sections: tuple[tuple[str, str, str], ...] = ()
    draft_format: str = "soap"

    @property
    def signed(self) -> bool:
        return self.note is not None and self.note.status == NoteStatus.SIGNED

    @property
    def format_id(self) -> str:
        return self.note.format if self.note else self.draft_format

    @property
    def sections(self) -> list[tuple[str, str]]:
        return [(title, text) for _, title, text in self.section_items]

    @property
    def section_items(self) -> list[tuple[str, str, str]]:
        """``(section id, title, text)`` of the stored note or the draft."""
        if self.note is not None:
            return [(s.id, s.title, s.text) for s in self.note.sections]
        return list(self.draft_sections)


def _format_label(format_id: str) -> str:
    try:
        return f"{NoteFormat(format_id).label} note"
    except ValueError:
        return f"{format_id} note"


def _moment(value: dt.datetime | None) -> str:
    if value is None:
        return "unknown time"
    return value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _header(s: Styles, content: NoteContent, settings: Settings, width: float) -> Flowable:
    b = content.bundle
    session = b.session
    pairs = [
        ("Patient", patient_label(b.profile, settings)),
        ("Code", b.profile.code),
        ("Date", session.date.isoformat()),
        ("Session", session_label(session)),
        ("Format", session.format.replace("_", " ")),
        ("Clinician", b.clinician.display if b.clinician else ""),
        # A group meeting: the group's name only (nothing of the other members).
        ("Group", session.group_name),
        # People present who are not patients, as the clinician recorded them.
        ("Also present", "; ".join(f"{a.relation}, {a.name}" for a in session.others_present)),
    ]
    shown = [(k, v) for k, v in pairs if v and not (k == "Code" and v == pairs[0][1])]
    cells = [[Paragraph(k.upper(), s.help), Paragraph(markup(v), s.small)] for k, v in shown]
    per_row = 3
    rows: list[list[Any]] = [cells[i : i + per_row] for i in range(0, len(cells), per_row)]
    rows[-1] += [""] * (per_row - len(rows[-1]))
    return grid(
        rows,
        [width / per_row] * per_row,
        [
            ("BACKGROUND", (0, 0), (-1, -1), TINT),
            ("LEFTPADDING", (0, 0), (-1, -1), 2.5 * mm),
            ("TOPPADDING", (0, 0), (-1, -1), 1.6 * mm),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.6 * mm),
        ],
        split_rows=False,
    )


def _banner(s: Styles, text: str, width: float) -> Flowable:
    """White on black: for the few things that must not be overlooked."""
    return grid(
        [[Paragraph(f"<font color='white'>{text}</font>", s.alert)]],
        [width],
        [
            ("BACKGROUND", (0, 0), (-1, -1), INK),
            ("TEXTCOLOR", (0, 0), (-1, -1), white),
            ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
            ("TOPPADDING", (0, 0), (-1, -1), 2 * mm),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2.4 * mm),
        ],
    )


def _boxed(flowables: list[Flowable], width: float, thick: bool = False) -> Flowable:
    return grid(
        [[flowables]],
        [width],
        [
            ("BOX", (0, 0), (-1, -1), 1.6 if thick else 0.6, INK if thick else RULE),
            ("LEFTPADDING", (0, 0), (-1, -1), 3 * mm),
            ("RIGHTPADDING", (0, 0), (-1, -1), 3 * mm),
            ("TOPPADDING", (0, 0), (-1, -1), 2 * mm),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 2 * mm),
        ],
    )


def _measures(s: Styles, bundle: SessionBundle, width: float) -> list[Flowable]:
    out: list[Flowable] = kept(Paragraph("Measures this session", s.subheading))
    todays = session_measures(bundle)
    if not todays:
        return [*out, Paragraph("No measures were recorded for this session.", s.body)]
    rows = []
    for m in todays:
        flags = "; ".join(flag_labels(m))
        rows.append(
            [
                Instrument(m.record.instrument).display_name,
                m.record.taken_on.isoformat(),
                f"{m.score.total}/{m.score.max_total}",
                markup(m.score.severity),
                change_text(m),
                f"<b>{markup(flags)}</b>" if m.needs_alert else markup(flags),
            ]
        )
    widths = [width * f for f in (0.13, 0.14, 0.09, 0.17, 0.25, 0.22)]
    header = ["Measure", "Date", "Score", "Severity", "Change from first score", "Flags"]
    return [*out, data_table(s, header, rows, widths)]


def _risk(s: Styles, risk: dict[str, Any], width: float) -> Flowable:
    positive = risk_positive(risk)
    text = markup(risk_line(risk))
    body = [Paragraph("Risk", s.subheading), Paragraph(f"<b>{text}</b>" if positive else text, s.body)]
    return KeepTogether(_boxed(body, width, thick=positive))


def _signature(s: Styles, content: NoteContent, width: float) -> list[Flowable]:
    note = content.note
    if note is None or note.status != NoteStatus.SIGNED:
        lines = [
            Paragraph("<b>DRAFT: not signed.</b> This note may still change and is not part of the record.", s.body),
            Spacer(1, 6 * mm),
            grid(
                [[Paragraph("Signature", s.help), "", Paragraph("Date", s.help), ""]],
                [22 * mm, width * 0.45, 14 * mm, width * 0.55 - 42 * mm],
                [("LINEBELOW", (1, 0), (1, 0), 0.6, RULE), ("LINEBELOW", (3, 0), (3, 0), 0.6, RULE)],
                split_rows=False,
            ),
        ]
        return [KeepTogether(_boxed(lines, width))]
    checked = check_note(note)
    intact = checked.ok
    check = (
        f"Signature verified ({markup(checked.text)}): the text above is exactly what was signed."
        if intact
        else f"<b>SIGNATURE DOES NOT VERIFY: {markup(checked.text)}.</b>"
    )
    where = " (a key from another practice)" if note.signed_elsewhere else ""
    body = [
        Paragraph(f"Electronically signed by <b>{markup(note.signer_name)}</b>", s.body),
        Paragraph(f"Signed at {_moment(note.signed_at)}", s.small),
        Paragraph(f"Signing key fingerprint{where}: {markup(note.key_fingerprint or 'none')}", s.small),
        Paragraph(f"Content fingerprint (SHA-256): {markup(note.fingerprint)}", s.small),
        Paragraph(check, s.small),
    ]
    out: list[Flowable] = [KeepTogether(_boxed(body, width, thick=not intact))]
    for c in note.cosignatures:
        cosign = [
            Paragraph(f"Co-signed by supervisor <b>{markup(c.signer_name)}</b>", s.body),
            Paragraph(f"Co-signed at {_moment(c.signed_at)}, over the content fingerprint above", s.small),
            Paragraph(f"Co-signature fingerprint (SHA-256): {markup(c.fingerprint)}", s.small),
        ]
        out += [Spacer(1, GAP / 2), KeepTogether(_boxed(cosign, width))]
    if note.awaiting_cosigner:
        out += [Spacer(1, GAP / 2),
                Paragraph(f"<b>Awaiting co-signature by {markup(note.awaiting_cosigner)}.</b>", s.small)]
    return out


def _addenda(s: Styles, note: NoteRec | None, width: float) -> list[Flowable]:
    if note is None or not note.addenda:
        return []
    out: list[Flowable] = [Paragraph("Addenda", s.heading)]
    for n, a in enumerate(note.addenda, start=1):
        try:
            kind = AddendumKind(a.kind).label
        except ValueError:
            kind = a.kind
        title = f"{n}. {kind}" + (f", about {a.refers_to_date.isoformat()}" if a.refers_to_date else "")
        out.append(Paragraph(markup(title), s.subheading))
        out += text_paragraphs(a.text, s.body)
        sign = [
            Paragraph(f"Signed by <b>{markup(a.signer_name)}</b> at {_moment(a.signed_at)}", s.small),
            Paragraph(f"Fingerprint (SHA-256): {markup(a.fingerprint)}", s.small),
            Paragraph(f"Signing key fingerprint: {markup(a.key_fingerprint or 'none')}", s.small),
        ]
        out += [KeepTogether(_boxed(sign, width)), Spacer(1, GAP)]
    return out


def _brief(s: Styles, content: NoteContent) -> list[Flowable]:
    """The measures, risk and signature as three short paragraphs (notes inside the report)."""
    bundle = content.bundle
    todays = session_measures(bundle)
    parts = []
    for m in todays:
        flags = "; ".join(flag_labels(m))
        line = f"{Instrument(m.record.instrument).display_name} {m.score.total}/{m.score.max_total} "
        line += f"({markup(m.score.severity)}), {change_text(m)}"
        if flags:
            line += f"; <b>{markup(flags)}</b>" if m.needs_alert else f"; {markup(flags)}"
        parts.append(line)
    measures = "; ".join(parts) if parts else "none recorded this session"
    risk = {**risk_mapping(bundle, todays), "note_signed": content.signed}
    risk_text = markup(risk_line(risk))
    out: list[Flowable] = [
        Paragraph(f"<b>Measures:</b> {measures}", s.small),
        Paragraph(f"<b>{risk_text}</b>" if risk_positive(risk) else risk_text, s.small),
    ]
    note = content.note
    if note is None or note.status != NoteStatus.SIGNED:
        out.append(Paragraph("<b>DRAFT: not signed.</b>", s.small))
    else:
        checked = check_note(note)
        check = "signature verified" if checked.ok else f"<b>SIGNATURE DOES NOT VERIFY: {markup(checked.text)}</b>"
        cosigned = "".join(
            f"; co-signed by {markup(c.signer_name)} at {_moment(c.signed_at)} (key {markup(short(c.key_fingerprint))})"
            for c in note.cosignatures
        )
        if note.awaiting_cosigner:
            cosigned += f"; <b>awaiting co-signature by {markup(note.awaiting_cosigner)}</b>"
        out.append(
            Paragraph(
                f"Signed by {markup(note.signer_name)} at {_moment(note.signed_at)}; "
                f"key {markup(short(note.key_fingerprint))}{cosigned}; {check}",
                s.help,
            )
        )
    return out


def note_body(
    s: Styles,
    content: NoteContent,
    settings: Settings,
    width: float,
    *,
    brief: bool = False,
    only: Collection[str] | None = None,
) -> list[Flowable]:
    """Everything below the title: shared by the single note, the notes batch and the report.

    ``brief`` (the report) leaves out the header block and sets measures, risk and signature
    as three short paragraphs; the text of the note is the same. ``only`` prints just the
    sections with those ids (the report's assessment and plan); the signature check still
    covers the whole note.
    """
    b = content.bundle
    if brief:
        meta = f"{session_label(b.session)} · {b.session.format.replace('_', ' ')}"
        if b.clinician:
            meta += f" · {b.clinician.display}"
        out: list[Flowable] = [Paragraph(markup(meta), s.help)]
    else:
        out = [_header(s, content, settings, width), Spacer(1, GAP)]
    if content.note is not None and content.signed and not check_note(content.note).ok:
        out += [
            _banner(
                s,
                "SIGNATURE CHECK FAILED: the text of this note or an addendum, its signer or its time no "
                "longer matches the signature made when it was signed. Treat this copy as unreliable and check "
                "the record.",
                width,
            ),
            Spacer(1, GAP),
        ]
    items = content.section_items
    if only is not None:
        items = [x for x in items if x[0] in only]
    for _sid, title, text in items:
        out.append(Paragraph(markup(title), s.subheading))
        out += text_paragraphs(text, s.body) if text.strip() else [Paragraph("(left blank)", s.help)]
    if brief:
        out += _brief(s, content)
    else:
        todays = session_measures(b)
        out += [Spacer(1, GAP), *_measures(s, b, width), Spacer(1, GAP)]
        out += [_risk(s, {**risk_mapping(b, todays), "note_signed": content.signed}, width), Spacer(1, GAP)]
        out += _signature(s, content, width)
    out += _addenda(s, content.note, width)
    return out


def note_title(content: NoteContent) -> str:
    status = "signed" if content.signed else "DRAFT"
    return f"{_format_label(content.format_id)}, {status}"


class NoteDocument(PdfDocument):
    def __init__(self, content: NoteContent, settings: Settings, options: PdfOptions | None = None) -> None:
        super().__init__(options)
        self.content = content
        self.settings = settings

    def info(self) -> DocInfo:
        b = self.content.bundle
        return patient_doc_info(
            "Progress note",
            session_about(b.session),
            b.profile,
            b.clinician,
            self.settings,
            header_right=f"{patient_label(b.profile, self.settings)} · {b.session.date.isoformat()}",
            draft=not self.content.signed,
        )

    def story(self) -> list[Flowable]:
        s = self.styles
        return [
            Paragraph("Progress note", s.title),
            Paragraph(markup(note_title(self.content)), s.subtitle),
            *note_body(s, self.content, self.settings, self.body_width()),
        ]
