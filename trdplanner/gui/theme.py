"""Look and feel: the Fusion style on the system's light or dark palette, status colours, icons.

Icons are small SVG line drawings in ``resources/icons``. Their strokes use
``currentColor``, which is replaced by the palette's text colour and rendered at every
size and device-pixel ratio asked for, so they stay crisp on high-DPI screens and
readable in dark mode. Status colours come in a light and a dark variant.
"""

from __future__ import annotations

import os
from contextlib import suppress
from functools import cache

from PySide6.QtCore import QByteArray, QObject, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QIconEngine, QImage, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QFocusFrame, QWidget

from trdplanner.paths import resources_dir

# name -> (light, dark)
_COLOURS: dict[str, tuple[str, str]] = {
    "danger": ("#b3261e", "#f2b8b5"),
    "danger_bg": ("#fbe9e7", "#4a1f1c"),
    "warning": ("#8a5a00", "#f5c97a"),
    "warning_bg": ("#fff4dc", "#45360f"),
    "ok": ("#1e6b3a", "#9ad3a9"),
    "ok_bg": ("#e6f4ea", "#173b24"),
    "accent": ("#2f6f8f", "#8cc4e0"),
    "muted": ("#5f6368", "#a8adb3"),
    "accent_bg": ("#e8f1f6", "#1d3340"),
    "card": ("#ffffff", "#2b2d30"),
    "card_border": ("#d8dce0", "#45484d"),
    # A chosen answer: filled, bold and ticked, so it differs by more than colour.
    "selected_bg": ("#2f6f8f", "#8cc4e0"),
    "selected_text": ("#ffffff", "#10232d"),
    # The keyboard focus ring.
    "focus": ("#1565c0", "#ffd54f"),
}


def is_dark() -> bool:
    app = QGuiApplication.instance()
    if app is None:
        return False
    window = QGuiApplication.palette().color(QPalette.ColorRole.Window)
    return window.lightness() < 128


def colour(name: str) -> QColor:
    light, dark = _COLOURS[name]
    return QColor(dark if is_dark() else light)


def hex_colour(name: str) -> str:
    return colour(name).name()


THEME_ENV = "TRDPLANNER_THEME"  # light, dark, or unset to follow the system


def _system_scheme_dark(app: QApplication) -> bool:
    forced = os.environ.get(THEME_ENV, "").strip().lower()
    if forced in ("light", "dark"):
        return forced == "dark"
    try:
        return app.styleHints().colorScheme() == Qt.ColorScheme.Dark
    except AttributeError:  # Qt before 6.5 has no colour scheme hint
        return False


def _dark_palette() -> QPalette:
    p = QPalette()
    roles = QPalette.ColorRole
    base, window, text = QColor("#1f2023"), QColor("#2a2b2e"), QColor("#e6e6e6")
    for role, c in (
        (roles.Window, window),
        (roles.WindowText, text),
        (roles.Base, base),
        (roles.AlternateBase, QColor("#26272a")),
        (roles.ToolTipBase, QColor("#3a3b3f")),
        (roles.ToolTipText, text),
        (roles.Text, text),
        (roles.Button, QColor("#34363a")),
        (roles.ButtonText, text),
        (roles.BrightText, QColor("#ff6b6b")),
        (roles.Highlight, QColor("#336d91")),  # white on it reads at AA (4.5:1)
        (roles.HighlightedText, QColor("#ffffff")),
        (roles.Link, QColor("#8cc4e0")),
        (roles.PlaceholderText, QColor("#8a8d92")),
        (roles.Mid, QColor("#45484d")),
        (roles.Midlight, QColor("#3a3c40")),
        (roles.Dark, QColor("#17181a")),
    ):
        p.setColor(role, c)
    disabled = QPalette.ColorGroup.Disabled
    for role in (roles.Text, roles.ButtonText, roles.WindowText):
        p.setColor(disabled, role, QColor("#75787d"))
    return p


def _light_palette(app: QApplication) -> QPalette:
    p = app.style().standardPalette()
    p.setColor(QPalette.ColorRole.Highlight, QColor("#2f6f8f"))
    p.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    p.setColor(QPalette.ColorRole.ToolTipBase, QColor("#fdfdf6"))
    p.setColor(QPalette.ColorRole.ToolTipText, QColor("#202124"))
    p.setColor(QPalette.ColorRole.AlternateBase, QColor("#f5f7f9"))
    p.setColor(QPalette.ColorRole.PlaceholderText, QColor("#5f6368"))  # Fusion's half-black reads at 4:1 only
    return p


def apply_theme(app: QApplication) -> None:
    """Fusion on the system's light or dark scheme; follows the system when it switches."""
    app.setStyle("Fusion")
    app.setWindowIcon(app_icon())
    _apply_palette(app)
    install_focus_ring(app)
    with suppress(AttributeError):  # Qt before 6.5 has no colour scheme signal
        app.styleHints().colorSchemeChanged.connect(lambda _scheme: _apply_palette(app))


class _Notifier(QObject):
    changed = Signal()


#: Emitted after the palette switched between light and dark; views that bake colours into
#: rich text redraw themselves.
theme_changed = _Notifier()


def _apply_palette(app: QApplication) -> None:
    app.setPalette(_dark_palette() if _system_scheme_dark(app) else _light_palette(app))
    icon.cache_clear()
    app.setStyleSheet(stylesheet())
    theme_changed.changed.emit()


