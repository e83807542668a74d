"""One section of a progress note in the editor: its title, the format's prompt, and the text."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from trdplanner.gui.forms.fields import PlainText, hint_label


class SectionBox(QWidget):
    """A titled, growing text box for one note section (the editor saves what it holds)."""

    def __init__(self, section_id: str, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.section_id = section_id
        self.title = title
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 8)
        layout.setSpacing(3)
        self.label = QLabel(title)
        self.label.setProperty("role", "fieldlabel")
        layout.addWidget(self.label)
        if prompt:
            layout.addWidget(hint_label(prompt.strip()))
        self.edit = PlainText(6)
        self.edit.setAccessibleName(title)
        self.edit.setToolTip(f"{title}. Ctrl+Z undoes, Ctrl+Shift+Z redoes; drafts save automatically.")
        self.edit.setMinimumHeight(self.edit.height())
        self.edit.setMaximumHeight(16777215)
        self.label.setBuddy(self.edit)
        layout.addWidget(self.edit)

    def text(self) -> str:
        return self.edit.toPlainText()
