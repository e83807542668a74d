"""The Notes tab of the patient workspace, and the note editor it shares with the Sessions tab."""

from trdplanner.gui.notes.editor import NoteEditor
from trdplanner.gui.notes.tab import NotesTab

__all__ = ["NoteEditor", "NotesTab"]
