"""core.validate: what serves each intent, and whether a bundle's labels and dataset hash match the file."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from core.actions import ActionRegistry, ActionRequest, ActionResult, ActionServices
from core.actions.registry import answer_actions
from core.bundle import Label, Manifest
from core.intents import IntentDataset, parse_dataset
from core.paths import resource_root
from core.settings import Settings, SettingsStore
from core.validate import validate_intents

FIELDS = {"phone", "website"}


def dataset(*intents: dict[str, Any]) -> IntentDataset:
    return parse_dataset({"version": 1, "intents": list(intents),
                          "out_of_scope": {"examples": ["play jazz", "pon música"]}}, sha256="a" * 64)


def intent(name: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "display_name": {"es": name, "en": name}, "description": {"es": "d", "en": "d"},
            "examples": [f"{name} uno", f"{name} one"], **extra}


class Plugin:
    intent = "get_news"

    def run(self, request: ActionRequest) -> ActionResult:
        return ActionResult(title="news")


def registry(data: IntentDataset) -> ActionRegistry:
    services = ActionServices(store=SettingsStore(None, Settings()), resources=resource_root(), storage=None,
                              dataset=data)
    return ActionRegistry({"get_news": Plugin()} | answer_actions(services, {"get_news"}))


def manifest(*labels: str, sha: str = "a" * 64) -> Manifest:
    return Manifest(labels=(*(Label(n, {"es": n, "en": n}) for n in labels),
                            Label("out_of_scope", {"es": "x", "en": "x"}, True)),
                    threshold=0.7, temperature=1.0, max_length=64, files={}, dataset_sha256=sha)


ANSWERED = intent("get_hours", answer={"es": "Llama al {phone}.", "en": "Call {phone}."})


def test_each_intent_is_served_by_the_registry_not_by_an_entry_point_name() -> None:
    data = dataset(intent("get_news"), ANSWERED, intent("get_weather"))
    report = validate_intents(data, registry(data), FIELDS)
    none = "(slots annotated: none)"
    assert report.lines[:3] == (f"get_news: 2 examples {none}, served by plugin",
                                f"get_hours: 2 examples {none}, served by answer",
                                f"get_weather: 2 examples {none}, served by NOTHING")
    assert not report.ok and len(report.problems) == 1 and report.problems[0].startswith("get_weather has neither")


def test_an_unknown_template_field_is_a_problem() -> None:
    data = dataset(intent("get_news"), intent("get_hours", answer={"es": "{fax}", "en": "{fax}"}))
    report = validate_intents(data, registry(data), FIELDS)
    assert [p for p in report.problems if "{fax}" in p or "['fax']" in p] and not report.ok


def test_a_matching_bundle_passes_and_a_different_file_is_only_a_note() -> None:
    data = dataset(intent("get_news"), ANSWERED)
    assert validate_intents(data, registry(data), FIELDS, manifest("get_news", "get_hours")).ok
    other = validate_intents(data, registry(data), FIELDS, manifest("get_news", "get_hours", sha="b" * 64))
    assert other.ok and len(other.notes) == 1 and "another version" in other.notes[0]


def test_labels_that_do_not_match_the_file_or_have_no_action_are_problems() -> None:
    data = dataset(intent("get_news"), ANSWERED)
    report = validate_intents(data, registry(data), FIELDS, manifest("get_news", "get_profile"))
    assert not report.ok
    text = "\n".join(report.problems)
    assert "get_hours is in the file but not a label of the bundle" in text
    assert "the bundle's label get_profile is not an intent of the file" in text
    assert "the bundle's label get_profile has no action" in text


def test_the_shipped_bundle_matches_the_shipped_file() -> None:
    from core.actions.answer import business_fields
    from core.actions.base import business_file
    from core.bundle import read_manifest
    from core.intents import load_dataset

    data = load_dataset(resource_root() / "intents.yaml")
    services = ActionServices(store=SettingsStore(None, Settings()), resources=resource_root(), storage=None,
                              dataset=data)
    report = validate_intents(data, ActionRegistry.discover(services),
                              set(business_fields(business_file(resource_root()), "en")),
                              read_manifest(resource_root() / "model"))
    assert report.ok, report.problems


def test_a_broken_intents_file_at_start_up_is_reported(tmp_path: Path) -> None:
    from core.context import build_context
    from core.paths import default_paths

    resources = tmp_path / "resources"
    resources.mkdir()
    (resources / "intents.yaml").write_text("intents: [", encoding="utf-8")
    context = build_context(replace(default_paths(), resources=resources), Settings(), save=False)
    try:
        assert context.dataset is None
        assert any("intents file could not be read" in w for w in context.store.warnings)
    finally:
        context.close()
