"""The Plan page of a session: details, agenda, interventions and homework (review and print)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from trdplanner.core.errors import StaleError
from trdplanner.core.records import AttendeeRec, HomeworkRec, SessionRec
from trdplanner.core.vocab import HomeworkStatus, Modality, SessionFormat, SessionStatus
from trdplanner.gui.dates import DateField
from trdplanner.gui.dialogs import confirm, show_error
from trdplanner.gui.forms.errors import mark_invalid
from trdplanner.gui.forms.fields import PlainText, hint_label
from trdplanner.gui.services import SessionPageServices
from trdplanner.gui.sessions.agenda import starting_agenda
from trdplanner.gui.stale import ask_stale, differences
from trdplanner.gui.theme import colour, icon


def _button(text: str, tip: str) -> QPushButton:
    b = QPushButton(text)
    b.setToolTip(tip)
    return b


class PlanPage(QWidget):
    """Edits one session's own fields; saves a few seconds after a change and on leaving."""

    saved = Signal()
    print_homework_requested = Signal(list)  # homework ids

    def __init__(self, ctx: SessionPageServices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.session: SessionRec | None = None
        self.outstanding: list[HomeworkRec] = []
        self.dirty = False
        self._loading = False
        self.autosave = QTimer(self, singleShot=True)
        self.autosave.timeout.connect(self.flush)

        self.date = DateField(tip="The date of the session", empty_text="Session date")
        self.duration = QSpinBox()
        self.duration.setRange(5, 600)
        self.duration.setSuffix(" min")
        self.duration.setToolTip("Planned length of the session in minutes")
        self.format = QComboBox()
        for f in SessionFormat:
            self.format.addItem(f.label, str(f))
        self.format.setToolTip("Individual, group or family session")
        self.modality = QComboBox()
        self.modality.addItem("Not set", "")
        for m in Modality:
            self.modality.addItem(m.label, str(m))
        self.modality.setToolTip("The therapy this session follows; it decides the agenda and the templates offered")
        self.status = QComboBox()
        for s in SessionStatus:
            self.status.addItem(s.label, str(s))
        self.status.setToolTip("Planned, completed or cancelled")
        self.present = QLineEdit()
        self.present.setMaxLength(2000)
        self.present.setPlaceholderText("Not patients, e.g. Mother: Ana Lopez; Partner: Sam")
        self.present.setToolTip("People at the session who are not patients (a family session's relatives), as "
                                "relationship: name, separated by semicolons; the note lists them")
        self.present.setAccessibleName("Also present (not patients)")
        self.safety = QCheckBox("Safety plan reviewed in this session")
        self.safety.setToolTip("Tick once the safety plan has been gone through together; the note records it")
        # Details sit in two short columns so the agenda gets the height, not the width.
        details = QGroupBox("Session")
        grid = QGridLayout(details)
        grid.setHorizontalSpacing(10)
        for i, (text, widget) in enumerate((("&Date:", self.date), ("D&uration:", self.duration),
                                            ("&Format:", self.format), ("&Modality:", self.modality),
                                            ("S&tatus:", self.status))):
            label = QLabel(text)
            label.setBuddy(widget)
            r, c = (i, 0) if i < 3 else (i - 3, 2)
            grid.addWidget(label, r, c)
            grid.addWidget(widget, r, c + 1)
        present_label = QLabel("Also &present:")
        present_label.setBuddy(self.present)
        grid.addWidget(present_label, 3, 0)
        grid.addWidget(self.present, 3, 1, 1, 3)
        grid.addWidget(self.safety, 4, 0, 1, 4)
        for box in (self.format, self.modality, self.status):  # long labels elide instead of widening the page
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(10)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(3, 1)
        self.details = details

        self.agenda = QListWidget()
        self.agenda.setToolTip("Agenda items in order; F2 or double-click edits an item")
        self.agenda.setAlternatingRowColors(True)
        self.agenda.itemChanged.connect(self._changed)
        self.agenda.model().rowsMoved.connect(self._changed)
        add = _button("Add…", "Add an agenda item")
        add.clicked.connect(self._add_item)
        remove = _button("Remove", "Remove the selected agenda item")
        remove.clicked.connect(self._remove_item)
        up = _button("Up", "Move the selected item up (Alt+Up)")
        up.setShortcut("Alt+Up")
        up.clicked.connect(self._move_up)
        down = _button("Down", "Move the selected item down (Alt+Down)")
        down.setShortcut("Alt+Down")
        down.clicked.connect(self._move_down)
        self.rebuild = _button(
            "Rebuild",
            "Replace the agenda with the modality's session structure, outstanding homework and risk items",
        )
        self.rebuild.clicked.connect(self._rebuild_clicked)
        agenda_box = QGroupBox("Agenda")
        agenda_layout = QVBoxLayout(agenda_box)
        agenda_layout.addWidget(self.agenda, 1)
        row = QHBoxLayout()
        for b in (add, remove, up, down):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.rebuild)
        agenda_layout.addLayout(row)

        self.interventions = PlainText(4)
        self.interventions.setToolTip("Interventions used in this session, one per line; the note lists them")
        self.interventions.setAccessibleName("Interventions")
        self.interventions.setMinimumHeight(self.interventions.height())
        self.interventions.setMaximumHeight(16777215)
        self.interventions.textChanged.connect(self._changed)
        interventions_box = QGroupBox("Interventions used")
        QVBoxLayout(interventions_box).addWidget(self.interventions)

        self.outstanding_list = QListWidget()
        self.outstanding_list.setToolTip("Homework from earlier sessions not yet reviewed")
        self.review_status = QComboBox()
        for hs in HomeworkStatus:
            if hs is not HomeworkStatus.ASSIGNED:
                self.review_status.addItem(hs.label, str(hs))
        self.review_status.setToolTip("How the selected homework went")
        review = _button("Mark reviewed", "Record how the selected homework went, reviewed in this session")
        review.clicked.connect(self._review)
        self.assigned = QListWidget()
        self.assigned.setToolTip("Homework given in this session; ticked items are printed")
        self.assigned.itemChanged.connect(self._update_print_button)
        assign = _button("Assign…", "Assign homework without a worksheet (a worksheet is added on the Forms page)")
        assign.clicked.connect(self._assign_free)
        self.print_button = _button("Print homework…", "Preview and print the ticked homework (Ctrl+P)")
        self.print_button.clicked.connect(self.request_print)
        homework_box = QGroupBox("Homework")
        hw = QGridLayout(homework_box)
        hw.addWidget(QLabel("Waiting for review (early in the session):"), 0, 0, 1, 3)
        hw.addWidget(self.outstanding_list, 1, 0, 1, 3)
        hw.addWidget(self.review_status, 2, 0)
        hw.addWidget(review, 2, 1)
        hw.addWidget(QLabel("Assigned this session (tick to print):"), 3, 0, 1, 3)
        hw.addWidget(self.assigned, 4, 0, 1, 3)
        hw.addWidget(assign, 5, 0)
        hw.addWidget(self.print_button, 5, 2)
        hw.setColumnStretch(2, 1)
        #: The Sessions tab shows homework on a page of its own, after the forms, as a session runs.
        self.homework_box = homework_box

        layout = QVBoxLayout(self)
        layout.addWidget(details)
        layout.addWidget(agenda_box, 3)
        layout.addWidget(interventions_box, 1)
        self.state = hint_label("")
        layout.addWidget(self.state)
        for signal in (
            self.date.dateChanged,
            self.duration.valueChanged,
            self.format.currentIndexChanged,
            self.modality.currentIndexChanged,
            self.status.currentIndexChanged,
            self.safety.toggled,
            self.present.textEdited,
        ):
            signal.connect(self._changed)

    # ------------------------------------------------------------------ loading

    def set_session(self, session: SessionRec | None) -> None:
        self.flush()
        self.session = session
        if session is None or session.id is None:
            return
        self._loading = True
        self.date.set_value(session.date)
        self.duration.setValue(session.duration_minutes)
        self.format.setCurrentIndex(max(0, self.format.findData(session.format)))
        self.modality.setCurrentIndex(max(0, self.modality.findData(session.modality)))
        self.status.setCurrentIndex(max(0, self.status.findData(session.status)))
        self.safety.setChecked(session.safety_plan_reviewed)
        self.present.setText(present_text(session.others_present))
        self._fill_agenda(session.agenda)
        self.interventions.setPlainText("\n".join(session.interventions))
        self._fill_homework()
        self._loading = False
        self.dirty = False
        self.state.setText("")

    def _fill_agenda(self, items: list[str]) -> None:
        self.agenda.blockSignals(True)
        self.agenda.clear()
        for text in items:
            self._agenda_item(text)
        self.agenda.blockSignals(False)

    def _agenda_item(self, text: str) -> QListWidgetItem:
        item = QListWidgetItem(text)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsEditable)
        if text.startswith("Safety plan review"):
            # Colour and weight and a mark: readable in both schemes and without colour vision.
            item.setForeground(colour("danger"))
            font = item.font()
            font.setBold(True)
            item.setFont(font)
            item.setIcon(icon("alert"))
        self.agenda.addItem(item)
        return item

    def _fill_homework(self) -> None:
        assert self.session is not None and self.session.id is not None
        try:
            self.outstanding = self.ctx.sessions.outstanding_homework(
                self.ctx.sessions.patient_of(self.session.id), self.session.id
            )
        except Exception as exc:
            self.outstanding = []
            show_error(self, "Could not load earlier homework", exc)
        self.outstanding_list.clear()
        for h in self.outstanding:
            self.outstanding_list.addItem(h.title)
        if not self.outstanding:
            self.outstanding_list.addItem("Nothing waiting: all earlier homework has been reviewed.")
            self.outstanding_list.item(0).setFlags(Qt.ItemFlag.NoItemFlags)
        self.assigned.blockSignals(True)
        self.assigned.clear()
        for h in self.session.homework:
            item = QListWidgetItem(h.title + ("" if h.template_id else "  (no worksheet)"))
            item.setData(Qt.ItemDataRole.UserRole, h.id)
            item.setToolTip(h.instructions or h.title)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if h.template_id else Qt.CheckState.Unchecked)
            self.assigned.addItem(item)
        self.assigned.blockSignals(False)
        self._update_print_button()

    def _update_print_button(self) -> None:
        self.print_button.setEnabled(bool(self.checked_homework()))

    def checked_homework(self) -> list[int]:
        ids = []
        for i in range(self.assigned.count()):
            item = self.assigned.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                ids.append(int(item.data(Qt.ItemDataRole.UserRole)))
        return ids

    # ------------------------------------------------------------------ editing

    def agenda_items(self) -> list[str]:
        texts = (self.agenda.item(i).text().strip() for i in range(self.agenda.count()))
        return [t for t in texts if t]

    def _changed(self) -> None:
        if self._loading or self.session is None:
            return
        self.dirty = True
        self.state.setText("Unsaved changes")
        if not self.autosave.isActive():
            self.autosave.start(self.ctx.settings.autosave_seconds * 1000)

    def _add_item(self) -> None:
        text, ok = QInputDialog.getText(self, "Add agenda item", "Agenda item:")
        if ok and text.strip():
            self.agenda.setCurrentItem(self._agenda_item(text.strip()))
            self._changed()

    def _remove_item(self) -> None:
        row = self.agenda.currentRow()
        if row >= 0:
            self.agenda.takeItem(row)
            self._changed()

    # Bound methods, not lambdas: PySide6 6.12 mis-counts references to the bool that
    # clicked(bool) passes to a lambda, which crashes the interpreter later.
    def _move_up(self) -> None:
        self._move(-1)

    def _move_down(self) -> None:
        self._move(1)

    def _move(self, step: int) -> None:
        row = self.agenda.currentRow()
        target = row + step
        if row < 0 or not 0 <= target < self.agenda.count():
            return
        item = self.agenda.takeItem(row)
        self.agenda.insertItem(target, item)
        self.agenda.setCurrentRow(target)
        self._changed()

    def rebuild_agenda(self) -> list[str]:
        assert self.session is not None and self.session.id is not None
        self.flush()
        modality = str(self.modality.currentData() or "general")
        structure = self.ctx.catalog.structure_for(modality) or self.ctx.catalog.structure_for("general")
        bundle = self.ctx.bundles.for_session(self.session.id)
        items = starting_agenda(bundle, structure, self.outstanding)
        self._fill_agenda(items)
        self._changed()
        return items

    def _rebuild_clicked(self) -> None:
        if self.agenda.count() and not confirm(
            self, "Rebuild agenda", "Replace the current agenda with a fresh one from the session structure?", "Replace"
        ):
            return
        try:
            self.rebuild_agenda()
        except Exception as exc:
            show_error(self, "Could not rebuild the agenda", exc)

    def _review(self) -> None:
        row = self.outstanding_list.currentRow()
        if self.session is None or self.session.id is None or not 0 <= row < len(self.outstanding):
            return
        homework = self.outstanding[row]
        assert homework.id is not None
        try:
            self.ctx.sessions.review_homework(homework.id, self.session.id, str(self.review_status.currentData()))
        except Exception as exc:
            show_error(self, "Could not record the review", exc)
            return
        self.reload_homework()

    def _assign_free(self) -> None:
        if self.session is None or self.session.id is None:
            return
        title, ok = QInputDialog.getText(self, "Assign homework", "What should the client do before next time?")
        if not ok or not title.strip():
            return
        try:
            self.ctx.sessions.add_homework(self.session.id, HomeworkRec(title=title.strip()))
        except Exception as exc:
            show_error(self, "Could not assign the homework", exc)
            return
        self.reload_homework()

    def reload_homework(self) -> None:
        """Read the session's homework again (after a change here or on the Forms page)."""
        if self.session is None or self.session.id is None:
            return
        try:
            fresh = self.ctx.sessions.get(self.session.id)
        except Exception as exc:
            show_error(self, "Could not reload the session", exc)
            return
        self.session = dataclasses.replace(self.session, homework=fresh.homework, instances=fresh.instances)
        self._fill_homework()
        self.saved.emit()

    def request_print(self) -> None:
        ids = self.checked_homework()
        if ids:
            self.flush()
            self.print_homework_requested.emit(ids)

    # ------------------------------------------------------------------ saving

    def flush(self) -> bool:
        """Save unsaved changes now; False (after a dialog) if they could not be saved."""
        self.autosave.stop()
        if not self.dirty or self.session is None:
            return True
        try:
            others = parse_present(self.present.text())
        except ValueError as exc:
            self.state.setText(f"Not saved: {exc}")
            mark_invalid(self.present, str(exc))
            return False
        mark_invalid(self.present, None)
        rec = dataclasses.replace(
            self.session,
            date=self.date.value() or self.session.date,  # a session always has a date; empty keeps the old one
            duration_minutes=self.duration.value(),
            format=SessionFormat(self.format.currentData()),
            modality=str(self.modality.currentData() or ""),
            status=SessionStatus(self.status.currentData()),
            safety_plan_reviewed=self.safety.isChecked(),
            agenda=self.agenda_items(),
            interventions=[x.strip() for x in self.interventions.toPlainText().splitlines() if x.strip()],
            others_present=others,
        )
        try:
            self.session = self.ctx.sessions.update(rec)
        except StaleError as exc:
            return self._resolve_stale(exc, rec)
        except Exception as exc:
            self.state.setText("Not saved: see the message")
            show_error(self, "The session could not be saved", exc)
            return False
        self.dirty = False
        self.state.setText(f"Saved {dt.datetime.now():%H:%M:%S}")
        self.saved.emit()
        return True

    def _resolve_stale(self, exc: StaleError, mine: SessionRec) -> bool:
        """Someone else saved this session since it was loaded: reload theirs, or keep mine on top."""
        assert mine.id is not None
        theirs = self.ctx.sessions.get(mine.id)
        choice = ask_stale(self, exc, "This session", differences(mine, theirs))
        if choice == "reload":
            self.dirty = False
            self.set_session(theirs)
            self.state.setText("Reloaded their version")
            return True
        if choice == "keep":
            try:
                self.session = self.ctx.sessions.update(dataclasses.replace(mine, version=theirs.version))
            except Exception as again:
                show_error(self, "The session could not be saved", again)
                return False
            self.dirty = False
            self.state.setText("Saved (yours, over theirs)")
            self.saved.emit()
            return True
        self.state.setText("Not saved: changed by someone else")
        return False

    def hideEvent(self, event) -> None:
        self.flush()
        super().hideEvent(event)


def present_text(people: list[AttendeeRec]) -> str:
    """The people present who are not patients, as the field shows them."""
    return "; ".join(f"{p.relation}: {p.name}" for p in people)


def parse_present(text: str) -> list[AttendeeRec]:
    """``Mother: Ana Lopez; Partner: Sam`` as records; ValueError in words for an entry without both parts."""
    people: list[AttendeeRec] = []
    for entry in (e.strip() for e in text.replace("\n", ";").split(";")):
        if not entry:
            continue
        relation, colon, name = entry.partition(":")
        if not colon or not relation.strip() or not name.strip():
            raise ValueError(f'write each person present as relationship: name (not "{entry[:40]}")')
        people.append(AttendeeRec(relation.strip(), name.strip()))
    return people
