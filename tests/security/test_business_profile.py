"""business.toml values lose bidi overrides, terminal escapes and control characters (issue 24 item 7)."""

from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

from core.actions import ActionRequest, ActionServices
from core.actions.answer import business_fields
from core.actions.business import BusinessAction, load_profile
from core.intents import load_dataset
from core.paths import resource_root
from core.settings import Settings, SettingsStore
from core.storage import Storage
from tests.core.fakes import FakeScorer

HOSTILE = "\u202e\x1b[31m\x1b]8;;http://evil\x07\x00\x7f\u2066\u200b"


def _resources(tmp_path: Path) -> Path:
    """A copy of resources/ whose business.toml has hostile characters in the name, phone and description."""
    target = tmp_path / "resources"
    (target / "sample").mkdir(parents=True)
    shutil.copy(resource_root() / "intents.yaml", target / "intents.yaml")
    text = (resource_root() / "sample" / "business.toml").read_text(encoding="utf-8")
    toml = "\\u202e\\u001b[31m\\u001b]8;;http://evil\\u0007\\u007f\\u2066\\u200b"  # TOML escapes of HOSTILE
    lines = [line.replace('= "', f'= "{toml}', 1) if line.split("=")[0].strip() in ("name", "phone", "es", "en")
             else line for line in text.splitlines()]
    (target / "sample" / "business.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def _clean(text: str) -> bool:
    return not any(c in text for c in "\u202e\x1b\x07\x00\x7f\u2066\u200b") and "evil" not in text


def test_every_profile_value_is_cleaned(tmp_path: Path) -> None:
    raw = (_resources(tmp_path) / "sample" / "business.toml").read_text(encoding="utf-8")
    assert "\\u202e" in raw  # the hostile characters are really in the file
    data = load_profile(_resources(tmp_path / "again") / "sample" / "business.toml")
    assert _clean(str(data)) and str(data["name"]).strip() and any(c.isdigit() for c in str(data["phone"]))


def test_title_body_and_answer_templates_show_no_hostile_character(tmp_path: Path) -> None:
    resources = _resources(tmp_path)
    services = ActionServices(store=SettingsStore(None, Settings()), resources=resources,
                              storage=Storage(tmp_path / "db.sqlite3"),
                              dataset=load_dataset(resources / "intents.yaml"),
                              now=lambda: datetime(2026, 3, 2, 10, tzinfo=UTC))
    for text, lang in (("what is your phone number", "en"), ("¿a qué hora abrís?", "es")):
        result = BusinessAction(services).run(ActionRequest(text, FakeScorer().predict(text), lang))
        assert _clean(result.title) and _clean(result.body) and _clean(str(result.fields))
    fields = business_fields(resources / "sample" / "business.toml", "en")
    assert all(_clean(value) for value in fields.values())
