from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from core.context import AppContext
from desktop.dialogs import SettingsDialog
from desktop.window import MainWindow, start


def ask(qtbot, window: MainWindow, text: str):  # type: ignore[no-untyped-def]
    """Type `text`, press Enter and return the Turn shown; a worker error fails the test at once, with the error,
    instead of after the answer's timeout."""
    panel = window.panel
    worker = window.controller.worker
    answered: list[object] = []
    failed: list[tuple[int, object]] = []

    def on_failed(request_id: int, error: object) -> None:
        failed.append((request_id, error))

    panel.answered.connect(answered.append)
    worker.failed.connect(on_failed)
    try:
        panel.input.setText(text)
        qtbot.keyClick(panel.input, Qt.Key.Key_Return)
        qtbot.waitUntil(lambda: bool(answered or failed), timeout=5000)
    finally:
        panel.answered.disconnect(answered.append)
        worker.failed.disconnect(on_failed)
    assert not failed, f"the worker failed on {text!r}: {failed[0][1]!r}"
    return answered[0]


def test_typing_and_enter_shows_intent_confidence_and_result(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    turn = ask(qtbot, window, "noticias de tecnología")
    panel = window.panel
    assert turn.prediction.intent == "get_news"
    assert panel.intent_label.text() == "Get_News"  # the fake's English display name
    assert panel.band_label.text() == "sure" and panel.percent_label.text() == "95%"  # words first, number second
    assert panel.details_label.isHidden()  # alternatives and timing only on demand
    panel.details_button.click()
    assert panel.details_label.isVisible() and "ms" in panel.details_label.text()
    assert "technology" in panel.result_title.text().lower() or "noticias" in panel.result_title.text().lower()
    assert "<a href=" in panel.result_body.text()
    assert not panel.clarify.isVisible()
    assert panel.history.count() == 1 and panel.input.text() == ""


def test_low_confidence_offers_choices_and_a_click_runs_the_action(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                                  context: AppContext) -> None:
    ask(qtbot, window, "maybe the news")
    panel = window.panel
    assert panel.clarify.isVisible() and panel.card.isHidden()  # no bar or percentage above "not sure"
    # only plausible choices (50 %, 30 %); the 10 % one is not offered
    assert [b.isVisible() for b in panel.candidate_buttons] == [True, True, False]
    assert "Get_Help" in panel.candidate_buttons[1].text()
    with qtbot.waitSignal(panel.action_shown, timeout=5000) as blocker:
        qtbot.mouseClick(panel.candidate_buttons[1], Qt.MouseButton.LeftButton)
    assert blocker.args[0].kind == "help"
    assert not panel.clarify.isVisible()
    feedback = context.storage.feedback()
    assert [(f.text, f.chosen, f.kind) for f in feedback] == [("maybe the news", "get_help", "clarification")]


def test_number_key_chooses_and_none_records_out_of_scope(qtbot, window: MainWindow, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    ask(qtbot, window, "maybe")
    panel = window.panel
    with qtbot.waitSignal(panel.action_shown, timeout=5000) as blocker:
        qtbot.keyClick(panel.input, Qt.Key.Key_1)
    assert blocker.args[0].kind == "news"
    ask(qtbot, window, "maybe again")
    qtbot.mouseClick(panel.none_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(context.storage.feedback()) == 2, timeout=5000)
    assert context.storage.feedback()[-1].kind == "none"
    assert "rephrase" in panel.result_title.text()


def test_escape_dismisses_the_clarification(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    ask(qtbot, window, "maybe")
    qtbot.keyClick(window.panel.input, Qt.Key.Key_Escape)
    assert not window.panel.clarify.isVisible()


def test_threshold_setting_applies_to_the_next_request_without_touching_the_engine(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow, factory) -> None:
    assert window.panel.clarify.isHidden()
    window.apply_settings(window.context.settings.updated(threshold=0.5))
    turn = ask(qtbot, window, "maybe")
    assert turn.result is not None and not window.panel.clarify.isVisible()  # 50 % now suffices
    window.apply_settings(window.context.settings.updated(threshold=0.95))
    assert ask(qtbot, window, "help").result is None  # the fake's 90 % for help is below 95 %
    assert len(factory.engines) == 1  # no reload, nothing sent to the engine
    assert window.context.paths.settings_file.exists()


def test_network_feeds_setting_reaches_the_news_action_at_once(window: MainWindow) -> None:
    news = window.context.actions.get("get_news")
    url = "https://example.org/feed.xml"
    assert news.sources()[1:] == []  # type: ignore[attr-defined]
    window.apply_settings(window.context.settings.updated(network_feeds=True, feeds=(url,)))
    assert news.sources()[1:] == [url]  # type: ignore[attr-defined]


def test_a_model_is_saved_only_once_it_loaded(qtbot, window: MainWindow, tmp_path: Path,  # type: ignore[no-untyped-def]
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from core.settings import load_settings

    monkeypatch.setattr(QMessageBox, "exec", lambda _box: 0)
    settings_file = window.context.paths.settings_file
    with qtbot.waitSignal(window.controller.worker.load_failed, timeout=5000):
        window.apply_settings(window.context.settings.updated(model_dir=str(tmp_path / "bad")))
    assert window.context.settings.model_dir is None and load_settings(settings_file).model_dir is None
    good = tmp_path / "good"
    window.apply_settings(window.context.settings.updated(model_dir=str(good)))
    assert load_settings(settings_file).model_dir is None  # not yet: it is still loading
    qtbot.waitUntil(lambda: load_settings(settings_file).model_dir == str(good), timeout=5000)


def test_a_command_line_model_is_never_saved(qtbot, tmp_path: Path, factory) -> None:  # type: ignore[no-untyped-def]
    from core.context import build_context
    from core.settings import Overrides, load_settings
    from desktop.startup import launch

    context = build_context(overrides=Overrides(model_dir=str(tmp_path / "cli-model")))
    try:
        win, controller = launch(context, factory)
        qtbot.addWidget(win)
        qtbot.waitUntil(lambda: controller.worker.info is not None, timeout=5000)
        assert controller.worker.info.model_dir == str(tmp_path / "cli-model") == str(context.model_dir)
        win.apply_settings(context.settings.updated(language="es"))  # saving other settings...
        assert load_settings(context.paths.settings_file).model_dir is None  # ...does not save --model
        controller.stop()
    finally:
        context.close()


def test_bad_bundle_shows_the_error_and_the_current_model_stays(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                               monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(QMessageBox, "exec",
                        lambda box: shown.append((box.windowTitle(), box.informativeText())) or 0)
    window.apply_settings(window.context.settings.updated(model_dir=str(tmp_path / "bad")))
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert shown[0][0] == "The model could not be loaded" and "corrupt" in shown[0][1]
    assert ask(qtbot, window, "news").prediction.intent == "get_news"  # still answering


def test_a_request_made_while_loading_runs_when_the_model_is_ready(qtbot, context: AppContext, factory) -> None:  # type: ignore[no-untyped-def]
    win, controller = start(context, factory)
    qtbot.addWidget(win)
    win.panel.input.setText("news please")
    qtbot.keyClick(win.panel.input, Qt.Key.Key_Return)  # no model yet: the request waits in the queue
    assert "Loading" in win.panel.status.text()
    with qtbot.waitSignals([controller.worker.loaded, win.panel.answered], timeout=5000, order="strict"):
        controller.request_load.emit(str(context.model_dir), "auto")
    assert win.panel.status.text() == "Ready · CPU"
    controller.stop()


def test_language_switch_changes_visible_strings(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.panel
    assert panel.none_button.text() == "None of these"
    window.apply_settings(window.context.settings.updated(language="es"))
    qtbot.waitUntil(lambda: panel.none_button.text() == "Ninguna de estas", timeout=3000)  # Qt posts LanguageChange
    assert panel.clarify_label.text() == "No estoy seguro de qué quieres decir. ¿Quisiste decir…?"
    assert window.windowTitle() == "Asistente sin conexión"
    window.apply_settings(window.context.settings.updated(language="en"))
    qtbot.waitUntil(lambda: panel.none_button.text() == "None of these", timeout=3000)


def test_history_keys_and_rerun(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    ask(qtbot, window, "news one")
    ask(qtbot, window, "help two")
    panel = window.panel
    qtbot.keyClick(panel.input, Qt.Key.Key_Up)
    assert panel.input.text() == "help two"
    qtbot.keyClick(panel.input, Qt.Key.Key_Up)
    assert panel.input.text() == "news one"
    qtbot.keyClick(panel.input, Qt.Key.Key_Escape)
    assert panel.input.text() == ""
    with qtbot.waitSignal(panel.answered, timeout=5000) as blocker:
        panel.history.itemActivated.emit(panel.history.item(1))
    assert blocker.args[0].prediction.text == "news one"


def test_help_example_links_run_the_phrase(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    ask(qtbot, window, "help")
    with qtbot.waitSignal(window.panel.answered, timeout=5000) as blocker:
        window.panel.result_body.linkActivated.emit("ask:latest%20news")
    assert blocker.args[0].prediction.text == "latest news"


def test_wrong_answer_can_be_corrected(qtbot, window: MainWindow, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    ask(qtbot, window, "news")
    window.panel.wrong_menu.aboutToShow.emit()
    actions = {a.text(): a for a in window.panel.wrong_menu.actions()}
    with qtbot.waitSignal(window.panel.action_shown, timeout=5000):
        actions["Get_Profile"].trigger()
    assert context.storage.feedback()[0].kind == "correction"
    assert "profile" in window.panel.result_title.text().lower()


def test_settings_dialog_produces_validated_settings(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog(window.context.settings, 0.7, False, window)
    qtbot.addWidget(dialog)
    dialog.threshold.setValue(85)
    dialog.language.setCurrentIndex(dialog.language.findData("es"))
    new = dialog.result_settings(window.context.settings)
    assert new.threshold == 0.85 and new.language == "es"
    assert not dialog.device.model().item(2).isEnabled()  # no GPU: the GPU choice is greyed out


def test_accessible_names_and_geometry_is_remembered(qtbot, window: MainWindow, context: AppContext) -> None:  # type: ignore[no-untyped-def]
    panel = window.panel
    for widget in (panel.input, panel.ask_button, panel.wrong_button, panel.none_button, panel.history):
        assert widget.accessibleName()
    window.resize(640, 480)
    window.close()
    win2, controller2 = start(context)
    qtbot.addWidget(win2)
    assert (win2.width(), win2.height()) == (640, 480)
    controller2.stop()


def test_api_setting_starts_and_stops_the_local_api(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import desktop.window as window_module

    started: list[tuple[Path, int]] = []
    stopped: list[object] = []
    monkeypatch.setattr(window_module, "start_api", lambda model, port: started.append((model, port)) or "proc")
    monkeypatch.setattr(window_module, "stop_api", lambda proc: stopped.append(proc))
    window.apply_settings(window.context.settings.updated(api_enabled=True, api_port=9123))
    assert started == [(window.context.model_dir, 9123)] and window.api_process == "proc"
    window.apply_settings(window.context.settings.updated(api_enabled=False))
    assert "proc" in stopped and window.api_process is None


def test_api_in_a_build_without_fastapi_explains_itself(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import sys

    from core.errors import AssistantError
    from desktop.api_process import start_api

    monkeypatch.setattr(sys, "frozen", True, raising=False)
    with pytest.raises(AssistantError, match="not part of this build"):
        start_api(tmp_path, 9000)


def test_typing_after_a_clarification_goes_to_the_input(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                        context: AppContext) -> None:
    """The bug a new user hit: focus stayed on choice 1, typed text was lost and space picked it."""
    panel = window.panel
    ask(qtbot, window, "maybe")
    assert panel.clarify.isVisible() and panel.input.hasFocus()
    qtbot.keyClicks(panel.input, "news please")  # "1" inside text is text, space is a space
    assert panel.input.text() == "news please" and panel.clarify.isVisible()
    with qtbot.waitSignal(panel.answered, timeout=5000) as blocker:
        qtbot.keyClick(panel.input, Qt.Key.Key_Return)
    assert blocker.args[0].prediction.text == "news please" and context.storage.feedback() == []
    ask(qtbot, window, "maybe")
    with qtbot.waitSignal(panel.action_shown, timeout=5000) as chosen:
        qtbot.keyClick(panel.input, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert chosen.args[0].kind == "help" and panel.input.hasFocus()


def test_settings_and_quit_shortcuts_exist_on_every_platform(window: MainWindow) -> None:
    from PySide6.QtGui import QKeySequence

    assert QKeySequence("Ctrl+,") in window.settings_action.shortcuts()
    assert QKeySequence("Ctrl+Q") in window.quit_action.shortcuts()
    for action in (window.settings_action, window.quit_action):  # a key listed twice is "ambiguous" to Qt
        assert len(set(k.toString() for k in action.shortcuts())) == len(action.shortcuts())
    mnemonics = {text.split("&")[1][0].lower() for text in (window.file_menu.title(), window.panel.ask_button.text())}
    assert len(mnemonics) == 2  # no two Alt+letter accelerators alike


def test_the_profile_form_refuses_an_invalid_email_or_phone(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QDialogButtonBox

    from desktop.dialogs import ProfileDialog

    dialog = ProfileDialog({}, {}, window)
    qtbot.addWidget(dialog)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    dialog.fields["email"].setText("this is not an email")
    dialog.fields["phone"].setText("abc")
    assert not save.isEnabled() and "name@example.org" in dialog.problem.text() and "7 digits" in dialog.problem.text()
    dialog.fields["email"].setText("ana@example.org")
    dialog.fields["phone"].setText("+34 910 000 123")
    assert save.isEnabled() and dialog.problem.text() == ""


def test_a_choice_is_acknowledged_the_card_takes_the_intent_and_undo_forgets(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow, context: AppContext) -> None:
    panel = window.panel
    ask(qtbot, window, "maybe the weather")
    with qtbot.waitSignal(panel.action_shown, timeout=5000):
        qtbot.keyClick(panel.input, Qt.Key.Key_2)
    assert panel.intent_label.text() == "Get_Help" and panel.band_label.text() == "your choice"  # a chip, no %
    assert "remember" in panel.ack_label.text() and panel.undo_button.isVisible()
    assert panel.history.item(0).text().endswith("Get_Help")  # the row shows where the request went in the end
    assert [e.intent for e in context.storage.taught()] == ["get_help"]
    turn = ask(qtbot, window, "Maybe the weather!")  # taught: routed without asking, and says why
    assert turn.kind == "act" and turn.prediction.intent == "get_help" and turn.learned
    assert panel.band_label.text().startswith("learned from you on")
    panel.wrong_menu.aboutToShow.emit()
    actions = {a.text(): a for a in panel.wrong_menu.actions()}
    with qtbot.waitSignal(panel.action_shown, timeout=5000):
        actions["Get_Profile"].trigger()  # a correction re-teaches the same request
    assert panel.intent_label.text() == "Get_Profile" and panel.undo_button.isVisible()
    qtbot.waitUntil(lambda: [e.intent for e in context.storage.taught()] == ["get_profile"], timeout=5000)
    qtbot.mouseClick(panel.undo_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: context.storage.taught() == [], timeout=5000)
    assert "forgot" in panel.ack_label.text()
    assert ask(qtbot, window, "maybe the weather").kind == "clarify"  # forgotten: it asks again


def test_a_correction_menu_lists_the_other_intents_in_the_current_language(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow) -> None:
    panel = window.panel
    ask(qtbot, window, "news")
    panel.wrong_menu.aboutToShow.emit()
    names = [a.text() for a in panel.wrong_menu.actions()]
    assert "Get_News" not in names and "Get_Profile" in names  # never the intent already shown


def test_greetings_get_a_short_answer_not_a_refusal(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    turn = ask(qtbot, window, "hello")
    assert turn.kind == "chat" and window.panel.intent_label.isHidden() and window.panel.band_label.isHidden()
    assert window.panel.result_title.text().startswith("Hello!")  # the window is in English here
    ask(qtbot, window, "hola")  # a Spanish greeting is answered in Spanish, whatever the window's language
    assert window.panel.result_title.text().startswith("¡Hola!")


def test_out_of_scope_says_what_it_can_do_and_offers_no_tiny_choices(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    turn = ask(qtbot, window, "play a song")
    panel = window.panel
    assert turn.kind == "decline" and panel.clarify.isHidden()
    assert panel.result_title.text() == "I can't help with that" and "ask:" in panel.result_body.text()
    assert panel.wrong_button.isVisible() and panel.band_label.isHidden()  # a wrong refusal can be corrected


def test_the_empty_window_shows_examples_that_run(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    panel = window.panel
    assert panel.welcome.isVisible() and "ask:" in panel.welcome.text()
    with qtbot.waitSignal(panel.answered, timeout=5000) as blocker:
        panel.welcome.linkActivated.emit("ask:latest%20news")
    assert blocker.args[0].prediction.text == "latest news" and panel.welcome.isHidden()


def test_history_from_earlier_sessions_is_in_the_current_language_without_ids(  # type: ignore[no-untyped-def]
        qtbot, context: AppContext, factory) -> None:
    from core.settings import Settings

    context.storage.add_history("noticias de hoy", "get_news", 0.9, "get_news")
    context.storage.add_history("noticias de hoy", "get_news", 0.9, "get_news")  # asked twice: one row
    context.storage.add_history("abre la puerta", "out_of_scope", 0.9, None)
    context.store.replace(Settings(language="es"), save=False)
    win, controller = start(context, factory)
    qtbot.addWidget(win)
    try:
        controller.request_load.emit(str(context.model_dir), "auto")
        qtbot.waitUntil(lambda: win.panel.info is not None, timeout=5000)
        rows = [win.panel.history.item(i).text() for i in range(win.panel.history.count())]
        assert len(rows) == 2 and not any("get_news" in r or "out_of_scope" in r for r in rows)
        assert "sin acción" in rows[0] and "GET_NEWS" in rows[1]  # the fake's Spanish display name
        qtbot.keyClick(win.panel.input, Qt.Key.Key_Up)  # Up walks the earlier sessions too
        assert win.panel.input.text() == "abre la puerta"
        assert win.panel.history.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    finally:
        for translator in win.translators:
            QApplication.instance().removeTranslator(translator)
        controller.stop()


def test_a_contact_answer_offers_copy_and_call(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QGuiApplication

    ask(qtbot, window, "open? what is your phone number")
    body = window.panel.result_body.text()
    assert "tel:" in body and "copy:" in body and "<table>" not in body  # the phone alone, no whole card
    href = body.split('href="copy:')[1].split('"')[0]
    window.panel.open_link("copy:" + href)
    assert any(c.isdigit() for c in QGuiApplication.clipboard().text())
    assert window.panel.status.text() == "Copied to the clipboard"


def test_the_api_setting_in_a_build_without_the_api_never_raises_an_error(  # type: ignore[no-untyped-def]
        qtbot, window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    import desktop.window as window_module

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "exec", lambda box: shown.append(box.text()) or 0)
    monkeypatch.setattr(window_module, "api_available", lambda: False)
    window.apply_settings(window.context.settings.updated(api_enabled=True))
    window.sync_api()  # as at every start-up with the setting on
    assert shown == [] and window.api_process is None
    dialog = SettingsDialog(window.context.settings, 0.7, False, window, api_available=False)
    qtbot.addWidget(dialog)
    assert not dialog.api.isEnabled() and "not part of this build" in dialog.api.text()  # said once, here


def test_settings_lists_what_was_learned_with_remove_and_clear(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                               monkeypatch: pytest.MonkeyPatch,
                                                               context: AppContext) -> None:
    from core.memory import TeachingMemory

    memory = TeachingMemory(context.storage)
    known = ("get_news", "get_profile")
    memory.teach("what's on at the cinema", "get_news", known)
    memory.teach("mis datos personales", "get_profile", known)
    dialog = SettingsDialog(context.settings, 0.7, False, window, taught=memory.entries(),
                            display_name=window.panel.display_name)
    qtbot.addWidget(dialog)
    rows = [dialog.taught.item(i).text() for i in range(dialog.taught.count())]
    assert len(rows) == 2 and any("→ Get_News" in r for r in rows)  # display names, never raw ids
    dialog.taught.setCurrentRow(0)
    dialog._remove_taught()
    assert dialog.taught.count() == 1 and len(dialog.forget_requested) == 1
    dialog._clear_taught()
    assert dialog.taught.count() == 0 and len(dialog.forget_requested) == 2
    # Accepted through the window: what was removed is forgotten in the database.
    monkeypatch.setattr(SettingsDialog, "exec", lambda self: (self._clear_taught(), 1)[1])
    with qtbot.waitSignal(window.controller.worker.forgotten, timeout=5000):  # forgotten by the worker
        window.open_settings()
    assert memory.entries() == []
