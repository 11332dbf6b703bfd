"""The window never runs content: links from data open only http(s)/mailto, ask: only from help, text is plain."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from core.actions import ActionResult
from core.errors import BundleCorruptError
from desktop.dialogs import show_error
from desktop.render import result_html
from desktop.window import MainWindow


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    urls: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: urls.append(url.toString()) or True)
    return urls


@pytest.mark.parametrize("href", ["javascript:alert(1)", "file:///etc/passwd", "smb://host/share",
                                  "data:text/html,<script>", "JavaScript:x"])
def test_unsafe_links_are_never_opened(window: MainWindow, opened: list[str], href: str) -> None:
    window.panel.open_link(href)
    assert opened == []


def test_safe_links_open(window: MainWindow, opened: list[str]) -> None:
    window.panel.open_link("https://example.org/news")
    window.panel.open_link("mailto:hola@aurora.example")
    assert opened == ["https://example.org/news", "mailto:hola@aurora.example"]


def test_ask_links_run_only_from_the_help_list(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.panel
    panel.show_result(ActionResult("News", kind="news", fields={"items": []}))
    with qtbot.assertNotEmitted(panel.answered, wait=300):
        panel.open_link("ask:show%20my%20profile")  # a feed item carrying the app's own link
    panel.show_result(ActionResult("Help", kind="help", fields={"intents": []}))
    with qtbot.waitSignal(panel.answered, timeout=5000):
        panel.open_link("ask:latest%20news")


def test_data_is_rendered_as_plain_text(window: MainWindow) -> None:
    panel = window.panel
    panel.show_result(ActionResult("<b>Evil</b><img src=x>", kind="text", body="<a href='javascript:x'>x</a>"))
    assert panel.result_title.textFormat() == Qt.TextFormat.PlainText
    assert panel.result_title.text() == "<b>Evil</b><img src=x>"
    assert "<a href" not in panel.result_body.text() and "&lt;a href" in panel.result_body.text()
    news = result_html(ActionResult("N", kind="news", fields={"items": [
        {"title": "<script>x</script>", "link": "javascript:alert(1)", "source": "s", "published": None}]}))
    assert "<script>" not in news and "javascript:" not in news


def test_error_dialogs_are_plain_text(monkeypatch: pytest.MonkeyPatch, window: MainWindow) -> None:
    boxes: list[QMessageBox] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: boxes.append(box) or 0)
    show_error(window, BundleCorruptError("manifest says <a href='https://evil.example'>click</a>"))
    assert boxes[0].textFormat() == Qt.TextFormat.PlainText
    from PySide6.QtWidgets import QLabel

    labels = [label for label in boxes[0].findChildren(QLabel) if "evil.example" in label.text()]
    assert labels and all(label.textFormat() == Qt.TextFormat.PlainText for label in labels)


def test_answers_from_intents_and_contact_buttons_are_escaped() -> None:
    from desktop.render import contact_actions

    answer = result_html(ActionResult("A", body="<img src=x>", kind="answer", fields={"link": "javascript:alert(1)"}))
    assert "<img" not in answer and "javascript:" not in answer
    buttons = contact_actions("phone", '+34 "><script>', {"copy": "Copy", "call": "Call", "mail": "", "map": "",
                                                         "visit": ""})
    assert buttons[1][1] == "tel:+34" and '"' not in buttons[0][1]  # copy: is percent-encoded
    words = {"copy": "C", "call": "", "mail": "", "map": "", "visit": "Open"}
    assert contact_actions("website", "javascript:alert(1)", words) == [("C", "copy:javascript%3Aalert%281%29")]
