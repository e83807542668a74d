"""App lock and the data-safety hooks of the main window.

:func:`install` is the main window's one hook. It adds a "Data safety" submenu (lock now,
back up now, audit trail, encrypt an unencrypted database), locks the app after
``settings.lock_after_minutes`` without keyboard or mouse input, records "patient opened"
in the audit trail, takes the daily backup at start-up and a rolling backup on quit.

While locked, every visible window of the app is covered by an opaque lock screen (nothing
of a patient shows through: the list and workspace are hidden as well), every window title
is just "TRD Planner — locked", and input reaches nothing but the passphrase field. The
passphrase is checked against the open database's key (derived again from the file's salt);
a wrong one is recorded in the audit trail. A practice without a passphrase (a server
database, or the demo kept unencrypted) unlocks with a button.
"""

from __future__ import annotations

import hmac
import logging
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)
from shiboken6 import isValid

if TYPE_CHECKING:
    from trdplanner.context import AppContext
    from trdplanner.gui.main_window import MainWindow

log = logging.getLogger(__name__)

LOCKED_TITLE = "TRD Planner — locked"
_INPUT_EVENTS = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
        QEvent.Type.TabletPress,
    }
)
_BLOCKED_WHEN_LOCKED = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.KeyRelease,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseButtonRelease,
        QEvent.Type.MouseButtonDblClick,
        QEvent.Type.Wheel,
        QEvent.Type.Shortcut,
        QEvent.Type.ShortcutOverride,
        QEvent.Type.ContextMenu,
        QEvent.Type.TouchBegin,
    }
)


