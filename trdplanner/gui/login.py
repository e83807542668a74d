"""The login asked at start for a group practice on PostgreSQL.

Shown only when the server wants a password and neither the database URL, $PGPASSWORD nor
~/.pgpass supplied one (libpq looks in those first). The password goes to the driver for
this run only: it is never written to the URL, the settings, a log or the disk.
"""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QVBoxLayout, QWidget


def needs_login(exc: BaseException) -> bool:
    """True when opening failed because the server wants a password it was not given (or refused it)."""
    text = str(exc)
    return "no password supplied" in text or "password authentication failed" in text


class LoginDialog(QDialog):
    def __init__(self, server: str, login: str, message: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Log in to the practice database")
        intro = QLabel(f"Log in to the practice's database on <b>{server}</b> with your own login. "
                       "Your password is not stored.")
        intro.setWordWrap(True)
        self.login = QLineEdit(login)
        self.login.setAccessibleName("Login")
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Password")
        form = QFormLayout()
        form.addRow("&Login", self.login)
        form.addRow("&Password", self.password)
        self.message = QLabel(message)
        self.message.setWordWrap(True)
        self.message.setProperty("role", "error")
        self.message.setVisible(bool(message))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Log in")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        (self.password if login else self.login).setFocus()
        self.setMinimumWidth(420)

    def value(self) -> tuple[str, str]:
        return self.login.text().strip(), self.password.text()
