"""The global shortcut: the combination is checked with a clear message, a listener's trigger (on its own thread)
toggles the window through a queued signal, and where no shortcut can be set the app goes on and says why.
No real global listener is started here: a fake one is injected."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt, QThread
from PySide6.QtWidgets import QApplication, QWidget

from core.errors import ConfigError
from core.settings import Settings
from desktop.dialogs import SettingsDialog
from desktop.global_shortcut import GlobalShortcut, LauncherSettings, parse_shortcut, unsupported_reason
from desktop.i18n import load_translator
from desktop.window import MainWindow

X11 = {"DISPLAY": ":0", "XDG_SESSION_TYPE": "x11"}


class FakeListener:
    """Stands for pynput's GlobalHotKeys: `press` calls the callback from another thread, as pynput does."""

    def __init__(self, hotkey: str, callback: Callable[[], None]) -> None:
        self.hotkey, self.callback = hotkey, callback
        self.started = self.stopped = False
        self.alive = True

    def start(self) -> None:
        self.started = True

    def stop(self) -> None:
        self.stopped = True

    def is_alive(self) -> bool:
        return self.alive

    def press(self) -> None:
        thread = threading.Thread(target=self.callback)
        thread.start()
        thread.join()


class FakeFactory:
    def __init__(self) -> None:
        self.listeners: list[FakeListener] = []

    def __call__(self, hotkey: str, callback: Callable[[], None]) -> FakeListener:
        self.listeners.append(FakeListener(hotkey, callback))
        return self.listeners[-1]


@pytest.fixture
def spanish(qapp: QApplication) -> Iterator[None]:
    translator = load_translator("es")
    assert translator is not None
    qapp.installTranslator(translator)
    yield
    qapp.removeTranslator(translator)


# ----- the combination
@pytest.mark.parametrize(("typed", "display", "pynput"), [
    ("Ctrl+Alt+Space", "Ctrl+Alt+Space", "<ctrl>+<alt>+<space>"),
    (" alt + ctrl + space ", "Ctrl+Alt+Space", "<ctrl>+<alt>+<space>"),  # one spelling, whatever the order
    ("super+f12", "Super+F12", "<cmd>+<f12>"),
    ("Ctrl+Shift+a", "Ctrl+Shift+A", "<ctrl>+<shift>+a"),
    ("Control+Page_Down", "Ctrl+Page_Down", "<ctrl>+<page_down>"),
])
def test_a_good_combination_is_read_in_its_canonical_form(typed: str, display: str, pynput: str) -> None:
    hotkey = parse_shortcut(typed)
    assert (hotkey.display, hotkey.pynput) == (display, pynput)


