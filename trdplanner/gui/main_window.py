"""The main window: the patient list on the left, the open patient's workspace on the right.

The window shows before the database is opened (that import alone takes longer than a
bare Qt window needs to start), and gets its ``AppContext`` through ``attach`` when it
is ready. Widgets below it talk to the services on the context, never to the ORM.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSettings, Qt, QThreadPool, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from trdplanner.gui.dialogs import confirm, show_error
from trdplanner.gui.help_dialogs import esc, show_about, show_data_folder, show_shortcuts
from trdplanner.gui.panes import move_focus
from trdplanner.gui.patient_list import PatientListPanel
from trdplanner.gui.patient_model import TRD_LABELS
from trdplanner.gui.tasks import run_in_background
from trdplanner.gui.theme import heading_font, hex_colour, icon, theme_changed
from trdplanner.gui.window_layout import LayoutMemory

if TYPE_CHECKING:
    from trdplanner.context import AppContext
    from trdplanner.core.records import PatientSummary
    from trdplanner.gui.groups.view import GroupsView
    from trdplanner.gui.patient_tab import PatientTab
    from trdplanner.gui.workspace import PatientWorkspace

log = logging.getLogger(__name__)

TAB_SHORTCUTS = ("Ctrl+1", "Ctrl+2", "Ctrl+3", "Ctrl+4", "Ctrl+5", "Ctrl+6", "Ctrl+7", "Ctrl+8")


class MainWindow(LayoutMemory, QMainWindow):
    patient_changed = Signal(int)
    patients_loaded = Signal()

    def __init__(self, ctx: AppContext | None = None, state_file: Path | None = None) -> None:
        super().__init__()
        self.ctx: AppContext | None = None
        self._state = QSettings(str(state_file), QSettings.Format.IniFormat) if state_file else None
        self._patient_id: int | None = None
        self._workspace: PatientWorkspace | None = None
        self._groups_view: GroupsView | None = None
        self._loading = False
        self._reload_again = False
        self.setWindowTitle("TRD Planner")
        self.setMinimumSize(900, 560)

        self.patients = PatientListPanel()
        self.patients.patient_activated.connect(self.open_patient)
        self.patients.filter_changed.connect(self._update_status)

        self.header = QLabel()
        self.header.setFont(heading_font(1.35))
        self.header.setTextFormat(Qt.TextFormat.RichText)
        self.header.setContentsMargins(12, 8, 12, 4)
        self.welcome = QLabel()
        self.welcome.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.welcome.setWordWrap(True)
        self.welcome.setProperty("role", "empty")
        self.welcome.setTextFormat(Qt.TextFormat.RichText)
        self.welcome.setText(
            "<p style='font-size:15pt'><b>No patient open</b></p>"
            "<p>Find a patient on the left and press Enter, or double-click them.</p>"
            "<p>Ctrl+F jumps to the search box · Ctrl+N adds a patient</p>"
        )
        self.right = QStackedWidget()
        self.right.addWidget(self.welcome)
        right_box = QWidget()
        right_layout = QVBoxLayout(right_box)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(0)
        right_layout.addWidget(self.header)
        right_layout.addWidget(self.right, 1)
        self.header.hide()

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.patients)
        self.splitter.addWidget(right_box)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        # The list can fold away (View ▸ Patient list, or drag it shut) to give a small screen to the workspace.
        self.patients.setMinimumWidth(200)
        self.splitter.setCollapsible(0, True)
        self.splitter.setCollapsible(1, False)
        self.splitter.splitterMoved.connect(lambda *_a: self._sync_list_action())
        from trdplanner.gui import read_only
        self.read_only_banner = read_only.banner()  # shown on a read-only data folder (attach)
        central = QWidget()
        central_layout = QVBoxLayout(central)
        central_layout.setContentsMargins(0, 0, 0, 0)
        central_layout.setSpacing(0)
        central_layout.addWidget(self.read_only_banner)
        central_layout.addWidget(self.splitter, 1)
        self.setCentralWidget(central)
        self._list_width = 320

        self._build_menus()
        from trdplanner.gui import lock; lock.install(self)  # noqa: E702, I001 - data safety: app lock, audit, backups
        theme_changed.changed.connect(self._theme_changed)
        self._restore_layout()
        self._update_actions()
        # The patient count stays in view; passing messages appear to its left.
        self.count_label = QLabel()
        self.count_label.setToolTip("Patients shown in the list, of all with the chosen status")
        self.count_label.setContentsMargins(8, 0, 8, 0)
        self.statusBar().addPermanentWidget(self.count_label)
        self.statusBar().showMessage("Opening the database…")
        if ctx is not None:
            self.attach(ctx)

    # ---------------------------------------------------------------- context

    def attach(self, ctx: AppContext, summaries: list[PatientSummary] | None = None) -> None:
        """Hand the window its services; the patient list loads from them."""
        self.ctx = ctx
        if ctx.read_only:
            from trdplanner.gui import read_only

            read_only.show_banner(self.read_only_banner, ctx.read_only_reason, ctx.paths.data_dir)
            self.welcome.setText(self.welcome.text().replace(" · Ctrl+N adds a patient", ""))
        self._update_actions()
        self.patients.set_cosigner(ctx.patients.cosigner_id is not None)
        if ctx.db.login is not None and ctx.db.group is not None:
            self.setWindowTitle(f"TRD Planner — {ctx.db.login}")
        if summaries is not None:
            self._show_patients(summaries)
        else:
            self._show_patients(ctx.patients.summaries(status=None))

    def reload_patients(self, select: int | None = None) -> None:
        """Fetch the list again in the background (after a save, an import, a settings change)."""
        if self.ctx is None:
            return
        if self._loading:
            self._reload_again = True  # something changed while a reload was under way
            return
        self._loading = True
        self._reload_again = False
        patients = self.ctx.patients

        def done(rows: list[PatientSummary]) -> None:
            self._loading = False
            self._show_patients(rows, select if select is not None else self._patient_id)
            if self._reload_again:
                self.reload_patients()

        def failed(exc: BaseException) -> None:
            self._loading = False
            show_error(self, "Could not load the patient list", exc)

        run_in_background(lambda: patients.summaries(status=None), done, failed, owner=self)

    def _show_patients(self, rows: list[PatientSummary], select: int | None = None) -> None:
        self.patients.set_rows(rows, select)
        self._update_status()
        self._update_header()
        self.patients_loaded.emit()

    def _update_status(self) -> None:
        if self.statusBar().currentMessage() == "Opening the database…":
            self.statusBar().clearMessage()
        self.count_label.setText(self.patients.count.text())

    # ---------------------------------------------------------------- patients

    def current_patient_id(self) -> int | None:
        return self._patient_id

    @property
    def workspace(self) -> PatientWorkspace:
        if self._workspace is None:
            from trdplanner.gui.workspace import PatientWorkspace

            assert self.ctx is not None
            ws = PatientWorkspace(self.ctx)
            ws.currentChanged.connect(lambda _i: self._update_actions())
            ws.data_changed.connect(self._patient_data_changed)
            ws.request_save_state.connect(self._update_actions)
            self.right.addWidget(ws)
            self._workspace = ws
            if self.ctx.read_only:  # fields show the record and take no typing
                from trdplanner.gui import read_only

                read_only.freeze(ws)
                ws.patient_loaded.connect(lambda: read_only.freeze(ws))
            if self._state is not None:
                ws.setCurrentIndex(int(str(self._state.value("workspace/tab", 0) or 0)))
            self._install_tab_actions()
        return self._workspace

    def show_groups(self) -> None:
        """The Groups view in place of the workspace (View ▸ Groups); a patient opened returns to it."""
        if self.ctx is None:
            return
        if self._workspace is not None and self._patient_id is not None and not self._workspace.confirm_leave(self):
            return
        if self._groups_view is None:
            from trdplanner.gui.groups.view import GroupsView
            from trdplanner.gui.notes.signing_dialog import signing_password

            ctx = self.ctx
            view = GroupsView(
                ctx.groups, ctx.practice.clinicians, lambda: ctx.patients.summaries(),
                lambda parent, clinician, what: signing_password(parent, ctx.signing, clinician, what),
                ctx,
            )
            view.open_patient.connect(self._open_from_groups)
            if ctx.read_only:
                from trdplanner.gui import read_only

                read_only.freeze(view)
            self.right.addWidget(view)
            self._groups_view = view
        self._groups_view.reload()
        self.right.setCurrentWidget(self._groups_view)
        self.header.setText("Groups")
        self.header.show()
        self.setWindowTitle("Groups — TRD Planner")
        self._update_actions()
        self._groups_view.group_list.setFocus()

    def _open_from_groups(self, patient_id: int) -> None:
        if patient_id == self._patient_id and self._workspace is not None:
            self.right.setCurrentWidget(self._workspace)
            self._update_header()
            self._update_actions()
        self.open_patient(patient_id)

    def groups_shown(self) -> bool:
        return self._groups_view is not None and self.right.currentWidget() is self._groups_view

    def open_patient(self, patient_id: int) -> None:
        if self.ctx is not None and patient_id == self._patient_id and self.groups_shown():
            assert self._workspace is not None
            self.right.setCurrentWidget(self._workspace)
            self._update_header()
            self._update_actions()
        if self.ctx is None or patient_id == self._patient_id:
            if patient_id == self._patient_id and self._workspace is not None:
                current = self._workspace.current_tab()
                if current is not None:
                    current.focus()
            return
        if self._workspace is not None and not self._workspace.confirm_leave(self):
            if self._patient_id is not None:
                self.patients.select(self._patient_id)
            return
        self._patient_id = patient_id
        self.patients.select(patient_id)
        ws = self.workspace
        ws.set_patient(patient_id)
        self.right.setCurrentWidget(ws)
        self._update_header()
        self._update_actions()
        log.info("opened patient %s", patient_id)
        self.patient_changed.emit(patient_id)

    def _update_header(self) -> None:
        p = self.patients.model.find(self._patient_id) if self._patient_id is not None else None
        if p is None:
            self.header.hide()
            self.setWindowTitle("TRD Planner")
            return
        muted = hex_colour("muted")
        bits = [f"<span style='color:{muted}; font-weight:normal'>{esc(p.code)}</span>"]
        if p.trd_status:
            colour = "danger" if p.trd_status == "trd" else "muted"
            label = TRD_LABELS.get(p.trd_status, "")
            bits.append(f"<span style='color:{hex_colour(colour)}'>{label}</span>")
        if p.open_alerts:
            bits.append(f"<span style='color:{hex_colour('danger')}'>⚠ alert to acknowledge</span>")
        if p.archived:
            bits.append(f"<span style='color:{muted}; font-weight:normal'>archived</span>")
        self.header.setText(f"{esc(p.full_name)}&nbsp;&nbsp;" + "&nbsp; · &nbsp;".join(bits))
        self.header.setToolTip(p.primary_diagnosis or "")
        self.header.show()
        self.setWindowTitle(f"{self._title_name(p)} — TRD Planner")

    def _title_name(self, p: PatientSummary) -> str:
        """The title bar and taskbar are seen by others: name the patient as the print setting says."""
        from trdplanner.core.services.templating import initials
        from trdplanner.settings import PrintIdentity

        identity = self.ctx.settings.print_identity if self.ctx is not None else PrintIdentity.CODE
        if identity == PrintIdentity.NAME:
            return p.full_name
        if identity == PrintIdentity.INITIALS:
            return initials(p.full_name)
        return p.code

    # ---------------------------------------------------------------- panes

    def patient_list_shown(self) -> bool:
        return self.splitter.sizes()[0] > 0

    def toggle_patient_list(self) -> None:
        sizes = self.splitter.sizes()
        total = sum(sizes)
        if sizes[0] > 0:
            self._list_width = sizes[0]
            focus = QApplication.focusWidget()
            if focus is not None and self.patients.isAncestorOf(focus):
                self.cycle_pane(1)
            self.splitter.setSizes([0, total])
        else:
            width = max(self.patients.minimumWidth(), min(self._list_width, total // 3))
            self.splitter.setSizes([width, total - width])
            self.patients.focus_search()
        self._sync_list_action()

    def _sync_list_action(self) -> None:
        self.act_list.setChecked(self.patient_list_shown())

    def panes(self) -> list[QWidget]:
        """The panes F6 moves between, in screen order: the list, the open tab, its inner panes."""
        out: list[QWidget] = []
        if self.patient_list_shown():
            out.append(self.patients)
        if self.groups_shown():
            assert self._groups_view is not None
            out.append(self._groups_view)
        tab = self._current_tab()
        if tab is not None:
            out.extend(tab.panes())
        return out

    def cycle_pane(self, step: int) -> None:
        move_focus(self.panes(), step, self.patients)

    def _theme_changed(self) -> None:
        self._update_header()
        self.patients.model.set_alert_icon(icon("alert"))
        self.patients.table.viewport().update()
        if self._workspace is not None:
            self._workspace.settings_changed()  # tabs re-render their coloured text

    def _patient_data_changed(self, patient_id: int) -> None:
        self.reload_patients(select=patient_id)

    # ---------------------------------------------------------------- menus

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        self.act_new = self._action("&New patient…", self.new_patient, QKeySequence.StandardKey.New, "patient-new",
                                    "Add a patient and open their profile")
        self.act_save = self._action("&Save", self._save, QKeySequence.StandardKey.Save, "save",
                                     "Save the changes on this tab")
        self.act_print = self._action("&Print…", self._print, QKeySequence.StandardKey.Print, "print",
                                      "Print what this tab shows")
        self.act_archive = self._action("&Archive patient…", self._toggle_archive, None, "archive",
                                        "Move the open patient to the archive, or bring them back")
        self.act_calendar = self._action("Export to &calendar…", self._export_calendar, None, None,
                                         "Planned sessions as an .ics file, by print code only")
        self.act_prefs = self._action("P&references…", self.preferences, QKeySequence.StandardKey.Preferences,
                                      "preferences", "Page size, print identity, clinical thresholds, autosave")
        if self.act_prefs.shortcut().isEmpty():
            self.act_prefs.setShortcut(QKeySequence("Ctrl+,"))
        self.act_practice = self._action("Pr&actice…", self.practice_dialog, None, None,
                                         "The practice's details and clinicians; in a group practice, logins "
                                         "and caseloads (admins)")
        self.act_quit = self._action("&Quit", self.close, QKeySequence.StandardKey.Quit, "quit", "Close TRD Planner")
        if self.act_quit.shortcut().isEmpty():
            self.act_quit.setShortcut(QKeySequence("Ctrl+Q"))
        for a in (self.act_new, None, self.act_save, self.act_print, self.act_calendar, None, self.act_archive, None,
                  self.act_prefs, self.act_practice, None, self.act_quit):
            file_menu.addSeparator() if a is None else file_menu.addAction(a)

        edit_menu = bar.addMenu("&Edit")
        self.act_undo = self._action("&Undo", lambda: self._edit("undo"), QKeySequence.StandardKey.Undo, "undo",
                                     "Undo the last change in the text field")
        self.act_redo = self._action("&Redo", lambda: self._edit("redo"), QKeySequence.StandardKey.Redo, "redo",
                                     "Redo the change you undid")
        edit_menu.addAction(self.act_undo)
        edit_menu.addAction(self.act_redo)
        edit_menu.addSeparator()
        for text, name, key in (("Cu&t", "cut", QKeySequence.StandardKey.Cut),
                                ("&Copy", "copy", QKeySequence.StandardKey.Copy),
                                ("&Paste", "paste", QKeySequence.StandardKey.Paste),
                                ("Select &all", "selectAll", QKeySequence.StandardKey.SelectAll)):
            tip = f"{text.replace('&', '')} in the text field"
            a = self._action(text, partial(self._edit, name), None, None, tip)
            a.setShortcut(QKeySequence(key))
            a.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)  # the fields handle these keys themselves
            edit_menu.addAction(a)
        edit_menu.addSeparator()
        self.act_find = self._action("&Find patient", self.patients.focus_search, QKeySequence.StandardKey.Find,
                                     "search", "Jump to the patient search box")
        edit_menu.addAction(self.act_find)
        # Undo/redo keys belong to the focused field; the menu items mirror them.
        for a in (self.act_undo, self.act_redo):
            a.setShortcutContext(Qt.ShortcutContext.WidgetShortcut)

        self.view_menu = bar.addMenu("&View")
        self.act_refresh = self._action("&Refresh patient list", lambda: self.reload_patients(), "F5", "refresh",
                                        "Read the patient list from the database again")
        self.view_menu.addAction(self.act_refresh)
        self.act_list = self._action("&Patient list", self.toggle_patient_list, "Ctrl+Shift+L", None,
                                     "Show or fold away the patient list (more room for the workspace)")
        self.act_list.setCheckable(True)
        self.act_list.setChecked(True)
        self.view_menu.addAction(self.act_list)
        self.act_groups = self._action("&Groups", self.show_groups, "Ctrl+G", None,
                                       "Therapy groups: members, meetings, attendance and each member's note")
        self.view_menu.addAction(self.act_groups)
        self.act_next_pane = self._action("Next &pane", lambda: self.cycle_pane(1), "F6", None,
                                          "Move between the patient list and the workspace")
        self.act_prev_pane = self._action("Previous pa&ne", lambda: self.cycle_pane(-1), "Shift+F6", None,
                                          "Move between the workspace and the patient list")
        self.view_menu.addAction(self.act_next_pane)
        self.view_menu.addAction(self.act_prev_pane)
        self.view_menu.addSeparator()

        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self._action("&Keyboard shortcuts", partial(show_shortcuts, self), "F1", None,
                                         "Every keyboard shortcut in one list"))
        help_menu.addAction(self._action("Where is my &data?", self._where, None, None,
                                         "The folder holding the database, settings and logs"))
        help_menu.addAction(self._action("&About TRD Planner", partial(show_about, self), None, None,
                                         "Version and licence"))
        for menu in (file_menu, edit_menu, self.view_menu, help_menu):
            menu.setToolTipsVisible(True)
        edit_menu.aboutToShow.connect(self._update_edit_actions)

    def _action(self, text: str, slot: Callable[[], Any], shortcut: Any, icon_name: str | None, tip: str) -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if icon_name:
            action.setIcon(icon(icon_name))
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _install_tab_actions(self) -> None:
        ws = self._workspace
        assert ws is not None
        for i in range(ws.count()):
            a = self._action(f"&{i + 1}  {ws.tabText(i)}", partial(ws.setCurrentIndex, i), TAB_SHORTCUTS[i],
                             None, f"Show the {ws.tabText(i)} tab")
            self.view_menu.addAction(a)

    def _current_tab(self) -> PatientTab | None:
        if self._workspace is None or self._patient_id is None or self.groups_shown():
            return None
        return self._workspace.current_tab()

    def _update_actions(self) -> None:
        tab = self._current_tab()
        self.act_save.setEnabled(tab is not None and tab.can_save())
        self.act_print.setEnabled(tab is not None and tab.can_print())
        ready = self.ctx is not None
        writable = ready and not getattr(self.ctx, "read_only", False)  # a read-only data folder: nothing saves
        if not writable:
            self.act_save.setEnabled(False)
        self.act_new.setEnabled(writable)
        self.act_prefs.setEnabled(writable)
        self.act_practice.setEnabled(writable)
        self.act_refresh.setEnabled(ready)
        self.act_groups.setEnabled(ready)
        p = self.patients.model.find(self._patient_id) if self._patient_id is not None else None
        self.act_archive.setEnabled(writable and p is not None)
        self.act_archive.setText("&Restore patient from archive…" if p and p.archived
                                 else "&Archive patient…")

    def _update_edit_actions(self) -> None:
        w: Any = QApplication.focusWidget()
        doc = w.document() if hasattr(w, "document") else None
        if doc is not None:
            self.act_undo.setEnabled(doc.isUndoAvailable())
            self.act_redo.setEnabled(doc.isRedoAvailable())
        elif hasattr(w, "isUndoAvailable"):
            self.act_undo.setEnabled(w.isUndoAvailable())
            self.act_redo.setEnabled(w.isRedoAvailable())
        else:
            self.act_undo.setEnabled(False)
            self.act_redo.setEnabled(False)

    def _edit(self, name: str) -> None:
        w = QApplication.focusWidget()
        target = getattr(w, name, None) if w is not None else None
        if callable(target):
            target()

    def _save(self) -> None:
        tab = self._current_tab()
        if tab is not None and tab.can_save():
            tab.save_current()

    def _print(self) -> None:
        tab = self._current_tab()
        if tab is not None and tab.can_print():
            tab.print_current()

    # ---------------------------------------------------------------- commands

    def new_patient(self) -> None:
        if self.ctx is None:
            return
        from trdplanner.gui.workspace.new_patient import NewPatientDialog

        dialog = NewPatientDialog(self.ctx, self)
        if dialog.exec() and dialog.created_id is not None:
            pid = dialog.created_id
            self._show_patients(self.ctx.patients.summaries(status=None), pid)
            self.open_patient(pid)
            from trdplanner.gui.patient_tab import TabKey

            self.workspace.show_tab(TabKey.PROFILE)

    def _toggle_archive(self) -> None:
        p = self.patients.model.find(self._patient_id) if self._patient_id is not None else None
        if p is None or self.ctx is None:
            return
        from trdplanner.core.vocab import PatientStatus

        archiving = not p.archived
        if archiving and not confirm(
            self, "Archive patient",
            f"Archive {p.full_name} ({p.code})? They leave the active list; nothing is deleted and you can "
            "restore them from the archived list at any time.", "Archive",
        ):
            return
        try:
            self.ctx.patients.set_status(p.id, PatientStatus.ARCHIVED if archiving else PatientStatus.ACTIVE)
        except Exception as exc:
            show_error(self, "Could not change the patient's status", exc)
            return
        self._show_patients(self.ctx.patients.summaries(status=None), p.id)
        self.statusBar().showMessage(f"{p.full_name} {'archived' if archiving else 'restored'}", 5000)
        self._update_actions()

    def _export_calendar(self) -> None:
        if self.ctx is None:
            return
        from trdplanner.gui.calendar_export import export_calendar

        path = export_calendar(self, self.ctx.patients, self.ctx.calendar, self._patient_id)
        if path is not None:
            self.statusBar().showMessage(f"Planned sessions saved to {path.name}", 5000)

    def practice_dialog(self) -> None:
        if self.ctx is None:
            return
        from trdplanner.gui.practice_dialog import PracticeDialog

        PracticeDialog(self.ctx, self).exec()
        self.reload_patients()

    def preferences(self) -> None:
        if self.ctx is None:
            return
        from trdplanner.gui.preferences import PreferencesDialog

        dialog = PreferencesDialog(self.ctx.settings, self)
        if not dialog.exec():
            return
        new = dialog.settings()
        try:
            self.ctx.save_settings(new)
        except Exception as exc:
            show_error(self, "Could not save the preferences", exc)
            return
        self.statusBar().showMessage("Preferences saved", 4000)
        self.reload_patients()
        if self._workspace is not None:
            self._workspace.settings_changed()

    def _where(self) -> None:
        if self.ctx is not None:
            show_data_folder(self, self.ctx.paths, self.ctx.db_url)

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._workspace is not None and not self._workspace.confirm_leave(self):
            event.ignore()
            return
        if self.ctx is None or not self.ctx.read_only:  # a read-only data folder keeps no window state
            self.save_layout()
        QThreadPool.globalInstance().waitForDone(5000)  # a list reload still running reports to no one
        super().closeEvent(event)