class LockScreen(QFrame):
    """An opaque cover over one window; the passphrase field unlocks the whole app."""

    unlock_requested = Signal(str)

    def __init__(self, parent: QWidget, needs_passphrase: bool) -> None:
        super().__init__(parent)
        self.setObjectName("lockScreen")
        self.setAutoFillBackground(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        title = QLabel("<p style='font-size:16pt'><b>TRD Planner is locked</b></p>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message = QLabel(
            "Patient details are hidden. Enter the passphrase to continue."
            if needs_passphrase
            else "Patient details are hidden. This practice has no passphrase (its database is not encrypted)."
        )
        self.message.setWordWrap(True)
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setPlaceholderText("Passphrase")
        self.passphrase.setAccessibleName("Passphrase")
        self.passphrase.setMaximumWidth(360)
        self.passphrase.setVisible(needs_passphrase)
        self.error = QLabel()
        self.error.setProperty("role", "error")
        self.error.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.button = QPushButton("Unlock")
        self.button.setDefault(True)
        self.button.clicked.connect(self._submit)
        self.passphrase.returnPressed.connect(self._submit)
        box = QVBoxLayout(self)
        box.addStretch(2)
        for w in (title, self.message, self.passphrase, self.error, self.button):
            box.addWidget(w, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addStretch(3)
        self.setGeometry(parent.rect())

    def _submit(self) -> None:
        self.unlock_requested.emit(self.passphrase.text())

    def wrong(self, message: str) -> None:
        self.error.setText(message)
        self.passphrase.clear()
        self.passphrase.setFocus()


class AppLock(QObject):
    """Idle timer, lock and unlock for the whole application."""

    locked_changed = Signal(bool)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.locked = False
        self.failures = 0
        self._covers: dict[QWidget, LockScreen] = {}
        self._titles: dict[QWidget, str] = {}
        self._hidden: list[QWidget] = []
        self.act_lock: QAction | None = None
        self.act_backup: QAction | None = None
        self.act_audit: QAction | None = None
        self.act_encrypt: QAction | None = None
        self.started = False
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.lock)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)

    def about_to_quit(self) -> None:
        backup_on_close(self.window)

    # ------------------------------------------------------------------ idle

    @property
    def ctx(self) -> AppContext | None:
        return self.window.ctx

    def idle_ms(self) -> int:
        ctx = self.ctx
        return max(1, ctx.settings.lock_after_minutes if ctx is not None else 10) * 60_000

    def restart_timer(self) -> None:
        if self.ctx is None or self.locked:
            return
        self.timer.start(self.idle_ms())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if self.locked and isValid(self.window) and self.window.isVisible():
            if kind in _BLOCKED_WHEN_LOCKED and not self._inside_cover(watched):
                return True  # nothing behind the lock screen gets input
            window = watched if isinstance(watched, QWidget) and watched.isWindow() else None
            if kind == QEvent.Type.WindowTitleChange and window is not None and window.windowTitle() != LOCKED_TITLE:
                # Something set a title (a patient's name, say) while locked: remember it, show the lock's.
                self._titles[window] = window.windowTitle()
                QTimer.singleShot(0, lambda w=window: w.setWindowTitle(LOCKED_TITLE) if self.locked else None)
            if kind == QEvent.Type.Show and window is not None:
                QTimer.singleShot(0, self._cover_all)  # a window that opens while locked is covered too
            if kind == QEvent.Type.Resize and window is not None and window in self._covers:
                self._covers[window].setGeometry(window.rect())
            return False
        busy = self.timer.isActive() and self.timer.remainingTime() >= self.timer.interval() - 1000
        if kind in _INPUT_EVENTS and self.ctx is not None and not busy:
            self.restart_timer()  # at most once a second, however fast the mouse moves
        return False

    def _inside_cover(self, obj: QObject | None) -> bool:
        while obj is not None:
            if isinstance(obj, LockScreen):
                return True
            obj = obj.parent()
        return False

    # ------------------------------------------------------------------ lock

    def needs_passphrase(self) -> bool:
        ctx = self.ctx
        return ctx is not None and ctx.key is not None

    def lock(self) -> None:
        if self.locked or self.ctx is None:
            return
        self.locked = True
        self.timer.stop()
        w = self.window
        self._hidden = [x for x in (w.centralWidget(), w.statusBar(), w.menuBar()) if x is not None and x.isVisible()]
        for x in self._hidden:
            x.hide()
        popup = QApplication.activePopupWidget()
        if popup is not None:
            popup.close()
        self._cover_all()
        log.info("app locked")
        self.locked_changed.emit(True)

    def _cover_all(self) -> None:
        if not self.locked or not isValid(self.window) or not self.window.isVisible():
            return  # a closed window's lock covers nothing
        self._covers = {w: c for w, c in self._covers.items() if isValid(w) and isValid(c)}
        for top in QApplication.topLevelWidgets():
            if not top.isVisible() or top in self._covers or isinstance(top, QMenu):
                continue
            cover = LockScreen(top, self.needs_passphrase())
            cover.unlock_requested.connect(self.try_unlock)
            cover.show()
            cover.raise_()
            self._covers[top] = cover
            self._titles[top] = top.windowTitle()
            top.setWindowTitle(LOCKED_TITLE)
        front = QApplication.activeModalWidget() or self.window
        target = self._covers.get(front) or next(iter(self._covers.values()), None)
        if target is not None:
            target.passphrase.setFocus() if target.passphrase.isVisible() else target.button.setFocus()

    def try_unlock(self, passphrase: str) -> bool:
        ctx = self.ctx
        if ctx is None or not self.locked:
            return False
        if ctx.key is not None and not self._matches(ctx, passphrase):
            self.failures += 1
            log.warning("unlock failed (%d in a row)", self.failures)
            ctx.audit.try_record("unlock.failed", "app", "", {"attempt": self.failures, "where": "lock screen"})
            for cover in self._covers.values():
                cover.wrong("That passphrase is not right. Try again.")
            return False
        self.unlock()
        return True

    @staticmethod
    def _matches(ctx: AppContext, passphrase: str) -> bool:
        from trdplanner.core.crypto import derive_key

        key = ctx.key
        if key is None or not passphrase:
            return key is None
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            candidate = derive_key(passphrase, key.salt)
        finally:
            QApplication.restoreOverrideCursor()
        return hmac.compare_digest(candidate.key, key.key)

    def unlock(self) -> None:
        self.locked = False
        self.failures = 0
        for top, cover in list(self._covers.items()):
            if isValid(cover):
                cover.hide()
                cover.deleteLater()
            title = self._titles.get(top)
            if title is not None and isValid(top):
                top.setWindowTitle(title)
        self._covers.clear()
        self._titles.clear()
        for x in self._hidden:
            x.show()
        self._hidden = []
        log.info("app unlocked")
        self.locked_changed.emit(False)
        self.restart_timer()


