"""The progress-note editor: prefilled sections, autosaved drafts, signing and addenda.

Drafts are saved through the note service a few seconds after the first unsaved keystroke
(``settings.autosave_seconds``), when a section loses focus, and when the editor is hidden
or closed, so killing the app loses at most those few seconds of typing.
"""

from __future__ import annotations

import datetime as dt
import logging

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from trdplanner.clinical import missing_parts
from trdplanner.core.errors import InputError, StaleError
from trdplanner.core.records import NoteRec, NoteSectionRec, SessionRec
from trdplanner.core.services.notes import RiskReviewIncomplete
from trdplanner.core.services.templating import (
    RISK_REVIEW_SECTION,
    RISK_REVIEW_TITLE,
    draft_sections,
    modality_label,
)
from trdplanner.core.signing import check_note
from trdplanner.core.text import match_spans
from trdplanner.core.vocab import AddendumKind, NoteStatus
from trdplanner.gui.badges import badge, set_badge
from trdplanner.gui.dialogs import confirm, show_error
from trdplanner.gui.forms.fields import WrappingLabel
from trdplanner.gui.forms.style import repolish
from trdplanner.gui.notes.addenda import AddendaPanel
from trdplanner.gui.notes.risk_review import RiskReviewBox
from trdplanner.gui.notes.section_box import SectionBox
from trdplanner.gui.notes.signing_dialog import signing_password
from trdplanner.gui.services import NoteServices
from trdplanner.gui.stale import ask_stale

log = logging.getLogger(__name__)


