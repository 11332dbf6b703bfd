"""Light and dark appearance applied as a Fusion palette, so that it works with no desktop environment too.

Qt's colour-scheme hint (`QStyleHints.setColorScheme`) only asks the platform theme; on X11 without a desktop
environment (and in the packaged app) nothing answers it and the window stays light. An explicit palette
always applies.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

from desktop.style import MUTED

APPEARANCES = ("system", "light", "dark")


def dark_palette() -> QPalette:
    """A Fusion dark palette: light text on dark grey, a blue highlight and links readable on the dark base."""
    palette = QPalette()
    role, group = QPalette.ColorRole, QPalette.ColorGroup
    colours = {role.Window: "#2b2b2b", role.WindowText: "#e6e6e6", role.Base: "#1f1f1f",
               role.AlternateBase: "#2f2f2f", role.ToolTipBase: "#3a3a3a", role.ToolTipText: "#e6e6e6",
               role.PlaceholderText: MUTED, role.Text: "#e6e6e6", role.Button: "#353535",
               role.ButtonText: "#e6e6e6", role.BrightText: "#ff6b6b", role.Link: "#6cb4ff",
               role.LinkVisited: "#b48cff", role.Highlight: "#3d7bd9", role.HighlightedText: "#ffffff",
               role.Light: "#4a4a4a", role.Midlight: "#3f3f3f", role.Mid: "#2a2a2a", role.Dark: "#1a1a1a",
               role.Shadow: "#000000"}
    for colour_role, value in colours.items():
        palette.setColor(colour_role, QColor(value))
    for disabled in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(group.Disabled, disabled, QColor("#7a7a7a"))
    return palette


def apply_appearance(appearance: str) -> None:
    """"dark" or "light": that palette; "system": the style's own palette, following the desktop where it says."""
    app = QGuiApplication.instance()
    if not isinstance(app, QApplication):
        return
    schemes = {"light": Qt.ColorScheme.Light, "dark": Qt.ColorScheme.Dark, "system": Qt.ColorScheme.Unknown}
    app.styleHints().setColorScheme(schemes.get(appearance, Qt.ColorScheme.Unknown))
    app.setPalette(dark_palette() if appearance == "dark" else app.style().standardPalette())