# ---------------------------------------------------------------------------------- hooks


def _menu_after_file(window: MainWindow) -> QMenu:
    """A "Data safety" submenu in the File menu, just above Quit."""
    file_menu = window.menuBar().actions()[0].menu()
    assert isinstance(file_menu, QMenu)
    menu = QMenu("Data &safety", window)
    menu.setToolTipsVisible(True)
    file_menu.insertMenu(window.act_quit, menu)
    file_menu.insertSeparator(window.act_quit)
    return menu


def _add(window: MainWindow, menu: QMenu, text: str, slot: Any, tip: str, shortcut: str | None = None) -> QAction:
    action = QAction(text, window)
    if shortcut:
        action.setShortcut(QKeySequence(shortcut))
    action.setToolTip(tip)
    action.setStatusTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    window.addAction(action)
    menu.addAction(action)
    return action


def install(window: MainWindow) -> AppLock:
    """The main window's data-safety hook. Returns the lock (tests drive it)."""
    lock = AppLock(window)
    window.app_lock = lock  # type: ignore[attr-defined]
    menu = _menu_after_file(window)
    lock.act_lock = _add(window, menu, "&Lock now", lock.lock, "Hide every patient detail until the passphrase "
                         "is entered", "Ctrl+L")
    lock.act_backup = _add(window, menu, "&Back up now", lambda: backup_now(window),
                           "Write a verified, encrypted copy of the database to the backups folder")
    lock.act_audit = _add(window, menu, "&Audit trail…", lambda: show_audit(window),
                          "Who did what and when; check that nobody altered the record")
    lock.act_encrypt = _add(window, menu, "&Encrypt the database…", lambda: encrypt_database(window),
                            "Protect an unencrypted database with a passphrase")
    menu.aboutToShow.connect(lambda: _update_menu(lock))
    _update_menu(lock)

    window.patient_changed.connect(lambda pid: _record_open(window, pid))
    window.patients_loaded.connect(lambda: _first_load(window, lock))
    app = QApplication.instance()
    if app is not None:
        app.aboutToQuit.connect(lock.about_to_quit)  # a method: disconnected when the window goes
    return lock


def _update_menu(lock: AppLock) -> None:
    ctx = lock.ctx
    sqlite = ctx is not None and ctx.db_url.startswith("sqlite")
    for action, on in ((lock.act_lock, ctx is not None), (lock.act_audit, ctx is not None),
                       (lock.act_backup, sqlite)):
        if action is not None:
            action.setEnabled(on)
    if lock.act_encrypt is not None:
        lock.act_encrypt.setVisible(sqlite and ctx is not None and ctx.key is None)
        lock.act_encrypt.setEnabled(ctx is not None and not ctx.read_only)
    if lock.act_backup is not None and ctx is not None and ctx.read_only:
        lock.act_backup.setText("&Back up to another folder…")
        lock.act_backup.setStatusTip("The data folder is read-only: write a verified copy to a file you choose")


def _record_open(window: MainWindow, patient_id: int) -> None:
    if window.ctx is not None:
        window.ctx.audit.try_record("patient.open", "patient", patient_id)