@pytest.mark.parametrize(("typed", "message"), [
    ("", "Type a shortcut such as Ctrl+Alt+Space"),
    ("Ctrl++A", "Type a shortcut such as Ctrl+Alt+Space"),
    ("Ctrl+Alt+Spcae", "“Spcae” is not a key name"),
    ("Ctrl+Alt", "exactly one key besides Ctrl, Alt, Shift and Super; “Ctrl+Alt” has 0"),
    ("Ctrl+A+B", "has 2"),
    ("Shift+A", "needs Ctrl, Alt or Super"),
    ("Space", "needs Ctrl, Alt or Super"),
    ("Ctrl+Control+A", "“Control” appears twice"),
])
def test_a_bad_combination_is_refused_saying_what_is_wrong(typed: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        parse_shortcut(typed)


def test_launcher_settings_refuse_a_bad_combination() -> None:
    with pytest.raises(ConfigError, match="not a key name"):
        LauncherSettings(shortcut="Ctrl+Hyper+X")


def test_the_message_is_spanish_in_spanish(spanish: None) -> None:
    with pytest.raises(ConfigError, match="Un atajo global necesita Ctrl, Alt o Super"):
        parse_shortcut("Shift+A")


# ----- where it can listen
@pytest.mark.parametrize(("environ", "platform", "reason"), [
    ({"XDG_SESSION_TYPE": "wayland", "WAYLAND_DISPLAY": "wayland-0", "DISPLAY": ":0"}, "linux", "wayland"),  # XWayland
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", "wayland"),
    ({}, "linux", "no_display"),
    (X11, "linux", None),
    ({}, "win32", None),
    ({}, "darwin", None),
])
def test_unsupported_reason(environ: dict[str, str], platform: str, reason: str | None) -> None:
    assert unsupported_reason(environ, platform) == reason


def test_on_wayland_nothing_listens_and_the_reason_is_given(qapp: QApplication) -> None:
    factory = FakeFactory()
    shortcut = GlobalShortcut(factory, environ={"WAYLAND_DISPLAY": "wayland-0"}, platform="linux")
    assert shortcut.apply(LauncherSettings()) == "Wayland does not let an application set a global shortcut."
    assert not factory.listeners and not shortcut.available


def test_a_listener_that_cannot_start_is_reported_not_raised(qapp: QApplication) -> None:
    def broken(_hotkey: str, _callback: Callable[[], None]) -> FakeListener:
        raise ImportError("this system is not supported")

    shortcut = GlobalShortcut(broken, environ=X11, platform="linux")
    problem = shortcut.apply(LauncherSettings())
    assert problem is not None and "could not be started" in problem and "not supported" in problem
    assert shortcut.listener is None


def test_a_listener_that_dies_at_once_is_reported(qtbot) -> None:  # type: ignore[no-untyped-def]
    factory = FakeFactory()
    shortcut = GlobalShortcut(factory, environ=X11, platform="linux")
    shortcut.check_timer.setInterval(10)
    assert shortcut.apply(LauncherSettings()) is None
    factory.listeners[0].alive = False
    with qtbot.waitSignal(shortcut.failed, timeout=2000) as failed:
        pass
    assert "stopped right after it started" in failed.args[0] and shortcut.listener is None


def test_switched_off_or_changed_the_old_listener_stops(qapp: QApplication) -> None:
    factory = FakeFactory()
    shortcut = GlobalShortcut(factory, environ=X11, platform="linux")
    shortcut.apply(LauncherSettings())
    assert factory.listeners[0].hotkey == "<ctrl>+<alt>+<space>" and factory.listeners[0].started
    shortcut.apply(LauncherSettings(shortcut="Super+K"))
    assert factory.listeners[0].stopped and factory.listeners[1].hotkey == "<cmd>+k"
    assert shortcut.apply(LauncherSettings(shortcut_enabled=False)) is None
    assert factory.listeners[1].stopped and len(factory.listeners) == 2


# ----- the window
def test_the_trigger_from_the_listener_thread_toggles_the_window_on_the_gui_thread(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    factory = FakeFactory()
    window.global_shortcut.environ, window.global_shortcut.platform = X11, "linux"
    assert window.enable_global_shortcut(factory) is None
    threads: list[bool] = []
    original = window.toggle_from_shortcut

    def recording() -> None:
        threads.append(QThread.currentThread() is QApplication.instance().thread())  # type: ignore[union-attr]
        original()

    monkeypatch.setattr(window, "toggle_from_shortcut", recording)
    window.global_shortcut.triggered.disconnect()
    window.global_shortcut.triggered.connect(window.toggle_from_shortcut, Qt.ConnectionType.QueuedConnection)
    qtbot.waitUntil(window.isActiveWindow, timeout=3000)  # in front: the shortcut puts it away
    factory.listeners[0].press()
    qtbot.waitUntil(lambda: window.isHidden() or window.isMinimized(), timeout=3000)
    factory.listeners[0].press()  # away: the shortcut brings it back, the keyboard in the input
    qtbot.waitUntil(lambda: window.isVisible() and not window.isMinimized(), timeout=3000)
    assert threads == [True, True]  # both toggles ran on the GUI thread, never on the listener's


def test_the_real_connection_is_queued_to_the_gui_thread(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    factory = FakeFactory()
    window.global_shortcut.environ, window.global_shortcut.platform = X11, "linux"
    window.enable_global_shortcut(factory)
    window.hide()
    factory.listeners[0].press()
    qtbot.waitUntil(lambda: window.isVisible() and not window.isMinimized(), timeout=3000)


def test_settings_refuse_a_bad_shortcut_and_save_a_good_one(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog(window.context.settings, 0.7, False, window, launcher=LauncherSettings(),
                            shortcut_available=True)
    assert dialog.shortcut_input.isEnabled() and dialog.shortcut_enabled.isChecked()
    dialog.shortcut_input.setText("Ctrl+Alt")
    dialog.accept()
    assert dialog.result() == 0 and not dialog.shortcut_message.isHidden()  # refused: the dialog stays
    assert "exactly one key" in dialog.shortcut_message.text()
    dialog.shortcut_input.setText("alt+ctrl+k")
    dialog.hide_on_focus_loss.setChecked(True)
    dialog.accept()
    assert dialog.result() == 1
    assert dialog.result_launcher() == LauncherSettings(True, "Ctrl+Alt+K", True)
    factory = FakeFactory()
    window.global_shortcut.environ, window.global_shortcut.platform = X11, "linux"
    window.enable_global_shortcut(factory)
    window.apply_launcher(dialog.result_launcher())
    assert factory.listeners[-1].hotkey == "<ctrl>+<alt>+k" and factory.listeners[0].stopped
    assert window._load_launcher() == LauncherSettings(True, "Ctrl+Alt+K", True)  # saved in window.ini


def test_where_no_shortcut_can_be_set_settings_say_how_to_bind_one(qtbot) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = SettingsDialog(Settings(), 0.7, False, parent, launcher=LauncherSettings(), shortcut_available=False)
    assert not dialog.shortcut_input.isEnabled() and not dialog.shortcut_enabled.isChecked()
    assert "offline-assistant" in dialog.shortcut_note.text() and "GNOME" in dialog.shortcut_note.text()
    failed = SettingsDialog(Settings(), 0.7, False, parent, launcher=LauncherSettings(), shortcut_available=True,
                            shortcut_problem="The global shortcut could not be started (X).")
    assert failed.shortcut_note.text().startswith("The global shortcut could not be started (X).")
    assert not failed.shortcut_input.isEnabled()


def test_hide_when_focus_is_lost_only_when_set(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(QApplication, "activeWindow", staticmethod(lambda: None))  # another program has the focus
    window._hide_if_inactive()
    assert window.isVisible() and not window.isMinimized()  # the setting is off by default
    window.launcher = LauncherSettings(hide_on_focus_loss=True)
    window._hide_if_inactive()
    assert window.isHidden() or window.isMinimized()
