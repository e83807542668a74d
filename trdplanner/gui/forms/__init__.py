"""Forms generated from template definitions: one editor per field type, tables included."""

from trdplanner.gui.forms.fields import Editor, make_editor
from trdplanner.gui.forms.form import TemplateForm
from trdplanner.gui.forms.table import TableEditor

__all__ = ["Editor", "TableEditor", "TemplateForm", "make_editor"]
