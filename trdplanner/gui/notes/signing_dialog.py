"""Asking for a clinician's signing password before anything is signed.

The first time a clinician signs, there is no key yet: the dialog asks them to choose a
signing password (twice) and creates their key with it. The password never leaves the
service call; nothing here stores it.
"""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from trdplanner.core.errors import InputError
from trdplanner.core.records import ClinicianRec
from trdplanner.core.signing import SigningService, short
from trdplanner.gui.dialogs import show_error


def _ask(parent: QWidget, title: str, label: str) -> str | None:
    text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Password)
    return text if ok and text else None


def signing_password(parent: QWidget, signing: SigningService, clinician: ClinicianRec, what: str) -> str | None:
    """The clinician's signing password, or None if they cancelled (nothing is signed then)."""
    assert clinician.id is not None
    key = signing.active_key(clinician.id)
    if key is None:
        first = _ask(
            parent,
            "Create your signing key",
            f"{clinician.display} has no signing key yet.\n\nChoose a signing password (at least 8 characters). "
            "It is yours alone, separate from the database passphrase; nobody can sign as you without it, "
            "and it cannot be recovered if forgotten.",
        )
        if first is None:
            return None
        if _ask(parent, "Create your signing key", "Type the signing password again:") != first:
            show_error(parent, "Signing key not created", InputError("signing password", "the two entries differ"))
            return None
        try:
            key = signing.create_key(clinician.id, first)
        except Exception as exc:
            show_error(parent, "Signing key not created", exc)
            return None
        QMessageBox.information(parent, "Signing key created", f"Your key's fingerprint is {short(key.fingerprint)}.")
        return first
    return _ask(
        parent,
        what,
        f"{what} as {clinician.display} (key {short(key.fingerprint)}).\n\nA signed note is locked; anything "
        "added later goes in an addendum, signed and dated separately.\n\nSigning password:",
    )
