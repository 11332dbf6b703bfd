"""Issue 23 items 9-11: news feeds edited in Settings (validated like the settings file), the sample bulletin
labelled as sample data, the greeting naming shipping, and the global-shortcut line in es and en."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QWidget

from core.conversation import small_talk_reply
from core.errors import ConfigError
from core.settings import DEFAULT_FEEDS, MAX_FEEDS, Settings, feed_problem, load_settings
from desktop.dialogs import SettingsDialog, shortcut_help
from desktop.i18n import load_translator
from desktop.render import result_html
from tests.core.test_actions import request, services


@pytest.fixture
def dialog(qtbot) -> Iterator[SettingsDialog]:  # type: ignore[no-untyped-def]
    parent = QWidget()  # held until the test ends: the dialog's widgets die with their parent
    qtbot.addWidget(parent)
    yield SettingsDialog(Settings(feeds=("https://example.org/rss",)), 0.7, False, parent)


@pytest.fixture
def spanish() -> Iterator[None]:
    app = QCoreApplication.instance()
    translator = load_translator("es")
    assert app is not None and translator is not None
    app.installTranslator(translator)
    yield
    app.removeTranslator(translator)


# ----- the setting: validated on construction, bad fields fall back one by one
@pytest.mark.parametrize("feeds", [("ftp://example.org/rss",), ("https:///rss",), ("file:///etc/passwd",),
                                   ("https://exa mple.org/rss",), ("https://a.org/x", "https://a.org/x"),
                                   tuple(f"https://example.org/{i}" for i in range(MAX_FEEDS + 1))])
def test_settings_refuse_feeds_that_are_not_a_bounded_list_of_http_urls(feeds: tuple[str, ...]) -> None:
    with pytest.raises(ConfigError, match="feeds must be at most"):
        Settings(feeds=feeds)


def test_default_feeds_of_both_languages_are_valid_and_a_bad_file_entry_falls_back(tmp_path: Path) -> None:
    assert set(DEFAULT_FEEDS) == {"es", "en"} and all(DEFAULT_FEEDS.values())
    Settings(feeds=DEFAULT_FEEDS["es"] + DEFAULT_FEEDS["en"])  # raises if any default were invalid
    assert [feed_problem(u) for u in ("http://127.0.0.1:8080/f", "javascript:alert(1)", "https://", "")] == [
        None, "scheme", "host", "length"]
    path = tmp_path / "settings.json"
    path.write_text('{"feeds": ["gopher://x.org"], "network_feeds": true}', encoding="utf-8")
    warnings: list[str] = []
    loaded = load_settings(path, warnings.append)
    assert loaded.feeds == () and loaded.network_feeds and "feeds ignored" in warnings[0]


# ----- the dialog: add, refuse with a reason, remove, suggestions, result
def test_the_dialog_adds_valid_feeds_refuses_bad_ones_and_returns_the_list(qtbot, dialog: SettingsDialog) -> None:  # type: ignore[no-untyped-def]
    assert not dialog.add_feed("ftp://example.org/rss")
    assert "http://" in dialog.feed_message.text()
    assert not dialog.add_feed("https://example.org/rss") and "already" in dialog.feed_message.text()
    dialog.feed_input.setText("https://news.example.com/feed.xml")
    qtbot.keyClick(dialog.feed_input, Qt.Key.Key_Return)  # Enter adds; it does not close the dialog
    assert dialog.feeds() == ("https://example.org/rss", "https://news.example.com/feed.xml")
    assert dialog.result() == 0 and dialog.feed_input.text() == ""
    dialog.feed_list.setCurrentRow(0)
    qtbot.mouseClick(dialog.feed_remove, Qt.MouseButton.LeftButton)
    offered = [dialog.feed_suggested.itemData(i) for i in range(dialog.feed_suggested.count())]
    assert offered == [*DEFAULT_FEEDS["es"], *DEFAULT_FEEDS["en"]]
    dialog.feed_suggested.setCurrentIndex(len(DEFAULT_FEEDS["es"]))  # the first English one
    qtbot.mouseClick(dialog.feed_add_suggested, Qt.MouseButton.LeftButton)
    dialog.network.setChecked(True)
    result = dialog.result_settings(Settings())
    assert result.feeds == ("https://news.example.com/feed.xml", DEFAULT_FEEDS["en"][0]) and result.network_feeds


def test_the_dialog_stops_at_the_feed_limit(dialog: SettingsDialog) -> None:
    for i in range(MAX_FEEDS - 1):
        assert dialog.add_feed(f"https://example.org/{i}")
    assert not dialog.add_feed("https://example.org/one-too-many")
    assert str(MAX_FEEDS) in dialog.feed_message.text() and len(dialog.feeds()) == MAX_FEEDS
    Settings(feeds=dialog.feeds())  # what the dialog holds is always a valid setting


def test_feed_messages_and_the_shortcut_line_are_spanish_in_spanish(qtbot, spanish: None) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = SettingsDialog(Settings(), 0.7, False, parent)
    dialog.add_feed("https://")
    assert dialog.feed_message.text().startswith("La dirección necesita un nombre de servidor")
    assert shortcut_help("wayland", "").startswith("Wayland no permite")
    assert "offline-assistant" in shortcut_help("xcb", "x11") and "GNOME" in shortcut_help("xcb", "x11")


def test_the_shortcut_line_says_why_and_how_in_english(dialog: SettingsDialog) -> None:
    assert shortcut_help("wayland", "").startswith("Wayland does not let")
    assert shortcut_help("xcb", "wayland").startswith("Wayland does not let")  # XWayland is still Wayland
    assert shortcut_help("xcb", "x11").startswith("This build cannot")
    text = dialog.shortcut_note.text()
    assert "offline-assistant" in text and "KDE" in text and "GNOME" in text


# ----- the sample bulletin says it is sample data; the greeting names shipping
@pytest.mark.parametrize(("lang", "label"), [("es", "Datos de ejemplo"), ("en", "Sample data")])
def test_the_sample_bulletin_is_labelled_as_sample_data_in_the_card(tmp_path: Path, lang: str, label: str) -> None:
    from core.actions.news import NewsAction

    result = NewsAction(services(tmp_path)).run(request("noticias de deportes", lang))
    assert result.fields["items"] and all(i["source"].startswith(label) for i in result.fields["items"])
    assert f"· {label} · " in result_html(result)


def test_the_greeting_names_shipping_in_both_languages() -> None:
    assert "envíos" in small_talk_reply("greeting", "es").title
    assert "shipping" in small_talk_reply("greeting", "en").title


def test_the_model_folder_dialog_speaks_spanish_in_spanish(qtbot, spanish: None,  # type: ignore[no-untyped-def]
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QFileDialog

    seen: dict[str, str] = {}

    def look(self: QFileDialog) -> int:  # instead of blocking: read the labels the user would see, then cancel
        seen.update(title=self.windowTitle(), look_in=self.labelText(QFileDialog.DialogLabel.LookIn),
                    file_type=self.labelText(QFileDialog.DialogLabel.FileType))
        return 0

    monkeypatch.setattr(QFileDialog, "exec", look)
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = SettingsDialog(Settings(), 0.7, False, parent)
    dialog._choose_model()
    assert seen["look_in"] == "Buscar en:" and seen["file_type"] == "Tipo de archivo:"
    assert "modelo" in seen["title"].lower()
    assert dialog.model_dir is None  # cancelled: nothing chosen