class NoteEditor(QWidget):
    """Edits the note of one session. ``saved`` fires after every successful write."""

    saved = Signal()

    def __init__(self, ctx: NoteServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.session: SessionRec | None = None
        self.note: NoteRec | None = None
        self.sections: list[SectionBox | RiskReviewBox] = []
        self.review_reasons: list[str] = []
        self.dirty = False
        self._loading = False
        self.last_error: BaseException | None = None
        self.last_refusal: list[str] = []

        self.autosave = QTimer(self)
        self.autosave.setSingleShot(True)
        self.autosave.timeout.connect(self._autosave)

        self.title = WrappingLabel()
        self.title.setProperty("role", "title")
        self.status_badge = badge("", "draft")
        self.format_combo = QComboBox()
        self.format_combo.setToolTip("Note format: the sections this note is written in")
        for fmt in ctx.note_formats.formats:
            self.format_combo.addItem(fmt.title, fmt.id)
            self.format_combo.setItemData(self.format_combo.count() - 1, fmt.description, Qt.ItemDataRole.ToolTipRole)
        self.format_combo.activated.connect(self._format_chosen)
        self.refill_button = QPushButton("Fill from session")
        self.refill_button.setToolTip(
            "Replace the section text with starting text from this session's measures, work and homework"
        )
        self.refill_button.clicked.connect(self._refill_clicked)
        self.save_button = QPushButton("Save draft")
        self.save_button.setToolTip("Save the draft now (Ctrl+S). Drafts also save automatically.")
        self.save_button.clicked.connect(self.save_draft)
        self.sign_button = QPushButton("Sign…")
        self.sign_button.setShortcut("Ctrl+Shift+S")
        self.sign_button.setToolTip("Sign the note (Ctrl+Shift+S; asks first). A signed note is locked; later "
                                    "changes go in addenda.")
        self.sign_button.clicked.connect(self.sign)
        self.cosign_button = QPushButton("Co-sign…")
        self.cosign_button.setToolTip("Add your co-signature as this clinician's supervisor.")
        self.cosign_button.clicked.connect(self.cosign)
        self.cosign_button.setVisible(False)
        self.state = QLabel()
        self.state.setProperty("role", "muted")
        self.state.setToolTip("When the draft was last saved")

        head = QHBoxLayout()
        head.addWidget(self.status_badge)
        head.addStretch(1)
        head.addWidget(QLabel("Format:"))
        head.addWidget(self.format_combo)
        tools = QHBoxLayout()
        tools.addWidget(self.refill_button)
        tools.addStretch(1)
        tools.addWidget(self.state)
        tools.addWidget(self.save_button)
        tools.addWidget(self.sign_button)
        tools.addWidget(self.cosign_button)

        self.signature = QLabel()
        self.signature.setWordWrap(True)
        self.signature.setProperty("role", "signature")
        self.signature.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.signature.setToolTip("The fingerprint changes if a single character of the signed note changes")
        self.signature.hide()
        self.section_host = QWidget()
        self.section_layout = QVBoxLayout(self.section_host)
        self.section_layout.setContentsMargins(0, 0, 0, 0)
        self.addenda = AddendaPanel()
        self.addenda.submitted.connect(self._add_addendum)
        body = QWidget()
        body_layout = QVBoxLayout(body)
        body_layout.setContentsMargins(12, 8, 12, 12)
        body_layout.addWidget(self.signature)
        body_layout.addWidget(self.section_host)
        body_layout.addWidget(self.addenda)
        body_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes to the fields, not the frame
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(body)

        self.empty = QLabel("Choose a session to write its note.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setProperty("role", "empty")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.header = QWidget()
        header_layout = QVBoxLayout(self.header)
        header_layout.setContentsMargins(12, 8, 12, 0)
        header_layout.addWidget(self.title)  # its own row: a long title wraps instead of being cut
        header_layout.addLayout(head)
        header_layout.addLayout(tools)
        layout.addWidget(self.header)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.empty, 1)
        self._scroll = scroll
        save = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self, self.save_draft)
        save.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._show_body(False)

    # ------------------------------------------------------------------ search

    def highlight(self, query: str) -> int:
        """Mark every match of the search words in the sections and scroll to the first; returns the count."""
        first: tuple[SectionBox, int] | None = None
        count = 0
        fill = self.palette().color(self.palette().ColorRole.Highlight)
        ink = self.palette().color(self.palette().ColorRole.HighlightedText)
        for box in self.sections:
            if not isinstance(box, SectionBox):
                continue  # the risk review's boxes are not searched text sections
            marks = []
            for start, end in match_spans(box.text(), query) if query.strip() else []:
                sel = QTextEdit.ExtraSelection()
                cursor = box.edit.textCursor()
                cursor.setPosition(start)
                cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
                sel.cursor = cursor
                fmt = QTextCharFormat()
                fmt.setBackground(fill)
                fmt.setForeground(ink)
                fmt.setFontUnderline(True)  # seen without colour too
                sel.format = fmt
                marks.append(sel)
                if first is None:
                    first = (box, start)
            box.edit.setExtraSelections(marks)
            count += len(marks)
        if first is not None:
            box, start = first
            cursor = box.edit.textCursor()
            cursor.setPosition(start)
            box.edit.setTextCursor(cursor)
            box.edit.ensureCursorVisible()
            self._scroll.ensureWidgetVisible(box)
        return count

    # ------------------------------------------------------------------ loading

    def _show_body(self, on: bool) -> None:
        self.header.setVisible(on)
        self._scroll.setVisible(on)
        self.empty.setVisible(not on)

    def set_session(self, session_id: int | None) -> None:
        """Show the note of ``session_id`` (saving any unsaved draft of the previous one first)."""
        self.flush()
        self.session = None
        self.note = None
        if session_id is None:
            self._show_body(False)
            return
        try:
            self.session = self.ctx.sessions.get(session_id)
            self.note = self.ctx.notes.for_session(session_id)
            self.review_reasons = self.ctx.notes.review_reasons(session_id)
        except Exception as exc:
            self._show_body(False)
            show_error(self, "Could not open the note", exc)
            return
        self._show_body(True)
        if self.note is None:
            self._build_prefilled(self.ctx.note_formats.formats[0].id)
        else:
            self._build(
                self.note.format,
                [(x.id, x.title, x.text) for x in self.note.sections],
                {x.id: x.fields for x in self.note.sections if x.fields is not None},
            )
        self._refresh_state()

    def _prefill(self, fmt_id: str) -> list[tuple[str, str, str]]:
        assert self.session is not None and self.session.id is not None
        bundle = self.ctx.bundles.for_session(self.session.id)
        self.review_reasons = self.ctx.notes.review_reasons(self.session.id)
        return draft_sections(self.ctx.note_formats.get(fmt_id), bundle, self.ctx.settings)

    def _build_prefilled(self, fmt_id: str) -> None:
        try:
            sections = self._prefill(fmt_id)
        except Exception as exc:
            show_error(self, "Could not prefill the note", exc)
            fmt = self.ctx.note_formats.get(fmt_id)
            sections = [(s.id, s.title, "") for s in fmt.sections]
        self._build(fmt_id, sections)

    def _build(
        self, fmt_id: str, sections: list[tuple[str, str, str]], fields: dict[str, dict] | None = None
    ) -> None:
        self._loading = True
        for box in self.sections:
            box.setParent(None)
            box.deleteLater()
        self.sections = []
        fmt = self.ctx.note_formats.get(fmt_id) if fmt_id in self.ctx.note_formats else None
        for sid, title, text in sections:
            if sid == RISK_REVIEW_SECTION and not self.signed:
                self._add_review((fields or {}).get(sid), title)
                continue
            spec = fmt.section(sid) if fmt else None
            box = SectionBox(sid, title, spec.prompt if spec else "")
            box.edit.setPlainText(text)
            box.edit.textChanged.connect(self._edited)
            box.edit.installEventFilter(self)
            self.section_layout.addWidget(box)
            self.sections.append(box)
        if self.review_reasons and not self.signed and self.review_box() is None:
            # Required since the draft was written (a measure entered later, say): add it now.
            risk_ids = [x.id for x in fmt.sections if x.risk] if fmt else []
            at = next((i + 1 for i, b in enumerate(self.sections) if b.section_id in risk_ids), len(self.sections))
            self._add_review(None, RISK_REVIEW_TITLE, at)
        index = self.format_combo.findData(fmt_id)
        self.format_combo.setCurrentIndex(max(0, index))
        self._loading = False

    def _add_review(self, fields: dict | None, title: str, at: int | None = None) -> None:
        box = RiskReviewBox(RISK_REVIEW_SECTION, title, self.review_reasons)
        box.set_fields(fields)
        box.changed.connect(self._edited)
        position = len(self.sections) if at is None else at
        self.section_layout.insertWidget(position, box)
        self.sections.insert(position, box)

    def review_box(self) -> RiskReviewBox | None:
        return next((b for b in self.sections if isinstance(b, RiskReviewBox)), None)

    # ------------------------------------------------------------------ state

    @property
    def signed(self) -> bool:
        return self.note is not None and self.note.status == NoteStatus.SIGNED

    def _refresh_state(self) -> None:
        session = self.session
        if session is None:
            return
        self.title.setText(f"Session {session.number} · {session.date:%d %b %Y} · {modality_label(session.modality)}")
        signed = self.signed
        if self.note is None:
            set_badge(self.status_badge, "New draft", "new")
        elif signed:
            set_badge(self.status_badge, "Signed", "signed")
        else:
            set_badge(self.status_badge, "Draft", "draft")
        for box in self.sections:
            if isinstance(box, RiskReviewBox):
                box.set_read_only(signed)
            else:
                box.edit.setReadOnly(signed)
        self.format_combo.setEnabled(not signed)
        self.refill_button.setEnabled(not signed)
        self.save_button.setEnabled(not signed)
        self.sign_button.setEnabled(not signed)
        self.cosign_button.setVisible(self._may_cosign())
        self.addenda.setVisible(signed)
        if signed and self.note is not None:
            checked = check_note(self.note)
            ok = checked.ok
            when = self.note.signed_at.astimezone().strftime("%d %b %Y %H:%M") if self.note.signed_at else ""
            check = f"✓ signature verified ({checked.text})" if ok else f"⚠ SIGNATURE DOES NOT VERIFY: {checked.text}"
            lines = (
                f"Signed by {self.note.signer_name} on {when}\nSigning key {self.note.key_fingerprint or 'none'}\n"
                f"{check}"
            )
            for c in self.note.cosignatures:
                lines += f"\nCo-signed by {c.signer_name} on {c.signed_at.astimezone():%d %b %Y %H:%M}"
            if self.note.awaiting_cosigner:
                lines += f"\nAwaiting co-signature by {self.note.awaiting_cosigner}"
            self.signature.setText(lines)
            self.signature.setProperty("verified", ok)
            repolish(self.signature)
            self.addenda.set_addenda(self.note.addenda)
        self.signature.setVisible(signed)
        self.state.setText(
            "" if signed else ("Unsaved changes" if self.dirty else ("Saved" if self.note else "Not saved yet"))
        )

    def _edited(self) -> None:
        if self._loading or self.signed:
            return
        self.dirty = True
        self.state.setText("Unsaved changes")
        if not self.autosave.isActive():  # never pushed back by more typing: loss stays bounded
            self.autosave.start(self.ctx.settings.autosave_seconds * 1000)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusOut and self.dirty:
            self.flush()
        return super().eventFilter(watched, event)

    def sections_now(self) -> list[NoteSectionRec]:
        return [
            NoteSectionRec(b.section_id, b.title, b.text(), b.fields() if isinstance(b, RiskReviewBox) else None)
            for b in self.sections
        ]

    def current_format(self) -> str:
        return str(self.format_combo.currentData())

    # ------------------------------------------------------------------ saving

    def _autosave(self) -> None:
        if self.dirty:
            self._write(quiet=True)

    def flush(self) -> None:
        """Save unsaved typing now, if there is any (called on focus-out, hide, close, switch)."""
        self.autosave.stop()
        if self.dirty and self.session is not None and not self.signed:
            self._write(quiet=True)

    def save_draft(self) -> bool:
        if self.session is None or self.signed:
            return False
        return self._write(quiet=False)

    def _write(self, quiet: bool) -> bool:
        assert self.session is not None and self.session.id is not None
        self.autosave.stop()
        version = self.note.version if self.note is not None else None
        try:
            self.note = self.ctx.notes.save_draft(
                self.session.id, self.current_format(), self.sections_now(), version=version
            )
        except StaleError as exc:
            return self._resolve_stale(exc)
        except Exception as exc:
            self.last_error = exc
            self.state.setText("Not saved: see the message")
            log.warning("note draft not saved: %s", type(exc).__name__)
            if not quiet or self.isVisible():
                show_error(self, "The draft could not be saved", exc)
            return False
        self.dirty = False
        self.state.setText(f"Saved {dt.datetime.now():%H:%M:%S}")
        self._refresh_state()
        self.saved.emit()
        return True

    def _resolve_stale(self, exc: StaleError) -> bool:
        """Someone else saved this draft since it was loaded: reload theirs, or keep mine on top."""
        assert self.session is not None and self.session.id is not None
        theirs = self.ctx.notes.for_session(self.session.id)
        mine = self.sections_now()
        if theirs is None or theirs.status == NoteStatus.SIGNED:
            show_error(self, "The draft could not be saved", exc)
            return False
        differing = [x.title for x in mine if x not in theirs.sections] or (
            ["format"] if theirs.format != self.current_format() else [])
        choice = ask_stale(self, exc, "This note's draft", differing)
        if choice == "reload":
            self.dirty = False
            self.set_session(self.session.id)
            return False
        if choice == "keep":
            try:
                self.note = self.ctx.notes.save_draft(
                    self.session.id, self.current_format(), mine, version=theirs.version
                )
            except Exception as again:
                show_error(self, "The draft could not be saved", again)
                return False
            self.dirty = False
            self.state.setText(f"Saved (yours, over theirs) {dt.datetime.now():%H:%M:%S}")
            self._refresh_state()
            self.saved.emit()
            return True
        return False

    def showEvent(self, event) -> None:
        # A note not yet started is prefilled afresh each time it is shown, so worksheets
        # filled and measures taken since the session was opened are in it.
        if self.session is not None and self.note is None and not self.dirty:
            self._build_prefilled(self.current_format())
        super().showEvent(event)

    def hideEvent(self, event) -> None:
        self.flush()
        super().hideEvent(event)

    def closeEvent(self, event) -> None:
        self.flush()
        super().closeEvent(event)

    # ------------------------------------------------------------------ actions

    def _has_typing(self) -> bool:
        return any(
            any(v for k, v in b.fields().items() if k != "acknowledge_alerts")
            if isinstance(b, RiskReviewBox)
            else b.text().strip()
            for b in self.sections
        )

    def _format_chosen(self) -> None:
        fmt_id = self.current_format()
        current = self.note.format if self.note else None
        if self.session is None or fmt_id == current:
            return
        if (
            self.note is not None
            and self._has_typing()
            and not confirm(
                self,
                "Change note format",
                "Switching the format replaces the sections and their text with the new format's starting text.",
                "Switch format",
            )
        ):
            self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(current)))
            return
        self._build_prefilled(fmt_id)
        self._edited()

    def _refill_clicked(self) -> None:
        if self._has_typing() and not confirm(
            self, "Fill from session", "Replace the text of every section with fresh starting text?", "Replace text"
        ):
            return
        self._build_prefilled(self.current_format())
        self._edited()

    def sign(self) -> bool:
        if self.session is None or self.session.id is None or self.signed:
            return False
        clinician = self.ctx.practice.default_clinician()
        if clinician is None or clinician.id is None:
            show_error(self, "No clinician to sign", InputError("clinician", "none is set up in Preferences"))
            return False
        if not self._review_complete():
            return False
        password = signing_password(self, self.ctx.signing, clinician, "Sign this note")
        if password is None:
            return False
        if not self._write(quiet=False):
            return False
        try:
            self.note = self.ctx.notes.sign(self.session.id, clinician.id, password=password)
        except RiskReviewIncomplete as exc:
            self._refuse(exc.missing, exc.reasons)
            return False
        except Exception as exc:
            show_error(self, "The note could not be signed", exc)
            return False
        self._refresh_state()
        self.saved.emit()
        return True

    def _review_complete(self) -> bool:
        """Whether signing may go ahead; if a required review has gaps, say which and stop."""
        if not self.review_reasons:
            return True
        box = self.review_box()
        missing = missing_parts(box.fields() if box else None)
        if missing:
            self._refuse(missing, self.review_reasons)
            return False
        return True

    def _refuse(self, missing: list[str], reasons: list[str]) -> None:
        self.last_refusal = missing
        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "The note cannot be signed yet",
            "This note needs a complete risk review before it is signed. Still missing:\n"
            + "\n".join(f"•  {part}" for part in missing),
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setInformativeText("Required because: " + "; ".join(reasons) + ".")
        box.exec()
        target = self.review_box()
        if target is not None:
            self._scroll.ensureWidgetVisible(target)


    def _may_cosign(self) -> bool:
        if self.note is None or not self.note.awaiting_cosigner:
            return False
        me = self.ctx.practice.current_clinician()
        return me is not None and me.display == self.note.awaiting_cosigner

    def cosign(self) -> bool:
        if self.session is None or self.session.id is None or self.note is None:
            return False
        me = self.ctx.practice.current_clinician()
        if me is None or me.id is None:
            return False
        password = signing_password(self, self.ctx.signing, me, f"Co-sign this note by {self.note.signer_name}")
        if password is None:
            return False
        try:
            self.note = self.ctx.notes.cosign(self.session.id, me.id, password=password)
        except Exception as exc:
            show_error(self, "The note could not be co-signed", exc)
            return False
        self._refresh_state()
        self.saved.emit()
        return True

    def _add_addendum(self, kind: str, text: str) -> None:
        if self.session is None or self.session.id is None:
            return
        clinician = self.ctx.practice.default_clinician()
        if clinician is None or clinician.id is None:
            return
        label = AddendumKind(kind).label.lower()
        password = signing_password(self, self.ctx.signing, clinician, f"Sign this {label}")
        if password is None:
            return
        try:
            self.note = self.ctx.notes.add_addendum(self.session.id, clinician.id, text, kind=kind, password=password)
        except Exception as exc:
            show_error(self, "The addendum could not be added", exc)
            return
        self.addenda.clear_entry()
        self._refresh_state()
        self.saved.emit()
