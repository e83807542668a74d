"""Tables and trees that fit their width: columns shrink (text elides, tooltips keep it whole)
rather than the list growing a sideways scroll bar a laptop user has to drag."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QTreeView

MIN_COLUMN = 36


class ColumnFitter(QObject):
    """Sizes the columns of ``view`` to their contents, then scales them down to the view's width.

    ``stretch`` is the column that takes any room left over (usually the longest text).
    """

    def __init__(self, view: QAbstractItemView, stretch: int | None = None) -> None:
        super().__init__(view)
        self.view = view
        self.stretch = stretch
        view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self._header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        view.viewport().installEventFilter(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.fit)
        model = view.model()
        if model is not None:
            for signal in (model.modelReset, model.rowsInserted, model.rowsRemoved, model.dataChanged,
                           model.layoutChanged):
                signal.connect(self._timer.start)

    def _header(self) -> QHeaderView:
        if isinstance(self.view, QTableView):
            return self.view.horizontalHeader()
        assert isinstance(self.view, QTreeView)
        return self.view.header()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if event.type() in (QEvent.Type.Resize, QEvent.Type.Show):
            self._timer.start()
        return False

    def fit(self) -> None:
        header = self._header()
        columns = [c for c in range(header.count()) if not header.isSectionHidden(c)]
        if not columns:
            return
        room = self.view.viewport().width()
        if room <= 0:
            return
        wanted = {}
        for c in columns:
            content = self.view.sizeHintForColumn(c)
            wanted[c] = max(MIN_COLUMN, content + 12, header.sectionSizeHint(c))
        total = sum(wanted.values())
        if total > room:
            # Too wide: every column gives up the same share, none below a readable minimum.
            scale = room / total
            widths = {c: max(MIN_COLUMN, int(w * scale)) for c, w in wanted.items()}
            over = sum(widths.values()) - room
            for c in sorted(widths, key=lambda k: widths[k], reverse=True):
                if over <= 0:
                    break
                give = min(over, widths[c] - MIN_COLUMN)
                widths[c] -= give
                over -= give
        else:
            widths = dict(wanted)
            extra_col = self.stretch if self.stretch in widths else columns[-1]
            widths[extra_col] += room - total
        for c, w in widths.items():
            header.resizeSection(c, w)


def fit_columns(view: QAbstractItemView, stretch: int | None = None) -> ColumnFitter:
    fitter = ColumnFitter(view, stretch)
    fitter.fit()
    return fitter