def stylesheet() -> str:
    return f"""
    QFrame#card {{
        background: {hex_colour("card")};
        border: 1px solid {hex_colour("card_border")};
        border-radius: 6px;
    }}
    QLabel[role="heading"] {{ font-weight: 600; }}
    QLabel[role="muted"] {{ color: {hex_colour("muted")}; }}
    QLabel[role="fieldError"] {{ color: {hex_colour("danger")}; }}
    QLabel[role="empty"] {{ color: {hex_colour("muted")}; }}
    QFrame#banner[level="danger"] {{
        background: {hex_colour("danger_bg")}; border: 1px solid {hex_colour("danger")}; border-radius: 6px;
    }}
    QFrame#banner[level="warning"] {{
        background: {hex_colour("warning_bg")}; border: 1px solid {hex_colour("warning")}; border-radius: 6px;
    }}
    QFrame#banner[level="ok"] {{
        background: {hex_colour("ok_bg")}; border: 1px solid {hex_colour("ok")}; border-radius: 6px;
    }}
    QLineEdit[invalid="true"], QPlainTextEdit[invalid="true"], QComboBox[invalid="true"] {{
        border: 1px solid {hex_colour("danger")}; border-radius: 3px;
    }}
    QTabWidget#workspace::pane {{ border-top: 1px solid {hex_colour("card_border")}; }}
    QFocusFrame {{ border: 2px solid {hex_colour("focus")}; border-radius: 3px; }}
    QAbstractItemView:focus, QPlainTextEdit:focus, QTextEdit:focus {{
        border: 2px solid {hex_colour("focus")};
    }}
    QTabBar::tab:focus {{ text-decoration: underline; }}
    """ + _form_rules()


def _form_rules() -> str:
    from trdplanner.gui.forms.style import rules

    return rules()


class _FocusRing(QObject):
    """One frame drawn around whichever widget has keyboard focus, in the theme's focus colour.

    Fusion's own focus hint is a faint outline that many people cannot see on buttons, tabs
    and search boxes; this ring is 2 px in a colour with at least 3:1 contrast in both schemes.
    """

    def __init__(self, app: QApplication) -> None:
        super().__init__(app)
        self._frame: QFocusFrame | None = None
        app.focusChanged.connect(self._moved)

    def _moved(self, _old: QWidget | None, new: QWidget | None) -> None:
        frame = self._frame
        try:
            if frame is not None:
                frame.setWidget(None)  # type: ignore[arg-type]  # Qt takes nullptr: detach
        except RuntimeError:  # the frame went with its window
            frame = None
        if new is None or new.isWindow() or not new.isVisible():
            return
        if isinstance(new, QAbstractScrollArea) or isinstance(new.parentWidget(), QAbstractScrollArea):
            return  # lists and text areas fill their space; the style sheet draws their ring inside
        if frame is None:
            frame = self._frame = QFocusFrame()
            frame.destroyed.connect(self._forget)
        frame.setWidget(new)

    def _forget(self, *_args: object) -> None:
        self._frame = None


def install_focus_ring(app: QApplication) -> None:
    if getattr(app, "_trd_focus_ring", None) is None:
        app._trd_focus_ring = _FocusRing(app)  # type: ignore[attr-defined]


def heading_font(scale: float = 1.3, weight: QFont.Weight = QFont.Weight.DemiBold) -> QFont:
    font = QFont(QGuiApplication.font())
    font.setPointSizeF(font.pointSizeF() * scale)
    font.setWeight(weight)
    return font


# --------------------------------------------------------------------------- icons


class _SvgIconEngine(QIconEngine):
    """Renders the SVG at exactly the requested size and scale, in the palette's colour."""

    def __init__(self, svg: bytes) -> None:
        super().__init__()
        self._svg = svg

    def _renderer(self, mode: QIcon.Mode):
        from PySide6.QtSvg import QSvgRenderer

        role = QPalette.ColorRole.Text
        group = QPalette.ColorGroup.Disabled if mode == QIcon.Mode.Disabled else QPalette.ColorGroup.Active
        c = QGuiApplication.palette().color(group, role)
        data = self._svg.replace(b"currentColor", c.name().encode())
        return QSvgRenderer(QByteArray(data))

    def paint(self, painter: QPainter, rect, mode: QIcon.Mode, state: QIcon.State) -> None:
        self._renderer(mode).render(painter, QRectF(rect))

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float) -> QPixmap:
        w, h = max(1, round(size.width() * scale)), max(1, round(size.height() * scale))
        image = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._renderer(mode).render(painter, QRectF(0, 0, w, h))
        painter.end()
        pm = QPixmap.fromImage(image)
        pm.setDevicePixelRatio(scale)
        return pm

    def clone(self) -> QIconEngine:
        return _SvgIconEngine(self._svg)


@cache
def icon(name: str) -> QIcon:
    path = resources_dir() / "icons" / f"{name}.svg"
    if not path.is_file():
        return QIcon()
    return QIcon(_SvgIconEngine(path.read_bytes()))


def app_icon() -> QIcon:
    path = resources_dir() / "icons" / "app.svg"
    return QIcon(_SvgIconEngine(path.read_bytes())) if path.is_file() else QIcon()
