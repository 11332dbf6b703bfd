"""The external evaluation: label mapping, loading, metrics on scripted scores (no model), and both reports."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from core.errors import DatasetError, InputTextError
from core.intents import OUT_OF_SCOPE
from core.prediction import Score, Scores
from scripts import evaluate_external as ext
from scripts import shared_data
from tests.core.fakes import LABELS, FakeScorer

SHARED = shared_data.shared_datasets_dir()
needs_shared = pytest.mark.skipif(not (SHARED / "clinc150" / "clinc150_full.jsonl").is_file(),
                                  reason=f"shared datasets not in this checkout ({SHARED})")


@pytest.mark.parametrize(("source", "intent", "expected"), [
    ("clinc150", "what_can_i_ask_you", "get_help"),
    ("clinc150", "order_status", "get_shipping"),
    ("clinc150", "user_name", "get_profile"),
    ("clinc150", "balance", OUT_OF_SCOPE),
    ("clinc150", "oos", OUT_OF_SCOPE),
    ("snips", "GetWeather", OUT_OF_SCOPE),
    ("snips", "oos", OUT_OF_SCOPE),
    ("mtod", "alarm/set_alarm", OUT_OF_SCOPE),
    ("mtod", "weather/find", OUT_OF_SCOPE),
])
def test_each_mapping_rule(source: str, intent: str, expected: str) -> None:
    assert shared_data.map_public_label(source, intent) == expected


def test_unknown_source_is_a_typed_error() -> None:
    with pytest.raises(DatasetError, match="clinc150"):
        shared_data.map_public_label("atis", "flight")


def test_the_shared_folder_defaults_beside_the_repo_and_follows_the_env(monkeypatch: pytest.MonkeyPatch,
                                                                         tmp_path: Path) -> None:
    monkeypatch.delenv(shared_data.SHARED_ENV, raising=False)
    assert shared_data.shared_datasets_dir() == shared_data.REPO.parent / "shared" / "datasets"
    monkeypatch.setenv(shared_data.SHARED_ENV, str(tmp_path))
    assert shared_data.shared_datasets_dir() == tmp_path
    assert not shared_data.available("snips")


def _write_sources(root: Path) -> None:
    """A miniature shared folder: the same file layout and fields as the real one."""
    rows: dict[str, list[dict[str, object]]] = {
        "clinc150/clinc150_full.jsonl": [
            {"text": "what can i ask you", "intent": "what_can_i_ask_you", "split": "val", "is_oos": False},
            {"text": "where is my package", "intent": "order_status", "split": "val", "is_oos": False},
            {"text": "how much money do i have", "intent": "balance", "split": "val", "is_oos": False},
            {"text": "tell me my name", "intent": "user_name", "split": "train", "is_oos": False},
            {"text": "blah", "intent": "oos", "split": "val", "is_oos": True},
        ],
        "snips/snips.jsonl": [{"text": "play some jazz", "intent": "PlayMusic", "split": "val", "is_oos": False}],
        "mtod/mtod.jsonl": [
            {"text": "set an alarm", "intent": "alarm/set_alarm", "split": "val", "lang": "en", "slots": []},
            {"text": "pon una alarma", "intent": "alarm/set_alarm", "split": "val", "lang": "es", "slots": []},
            {"text": "¿lloverá mañana?", "intent": "weather/find", "split": "test", "lang": "es", "slots": []},
        ],
    }
    for name, lines in rows.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")


def test_load_public_rows_keeps_one_split_maps_labels_and_reads_the_language(tmp_path: Path) -> None:
    _write_sources(tmp_path)
    assert shared_data.load_public_rows("clinc150", "val", tmp_path) == [
        ("what can i ask you", "get_help", "en"), ("where is my package", "get_shipping", "en"),
        ("how much money do i have", OUT_OF_SCOPE, "en"), ("blah", OUT_OF_SCOPE, "en")]
    assert shared_data.load_public_rows("mtod", "val", tmp_path) == [
        ("set an alarm", OUT_OF_SCOPE, "en"), ("pon una alarma", OUT_OF_SCOPE, "es")]
    assert shared_data.load_public_records("clinc150", "train", tmp_path)[0].source_intent == "user_name"


def test_a_damaged_file_or_missing_folder_says_where_and_how_to_fix(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=shared_data.SHARED_ENV):
        shared_data.load_public_rows("snips", "val", tmp_path)
    _write_sources(tmp_path)
    with (tmp_path / "snips/snips.jsonl").open("a", encoding="utf-8") as f:
        f.write('{"text": 3, "intent": "PlayMusic", "split": "val"}\n')
    with pytest.raises(DatasetError, match=r"snips\.jsonl:2"):
        shared_data.load_public_rows("snips", "val", tmp_path)
    with pytest.raises(DatasetError, match="Unknown split"):
        shared_data.load_public_rows("mtod", "dev", tmp_path)


def _row(text: str, truth: str, source: str = "clinc150", lang: str = "en") -> ext.ExternalRow:
    return ext.ExternalRow(source, lang, text, truth, "public_" + truth)


# FakeScorer: "news" -> get_news 0.95, "maybe" -> get_news 0.5, "help" -> get_help 0.9, "profile" -> get_profile
# 0.9, "open" -> business 0.9, anything else -> out_of_scope 0.9.
ROWS = [
    _row("news today", "get_news"),  # acted right, sure
    _row("maybe some news", "get_news"),  # asked (0.5 < 0.7)
    _row("help with my profile", "get_profile"),  # acted on get_help: confidently wrong, sure (0.9)
    _row("where is my parcel", "get_shipping"),  # declined (out_of_scope 0.9): an in-scope miss
    _row("set an alarm", OUT_OF_SCOPE),  # caught
    _row("open the garage", OUT_OF_SCOPE),  # acted on business: not caught
    _row("pon una alarma", OUT_OF_SCOPE, "mtod", "es"),  # caught
    _row("noticias del tiempo", OUT_OF_SCOPE, "mtod", "es"),  # acted on news: not caught
]


def test_figures_on_scripted_scores() -> None:
    scored = ext.score_rows(FakeScorer(), ROWS, threshold=0.7)
    assert [s.decision for s in scored] == ["act", "ask", "act", "decline", "decline", "act", "decline", "act"]
    clinc = ext.figures([s for s in scored if s.row.source == "clinc150"])
    assert (clinc["rows"], clinc["in_scope_rows"], clinc["oos_rows"]) == (6, 4, 2)
    assert clinc["in_scope_routed_right"] == pytest.approx(1 / 4)
    assert clinc["in_scope_confidently_wrong"] == pytest.approx(1 / 4)
    assert clinc["oos_caught"] == pytest.approx(1 / 2)
    # sure acts: "news today" (right), "help with my profile" (wrong), "open the garage" (wrong, out of scope)
    assert clinc["counts"]["sure_acts"] == 3 and clinc["sure_precision"] == pytest.approx(1 / 3)
    assert clinc["counts"]["in_scope_asked"] == 2
    assert clinc["acted_on"] == {"get_business_information": 1}
    mtod = ext.figures([s for s in scored if s.row.source == "mtod"])
    assert mtod["in_scope_routed_right"] is None and mtod["oos_caught"] == pytest.approx(1 / 2)


def test_a_higher_threshold_moves_acts_to_asks() -> None:
    scored = ext.score_rows(FakeScorer(), ROWS, threshold=0.92)
    clinc = ext.figures([s for s in scored if s.row.source == "clinc150"])
    assert clinc["in_scope_confidently_wrong"] == 0.0  # the 0.9 misroute now asks
    assert clinc["oos_caught"] == 1.0
    assert clinc["counts"]["sure_acts"] == 1 and clinc["sure_precision"] == 1.0


class ChattyScorer(FakeScorer):
    """Greetings land on get_help at 0.95 (a model that confuses chat with help); blank text is refused."""

    def score(self, texts: Sequence[str]) -> list[Scores]:
        if not texts[0].strip():
            raise InputTextError("The request is empty.")
        if texts[0].startswith("thank"):
            rest = 0.05 / (len(LABELS) - 1)
            ranking = (Score("get_help", 0.95), *(Score(label, rest) for label in LABELS if label != "get_help"))
            return [Scores(texts[0], ranking)]
        return super().score(texts)


def test_small_talk_and_unusable_text_are_not_acted_on_as_in_the_app() -> None:
    scored = ext.score_rows(ChattyScorer(), [_row("thanks a lot", OUT_OF_SCOPE), _row("  ", OUT_OF_SCOPE)], 0.7)
    assert [s.decision for s in scored] == ["chat", "refused"]
    f = ext.figures(scored)
    assert f["oos_caught"] == 1.0 and f["counts"]["small_talk"] == 1 and f["counts"]["refused_text"] == 1


def test_per_intent_and_most_confident_mistakes() -> None:
    scored = ext.score_rows(FakeScorer(), ROWS, threshold=0.7)
    table = ext.per_intent(scored)["clinc150"]
    assert table["get_profile"] == {"rows": 1, "routed_right": 0, "confidently_wrong": 1, "asked": 0,
                                    "wrong_to": {"get_help": 1}, "routed_right_rate": 0.0}
    assert table["get_news"]["routed_right"] == 1 and table["get_news"]["asked"] == 1
    wrong = ext.mistakes(scored, "clinc150")
    assert [m["text"] for m in wrong] == ["help with my profile", "where is my parcel", "open the garage",
                                          "maybe some news"]
    assert wrong[0]["predicted"] == "get_help" and wrong[0]["truth"] == "get_profile"
    assert [m["confidence"] for m in wrong] == sorted((m["confidence"] for m in wrong), reverse=True)


def test_sample_is_deterministic_and_keeps_in_scope_rows_first() -> None:
    rows = [_row(f"oos {i}", OUT_OF_SCOPE) for i in range(50)] + [_row(f"news {i}", "get_news") for i in range(5)]
    first = ext.sample(rows, 10, "clinc150:val")
    assert first == ext.sample(rows, 10, "clinc150:val")
    assert len(first) == 10 and sum(r.truth == "get_news" for r in first) == 5
    assert first != ext.sample(rows, 10, "snips:val")
    assert ext.sample(rows, 500, "x") == rows


def test_main_writes_both_reports_and_ends_with_a_json_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    _write_sources(tmp_path / "datasets")
    monkeypatch.setenv(shared_data.SHARED_ENV, str(tmp_path / "datasets"))
    import core.engine

    monkeypatch.setattr(core.engine, "Engine", lambda bundle, config: FakeScorer(threshold=0.6))
    out_json, out_md = tmp_path / "r" / "val.json", tmp_path / "r" / "val.md"
    ext.main(["--json", str(out_json), "--md", str(out_md), "--bundle", "fake"])
    summary = json.loads(out_json.read_text(encoding="utf-8"))
    assert summary["threshold"] == 0.6 and summary["rows"] == 7
    assert set(summary["groups"]) == {"clinc150/en", "snips/en", "mtod/en", "mtod/es"}
    assert summary["per_intent"]["clinc150"]["get_help"]["rows"] == 1
    md = out_md.read_text(encoding="utf-8")
    assert "| mtod/es | 1 | 0 |" in md and "most confident mistakes" in md
    last = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert last["groups"]["clinc150/en"]["rows"] == 4


def test_public_text_cannot_break_the_markdown_table() -> None:
    assert ext._md("a | b `c` <script>\nd") == "a \\| b 'c' &lt;script&gt; d"


@needs_shared
def test_the_real_val_splits_have_the_documented_sizes_and_in_scope_rows() -> None:
    clinc = shared_data.load_public_rows("clinc150", "val")
    assert len(clinc) == 3100
    assert {label for _, label, _ in clinc} == {"get_help", "get_shipping", "get_profile", OUT_OF_SCOPE}
    assert sum(label != OUT_OF_SCOPE for _, label, _ in clinc) == 60
    mtod = shared_data.load_public_rows("mtod", "val")
    assert sum(lang == "es" for *_, lang in mtod) == 1983 and sum(lang == "en" for *_, lang in mtod) == 4181
    assert {label for _, label, _ in shared_data.load_public_rows("snips", "val")} == {OUT_OF_SCOPE}
