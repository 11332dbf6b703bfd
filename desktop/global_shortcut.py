"""A global shortcut that summons or hides the window (Ctrl+Alt+Space by default), where the platform allows one.

pynput listens on its own thread (X11 through XRecord, Windows and macOS through their hooks); its callback only
emits a Qt signal, delivered queued to the GUI thread: no widget is touched from the listener thread. Wayland
lets no application see keys of other windows, so there the app says so and how to bind a key to the
`offline-assistant` command in the desktop's own settings (a second start raises the open window:
desktop/single_instance.py).

    shortcut = GlobalShortcut(pynput_listener, parent=window)
    shortcut.triggered.connect(window.toggle_from_shortcut, Qt.ConnectionType.QueuedConnection)
    problem = shortcut.apply(LauncherSettings())   # None: listening; else why not, in the current language
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal

from core.errors import ConfigError

DEFAULT_SHORTCUT = "Ctrl+Alt+Space"
STARTUP_CHECK_MS = 1500  # a listener thread that died within this (no X server, refused hook) is reported
# Human key names (lower case) -> pynput's. Modifiers first; Super is the Windows / Command key.
MODIFIERS = {"ctrl": "<ctrl>", "control": "<ctrl>", "alt": "<alt>", "option": "<alt>", "shift": "<shift>",
             "super": "<cmd>", "meta": "<cmd>", "win": "<cmd>", "cmd": "<cmd>"}
MODIFIER_NAMES = {"<ctrl>": "Ctrl", "<alt>": "Alt", "<shift>": "Shift", "<cmd>": "Super"}
NAMED_KEYS = {"space": "Space", "tab": "Tab", "enter": "Enter", "return": "Enter", "home": "Home", "end": "End",
              "insert": "Insert", "delete": "Delete", "page_up": "Page_Up", "pageup": "Page_Up",
              "page_down": "Page_Down", "pagedown": "Page_Down", "up": "Up", "down": "Down", "left": "Left",
              "right": "Right", **{f"f{n}": f"F{n}" for n in range(1, 21)}}
PYNPUT_NAMES = {"Enter": "enter", "Page_Up": "page_up", "Page_Down": "page_down"}


def _text(key: str) -> str:
    """The shortcut's texts in the current language (each a literal call, so that lupdate finds it)."""
    translate = QCoreApplication.translate
    texts = {
        "empty": translate("Shortcut", "Type a shortcut such as Ctrl+Alt+Space (names joined by +), found “{text}”."),
        "twice": translate("Shortcut", "“{part}” appears twice in “{text}”."),
        "unknown": translate("Shortcut", "“{part}” is not a key name. Use Ctrl, Alt, Shift or Super with one letter, "
                             "digit, F1–F20, Space, Tab, Enter, Home, End, Insert, Delete, Page_Up, Page_Down or an "
                             "arrow (Up, Down, Left, Right)."),
        "keys": translate("Shortcut", "A shortcut has exactly one key besides Ctrl, Alt, Shift and Super; “{text}” "
                          "has {count}."),
        "modifier": translate("Shortcut", "A global shortcut needs Ctrl, Alt or Super (without them it would take a "
                              "key from every program), as in Ctrl+Alt+Space; found “{text}”."),
        "no_listener": translate("Shortcut", "This build cannot set a global shortcut itself."),
        "wayland": translate("Shortcut", "Wayland does not let an application set a global shortcut."),
        "no_display": translate("Shortcut", "No X display was found, so no global shortcut can be set."),
        "not_started": translate("Shortcut", "The global shortcut could not be started ({error})."),
        "died": translate("Shortcut", "The global shortcut stopped right after it started (the system refused it)."),
    }
    return texts[key]


@dataclass(frozen=True)
class Hotkey:
    display: str  # canonical human form, as Settings shows it: "Ctrl+Alt+Space"
    pynput: str  # the same combination in pynput's syntax: "<ctrl>+<alt>+<space>"


def parse_shortcut(text: str) -> Hotkey:
    """A key combination typed in Settings ("ctrl+alt+space", "Super+F12"), checked: at least one of Ctrl, Alt or
    Super (Shift alone would take a letter from every program), and exactly one other key: a letter, a digit,
    F1-F20, Space, Tab, Enter, Home, End, Insert, Delete, Page_Up, Page_Down or an arrow. Raises ConfigError
    saying what is wrong and what would do, in the current language."""
    parts = [part.strip() for part in text.split("+")]
    if not text.strip() or any(not part for part in parts):
        raise ConfigError(_text("empty").format(text=text))
    modifiers: list[str] = []
    keys: list[tuple[str, str]] = []  # (display, pynput)
    for part in parts:
        low = part.lower()
        if low in MODIFIERS:
            modifier = MODIFIERS[low]
            if modifier in modifiers:
                raise ConfigError(_text("twice").format(part=part, text=text))
            modifiers.append(modifier)
        elif len(low) == 1 and (low.isascii() and low.isalnum()):
            keys.append((low.upper(), low))
        elif low in NAMED_KEYS:
            name = NAMED_KEYS[low]
            keys.append((name, f"<{PYNPUT_NAMES.get(name, name.lower())}>"))
        else:
            raise ConfigError(_text("unknown").format(part=part))
    if len(keys) != 1:
        raise ConfigError(_text("keys").format(text=text, count=len(keys)))
    if not set(modifiers) - {"<shift>"}:
        raise ConfigError(_text("modifier").format(text=text))
    ordered = [m for m in MODIFIER_NAMES if m in modifiers]  # one spelling per combination: Ctrl, Alt, Shift, Super
    display = "+".join([*(MODIFIER_NAMES[m] for m in ordered), keys[0][0]])
    return Hotkey(display, "+".join([*ordered, keys[0][1]]))


