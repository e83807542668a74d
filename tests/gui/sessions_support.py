"""Shared set-up for the session, note, form and preview tests (not a test module)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QDialog, QMessageBox

from trdplanner.context import AppContext
from trdplanner.core.demo import create_demo

TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def ctx(data_dir: Path) -> Iterator[AppContext]:
    c = AppContext.open(str(data_dir))
    create_demo(c, today=TODAY)
    c.settings = dataclasses.replace(c.settings, autosave_seconds=1)
    yield c
    c.close()


class Dialogs:
    """Every message box the code under test opened, instead of blocking on it."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str, str]] = []

    def texts(self) -> list[str]:
        return [f"{t}: {x} {i}" for t, x, i in self.shown]


@pytest.fixture
def dialogs(monkeypatch: pytest.MonkeyPatch) -> Dialogs:
    record = Dialogs()

    def fake_exec(box: QMessageBox) -> int:
        record.shown.append((box.windowTitle(), box.text(), box.informativeText()))
        return QDialog.DialogCode.Rejected.value

    monkeypatch.setattr(QMessageBox, "exec", fake_exec)
    return record


def say_yes(monkeypatch: pytest.MonkeyPatch, *modules: str) -> list[str]:
    """Answer every confirmation in ``modules`` with yes; returns the questions asked."""
    asked: list[str] = []

    def yes(_parent: object, title: str, question: str, action: str) -> bool:
        asked.append(f"{title}: {question}")
        return True

    for module in modules:
        monkeypatch.setattr(f"{module}.confirm", yes)
    return asked


def sample_pdf(pages: int = 2, text: str = "Sample page") -> bytes:
    """A small PDF made with reportlab directly (for preview tests that need no export)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen.canvas import Canvas

    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4)
    for n in range(pages):
        canvas.drawString(72, 770, f"{text} {n + 1}")
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def pdf_pages(data: bytes) -> list[str]:
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages]
