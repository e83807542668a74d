"""The Help menu's three windows: keyboard shortcuts, where the data is, and About."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import QMessageBox, QWidget

from trdplanner import __version__

if TYPE_CHECKING:
    from trdplanner.paths import AppPaths


def show_shortcuts(parent: QWidget) -> None:
    """Every keyboard shortcut in one list (F1)."""
    rows = [("Ctrl+N", "New patient"), ("Ctrl+F", "Find patient"), ("Enter", "Open the selected patient"),
            ("F6 / Shift+F6", "Next / previous pane: patient list, workspace, session pages"),
            ("Tab / Shift+Tab", "Next / previous field"), ("Ctrl+Shift+L", "Show or fold away the patient list"),
            ("Ctrl+G", "Groups: members, meetings, attendance and each member's note"),
            ("Ctrl+1 … Ctrl+8", "Overview, Profile, Treatment history, Measures, Treatment plan, Sessions, "
             "Notes, Timeline"), ("Ctrl+PgUp / Ctrl+PgDown", "Previous / next tab"),
            ("Ctrl+Shift+N", "New session (Sessions tab)"),
            ("Alt+1 … Alt+4", "Session pages: Plan, Forms, Homework, Note & sign"),
            ("Ctrl+Shift+S", "Sign the progress note (asks first)"), ("Ctrl+S", "Save"),
            ("Ctrl+P", "Print"), ("Ctrl+L", "Lock the app now"),
            ("Ctrl+Z / Ctrl+Shift+Z", "Undo / redo in a text field"),
            ("Alt+Down or F4 in a date", "Open the calendar"),
            ("Ctrl+,", "Preferences"), ("F5", "Refresh the patient list"),
            ("0–4 on a measure item", "Score it and move to the next item"), ("Ctrl+Q", "Quit")]
    html = "<table cellspacing=6>" + "".join(f"<tr><td><b>{k}</b></td><td>{v}</td></tr>" for k, v in rows)
    QMessageBox.information(parent, "Keyboard shortcuts", html + "</table>")


def show_data_folder(parent: QWidget, p: AppPaths, db_url: str) -> None:
    """Where the database, settings and logs are (Help > Where is my data?)."""
    db = str(p.database_file) if db_url.startswith("sqlite") else "a database server"
    QMessageBox.information(
        parent, "Where your data is",
        f"<p>Everything TRD Planner writes is in one folder:</p><p><code>{esc(str(p.data_dir))}</code></p>"
        f"<p>Database: <code>{esc(db)}</code><br>"
        f"Logs: <code>{esc(str(p.logs_dir))}</code> (they hold ids and counts, never patient details)</p>",
    )

def show_about(parent: QWidget) -> None:
    QMessageBox.about(
        parent, "About TRD Planner",
        f"<b>TRD Planner {__version__}</b><p>Session planning, measures and notes for therapists treating "
        "treatment-resistant depression.</p><p>Free software under the GNU GPL, version 3 or later.</p>",
    )


def esc(text: str) -> str:
    """Plain text made safe to show inside Qt rich text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