@dataclass(frozen=True)
class LauncherSettings:
    """How the window behaves as a launcher (kept in the window's own settings file, window.ini)."""

    shortcut_enabled: bool = True  # listen for `shortcut` where the platform allows it
    shortcut: str = DEFAULT_SHORTCUT  # human form, checked by parse_shortcut
    hide_on_focus_loss: bool = False  # put the window away when another program takes the focus

    def __post_init__(self) -> None:
        parse_shortcut(self.shortcut)  # a bad combination never gets this far (Settings refuses it first)


def unsupported_reason(environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> str | None:
    """Why no global shortcut can be listened for here ("wayland", "no_display"), or None. XWayland counts as
    Wayland: an X client there sees the keys of X windows only."""
    if not platform.startswith("linux"):
        return None
    if environ.get("XDG_SESSION_TYPE", "").lower() == "wayland" or (
            environ.get("WAYLAND_DISPLAY") and not environ.get("DISPLAY")):
        return "wayland"
    return None if environ.get("DISPLAY") else "no_display"


class Listener(Protocol):
    """What GlobalShortcut needs of a listener (pynput's GlobalHotKeys is one; tests pass a fake)."""

    def start(self) -> None: ...

    def stop(self) -> None: ...

    def is_alive(self) -> bool: ...


# (pynput hotkey, callback run on the listener's thread) -> a listener not yet started.
ListenerFactory = Callable[[str, Callable[[], None]], Listener]


def pynput_listener(hotkey: str, callback: Callable[[], None]) -> Listener:
    """pynput's hotkey listener (imported here: on Linux the import itself fails without an X server)."""
    from pynput import keyboard

    listener: Listener = keyboard.GlobalHotKeys({hotkey: callback})
    return listener


class GlobalShortcut(QObject):
    """Listens for the launcher shortcut off the GUI thread; `triggered` is emitted from the listener's thread,
    so connect it queued (or to a QObject's slot, which Qt queues across threads)."""

    triggered = Signal()
    failed = Signal(str)  # the listener stopped soon after starting (why, in the current language)

    def __init__(self, factory: ListenerFactory | None = None, parent: QObject | None = None,
                 environ: Mapping[str, str] = os.environ, platform: str = sys.platform) -> None:
        super().__init__(parent)
        self.factory = factory  # None: this window sets no shortcut (embedding hosts, tests)
        self.environ, self.platform = environ, platform
        self.listener: Listener | None = None
        self.problem: str | None = None  # why it is not listening, in the current language
        self.check_timer = QTimer(self)
        self.check_timer.setSingleShot(True)
        self.check_timer.setInterval(STARTUP_CHECK_MS)
        self.check_timer.timeout.connect(self._check_started)

    @property
    def available(self) -> bool:
        """Whether this platform and build can listen at all (Settings offers the key only then)."""
        return self.factory is not None and unsupported_reason(self.environ, self.platform) is None

    def apply(self, settings: LauncherSettings) -> str | None:
        """Listen for `settings.shortcut` (after stopping any earlier listener); None when listening or switched
        off, else why not (also kept in `problem`)."""
        self.stop()
        self.problem = None
        if not settings.shortcut_enabled:
            return None
        reason = unsupported_reason(self.environ, self.platform)
        if self.factory is None:
            self.problem = _text("no_listener")
        elif reason == "wayland":
            self.problem = _text("wayland")
        elif reason == "no_display":
            self.problem = _text("no_display")
        else:
            try:
                self.listener = self.factory(parse_shortcut(settings.shortcut).pynput, self.triggered.emit)
                self.listener.start()
            except Exception as exc:  # an import or hook failure: the app goes on without the shortcut
                self.listener = None
                self.problem = _text("not_started").format(error=f"{type(exc).__name__}: {exc}"[:200])
            else:
                self.check_timer.start()
        return self.problem

    def _check_started(self) -> None:
        """pynput reports a failed start (an X server that refuses XRecord) only by its thread ending."""
        if self.listener is not None and not self.listener.is_alive():
            self.listener = None
            self.problem = _text("died")
            self.failed.emit(self.problem)

    def stop(self) -> None:
        self.check_timer.stop()
        if self.listener is not None:
            self.listener.stop()
            self.listener = None