def _first_load(window: MainWindow, lock: AppLock) -> None:
    if lock.started or window.ctx is None:
        return
    lock.started = True
    _update_menu(lock)
    lock.restart_timer()
    ctx = window.ctx
    if ctx.db_url.startswith("sqlite") and ctx.key is None and not ctx.read_only:
        window.statusBar().showMessage("This database is not encrypted: File ▸ Data safety ▸ Encrypt the database…",
                                       15000)
    from trdplanner.gui.tasks import run_in_background

    def daily() -> object:
        from trdplanner.core.backup import backup_if_due

        return backup_if_due(ctx.db, ctx.paths.backups_dir, ctx.settings.backups_to_keep)

    def failed(exc: BaseException) -> None:
        log.error("daily backup failed: %s", type(exc).__name__)
        if isValid(window):  # the window may have closed while the backup ran
            window.statusBar().showMessage("The daily backup could not be written; see File ▸ Data safety", 15000)

    if ctx.db_url.startswith("sqlite"):
        run_in_background(daily, lambda _info: None, failed)


def backup_on_close(window: MainWindow) -> None:
    ctx = window.ctx
    if ctx is None or not ctx.db_url.startswith("sqlite") or "db" not in ctx.__dict__ or ctx.read_only:
        return
    from trdplanner.core.backup import rolling_backup

    try:
        rolling_backup(ctx.db, ctx.paths.backups_dir, ctx.settings.backups_to_keep, reason="close")
    except Exception as exc:  # quitting must never fail; the log says why
        log.error("backup on close failed: %s", type(exc).__name__)


def backup_now(window: MainWindow) -> None:
    ctx = window.ctx
    if ctx is None:
        return
    from trdplanner.core.backup import backup_database, rolling_backup
    from trdplanner.gui.dialogs import show_error

    try:
        if ctx.read_only:  # the backups folder is in the read-only data folder: a file elsewhere
            from trdplanner.gui.read_only import ask_backup_file

            target = ask_backup_file(window, ctx.paths.data_dir)
            if target is None:
                return
            info = backup_database(ctx.db, target)
        else:
            info = rolling_backup(ctx.db, ctx.paths.backups_dir, ctx.settings.backups_to_keep, reason="manual")
    except Exception as exc:
        show_error(window, "The backup could not be written", exc)
        return
    window.statusBar().showMessage(f"Backup written and checked: {info.path.name}", 8000)


def show_audit(window: MainWindow) -> None:
    if window.ctx is None:
        return
    from trdplanner.gui.audit_dialog import AuditDialog

    AuditDialog(window.ctx.audit, window).exec()


def encrypt_database(window: MainWindow) -> None:
    """Encrypt a plain database in place; the app then closes, to be opened with the passphrase."""
    ctx = window.ctx
    if ctx is None or ctx.key is not None or not ctx.db_url.startswith("sqlite"):
        return
    from PySide6.QtWidgets import QMessageBox

    from trdplanner.core.rekey import encrypt_in_place
    from trdplanner.gui.dialogs import confirm, show_error
    from trdplanner.gui.passphrase import PassphraseDialog

    if not confirm(window, "Encrypt the database",
                   "Encrypt this practice's database with a passphrase? TRD Planner closes afterwards; open it "
                   "again and enter the passphrase. Without the passphrase nobody can open the records, you included.",
                   "Choose a passphrase…"):
        return
    dialog = PassphraseDialog(True, str(ctx.paths.data_dir), "", window)
    if not dialog.exec():
        return
    ctx.close()
    try:
        info = encrypt_in_place(ctx.paths.database_file, dialog.value(), backups_dir=ctx.paths.backups_dir)
    except Exception as exc:
        show_error(window, "The database could not be encrypted", exc)
        return
    extra = f"\n\n{len(info.plain_copies)} unencrypted copies remain in the data folder." if info.plain_copies else ""
    QMessageBox.information(window, "Database encrypted",
                            f"The database is encrypted ({info.rows} rows verified). TRD Planner will now close."
                            + extra)
    window.ctx = None
    QApplication.quit()
